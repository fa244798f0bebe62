// Package bridge gives the module's own packages (the HTTP handlers, the
// command) what a uploadsign.Signer keeps unexported, so that the Signer's
// exported methods serve users only. Package uploadsign fills in the
// functions when it is initialized; a package that imports uploadsign can
// call them.
package bridge

import (
	"encoding/json"
	"net/url"
	"time"
)

// Set describes one registered parameter set.
type Set struct {
	Name               string
	Version            int
	Deprecated, Sunset time.Time      // zero when the set has none
	Limits             json.Marshaler // the set's uploadsign.Limits; nil when it has none
}

// Sets returns the parameter sets a *uploadsign.Signer holds, by name and
// version. signer must be a *uploadsign.Signer: this package cannot name
// the type without an import cycle.
var Sets func(signer any) []Set

// Lookup returns the set name at version among the set names served
// (nil for all), or an error wrapping uploadsign.ErrUnknownParamSet that
// names only the sets, or versions, served. signer must be a
// *uploadsign.Signer.
var Lookup func(signer any, served []string, set string, version int) (Set, error)

// ProposalPayload returns, as a *uploadsign.Payload, a proposal of set at
// version signed: fields are the proposal, signature and api_key; the
// set's limits and dates are added (Deprecated judged at the proposal's
// timestamp). signer must be a *uploadsign.Signer.
var ProposalPayload func(signer any, set string, version int, fields map[string]string) (any, error)

// SignRaw signs params as they are, as Signer.SignValues does, into the
// payload a browser posts: the upload URL of resourceType ("image",
// "video", "raw" or "auto"), and as fields every key of params with a
// value (several values of one key joined with ","), api_key, timestamp
// and signature. A timestamp in params is kept; without one, the Signer's
// clock stamps the payload. It returns an error wrapping
// uploadsign.ErrInvalidParam for another resource type, for the keys the
// payload sets itself or Cloudinary does not sign, for a timestamp given
// twice or not in decimal Unix seconds, and under signature version 1 for
// an "&" in a key or value. signer must be a *uploadsign.Signer.
var SignRaw func(signer any, resourceType string, params url.Values) (uploadURL string, fields map[string]string, timestamp int64, err error)

// ParamFields returns the upload parameters that the fields of
// uploadsign.Params model, each with its field's index (Extra, which
// holds the others, is not among them).
var ParamFields func() map[string]int
