package demo

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// explain says why the upload endpoint refused an upload: the page posts
// the endpoint's message, the fields it was given to post, and the set.
// It asks [uploadsign.Signer.Explain] first, for any refusal; for the
// refusals Explain does not read, it looks at what the demo knows itself
// (see refusalCauses). It answers {"causes": [...]}, empty when it knows
// none.
func (d *Demo) explain(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Error    string            `json:"error"`
		Fields   map[string]string `json:"fields"`
		ParamSet string            `json:"param_set"`
	}
	if !readJSON(w, r, &req, `{"error": "Cloudinary's message", "fields": {...}, "param_set": ...}`) {
		return
	}
	s, err := d.signerFor(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	signed := url.Values{}
	for k, v := range req.Fields {
		signed.Set(k, v)
	}
	diagnosis, err := s.Explain(req.Error, signed)
	switch {
	case errors.Is(err, uploadsign.ErrInvalidParam): // not an answer Explain reads
		writeJSON(w, http.StatusOK, map[string]any{"causes": refusalCauses(req.Error, req.Fields, req.ParamSet)})
	case err != nil:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"server_string": diagnosis.ServerString,
			"signed_string": diagnosis.SignedString, "causes": diagnosis.Causes})
	}
}

// leftOut holds Cloudinary's answers to an upload that lacks a field the
// payload has, by the start of the message, and the field.
var leftOut = []struct{ message, field string }{
	{"Upload preset must be specified when using unsigned upload", "signature"}, // no signature: Cloudinary takes it for an unsigned upload
	{"Must supply api_key", "api_key"},
	{"Missing required parameter - timestamp", "timestamp"},
}

// staleCause says why Cloudinary found the payload signed at timestamp
// for set stale: it expired, Cloudinary's hour after its timestamp, which
// for a set with a shorter ValidFor the backend dated back.
func staleCause(timestamp, set string) string {
	const again = " Ask the backend for a new payload: choose the file again, and the page asks for one."
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return "timestamp: the payload expired: Cloudinary accepts a payload for an hour after its timestamp." + again
	}
	expired := time.Unix(ts, 0).Add(cloudinary.UploadValidity).UTC().Format("15:04:05 MST")
	for _, s := range demoSets {
		if s.Name == set && s.ValidFor != 0 {
			return fmt.Sprintf("timestamp: the payload expired at %s. Payloads of set %s are accepted for %s: the backend dates "+
				"their timestamp back, so that Cloudinary's own hour after it ends within %s of signing, and Cloudinary then "+
				"refuses them in these words.", expired, s.Name, minutes(s.ValidFor), minutes(s.ValidFor)) + again
		}
	}
	return fmt.Sprintf("timestamp: the payload expired at %s, an hour after its timestamp (%s).", expired,
		time.Unix(ts, 0).UTC().Format("15:04:05 MST")) + again
}

// minutes writes a whole number of minutes as "10 minutes".
func minutes(d time.Duration) string {
	if d == time.Minute {
		return "1 minute"
	}
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}

// refusalCauses returns causes for refusals that Explain does not read:
// a field of the payload left out of the upload, an expired payload, a
// file the set does not take.
func refusalCauses(message string, fields map[string]string, set string) []string {
	for _, l := range leftOut {
		if !strings.HasPrefix(message, l.message) {
			continue
		}
		if fields[l.field] == "" {
			return []string{fmt.Sprintf("%s: the payload has none; the backend did not sign this upload.", l.field)}
		}
		cause := fmt.Sprintf("%s was signed but not posted: the browser left the payload's %s out; post every field of the payload, verbatim.", l.field, l.field)
		if l.field == "signature" {
			cause = "signature was signed but not posted: without it Cloudinary takes the upload for an unsigned one, which needs an upload preset; post every field of the payload, verbatim, signature included."
		}
		return []string{cause}
	}
	switch {
	case strings.HasPrefix(message, "Stale request"):
		return []string{staleCause(fields["timestamp"], set)}
	case strings.HasPrefix(message, "Invalid image file"), strings.HasPrefix(message, "Image file format"), strings.HasPrefix(message, "Video file format"):
		for _, s := range demoSets {
			if s.Name == set {
				return []string{fmt.Sprintf("file: the set %s takes %s files only, and Cloudinary read this file as none of them (whatever its name says).", s.Name, strings.Join(s.Params.AllowedFormats, ", "))}
			}
		}
	}
	return []string{}
}
