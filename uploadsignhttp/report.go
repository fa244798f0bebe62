package uploadsignhttp

import (
	"encoding/json"
	"net/http"

	"github.com/uploadsign/uploadsign"
)

// MaxReportBytes is the largest report NewReportHandler reads: Cloudinary's
// upload answer, with its tags, context and eager transformations.
const MaxReportBytes = 64 << 10

// NewReportHandler returns the route a browser reports an upload back to:
// POST, Content-Type application/json, a body {"param_set": "avatar",
// "version": 1, "result": {...}} of at most [MaxReportBytes], "result"
// being Cloudinary's JSON answer to the upload as the browser got it. It
// checks that the endpoint serves the set (before the hook, as
// [NewHandler]), calls authorize for the request's [uploadsign.Request],
// verifies the result with [uploadsign.Signer.VerifyUploadOf], calls save
// with the [uploadsign.Upload], and answers 200 with its
// [uploadsign.Asset], whose URL the Signer built. A forged or malformed
// report answers 400, an upload that is not this request's or that
// reports a size over the set's limits 403, and a failed save 500 (or
// save's [StatusError]); the package doc lists the other answers.
//
// A report proves what Cloudinary signed (the public_id and version) and
// nothing else: the bytes, width and height it carries are the browser's.
// Only a notification carries what Cloudinary says of the file
// ([NewNotificationHandler]).
//
// [Sets] names the sets served, with NewHandler's rules and panics, and
// [WithLogger] adds a log record per request. The handler is safe for
// concurrent use.
func NewReportHandler(s *uploadsign.Signer, authorize func(*http.Request) (uploadsign.Request, error),
	save func(*http.Request, *uploadsign.Upload) error, opts ...HandlerOption) http.Handler {
	if s == nil || authorize == nil || save == nil {
		panic("uploadsignhttp: NewReportHandler needs a Signer, an authorize hook and a save function")
	}
	o := newHandlerOptions("NewReportHandler", opts, takes{sets: true})
	return &reportHandler{s, authorize, save, o, newEndpoint(s, o.sets, "NewReportHandler")}
}

type reportHandler struct {
	signer    *uploadsign.Signer
	authorize func(*http.Request) (uploadsign.Request, error)
	save      func(*http.Request, *uploadsign.Upload) error
	opts      handlerOptions
	sets      *endpoint
}

func (h *reportHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.opts.start()
	req, res := h.serve(w, r)
	h.opts.log(r.Context(), "upload report", start, req.ParamSet, req.Version, res)
}

func (h *reportHandler) serve(w http.ResponseWriter, r *http.Request) (ClientSet, result) {
	body, res := readJSONPost(w, r, MaxReportBytes)
	if res != nil {
		return ClientSet{}, *res
	}
	var rep struct {
		ParamSet string          `json:"param_set"`
		Version  int             `json:"version"`
		Result   json.RawMessage `json:"result"`
	}
	err := readObject(body, &rep)
	req := ClientSet{ParamSet: rep.ParamSet, Version: rep.Version}
	switch {
	case err != nil:
		return ClientSet{}, writeError(w, http.StatusBadRequest, `want a JSON body like {"param_set": "avatar", "version": 1, "result": {...}}: `+clip(err.Error(), 120))
	case req.ParamSet == "" || req.Version < 1 || rep.Result == nil:
		return req, writeError(w, http.StatusBadRequest, `"param_set", "version" and "result" are required`)
	}
	var reported uploadsign.UploadResult
	if err := json.Unmarshal(rep.Result, &reported); err != nil {
		return req, writeError(w, http.StatusBadRequest, `"result" is not Cloudinary's upload answer`)
	}
	set, err := h.sets.lookup(req.ParamSet, req.Version)
	if err != nil {
		return req, writeLibraryError(w, http.StatusNotFound, err)
	}
	r = r.WithContext(&requestContext{r.Context(), req})
	bound, err := h.authorize(r)
	if err != nil {
		return req, writeHookError(w, err)
	}
	upload, err := h.signer.VerifyUploadOf(req.ParamSet, req.Version, bound, reported)
	if err != nil {
		return req, writeSignerError(w, err, set)
	}
	if err := h.save(r, upload); err != nil {
		return req, writeAppError(w, err)
	}
	writeJSON(w, http.StatusOK, &upload.Asset)
	return req, result{status: http.StatusOK, outcome: "stored"}
}
