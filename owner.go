package uploadsign

// Request is what the backend binds for one request: the owner that the
// set's "{owner}" placeholder stands for, and parameters added to the
// set's. Its zero value binds nothing.
type Request struct {
	Owner  string
	Params Params
}

// Upload is an upload whose origin the Signer has verified: the parameter
// set and version that made it, the owner it was made for, and the asset.
type Upload struct {
	Set     string
	Version int
	Owner   string
	Asset   Asset
}
