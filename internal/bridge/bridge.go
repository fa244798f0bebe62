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
