package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/uploadsign/uploadsign"
)

// report is what the page sends back after an upload: the set and version
// it asked for, the public_id the payload signed (which the demo's
// authorize bound; a real backend knows it from the user's session), and
// Cloudinary's answer as the browser got it.
type report struct {
	ParamSet       string          `json:"param_set"`
	Version        int             `json:"version"`
	SignedPublicID string          `json:"signed_public_id"`
	Result         json.RawMessage `json:"result"`
}

const reportShape = `{"param_set": ..., "version": ..., "signed_public_id": ..., "result": {Cloudinary's answer}}`

// uploaded verifies the upload result the browser reports back, as a real
// backend must before it stores anything, and answers the URL it built
// from what Cloudinary signed: the one URL the page shows. A refusal
// answers 400 with "refused" saying why, in words that tell it from a
// refusal by Cloudinary.
func (d *Demo) uploaded(w http.ResponseWriter, r *http.Request) {
	var rep report
	if !readJSON(w, r, &rep, reportShape) {
		return
	}
	var result uploadsign.UploadResult
	var reported struct {
		SecureURL string `json:"secure_url"`
	}
	if json.Unmarshal(rep.Result, &result) != nil || json.Unmarshal(rep.Result, &reported) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "want " + reportShape + ", with Cloudinary's answer as a JSON object"})
		return
	}
	if !d.issued(rep) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"refused": "unknown upload", "report": rep.Result, "error": fmt.Sprintf(
			"Not stored. The backend signed no upload with set %q version %d and public_id %.60q (it remembers the last %d).", rep.ParamSet, rep.Version, rep.SignedPublicID, maxIssued)})
		return
	}
	s, err := d.signerFor(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	upload, err := s.VerifyUploadOf(rep.ParamSet, rep.Version, bound(rep.SignedPublicID), result)
	if err != nil {
		kind, why := refusal(err)
		// The report as the backend got it, which the page shows beside
		// the answer it got from Cloudinary.
		writeJSON(w, http.StatusBadRequest, map[string]any{"refused": kind, "error": why, "report": rep.Result})
		return
	}
	// A real backend stores asset.URL for the user here, never a URL from
	// the report.
	asset := upload.Asset
	out := map[string]any{"verified": true, "public_id": asset.PublicID, "version": asset.Version,
		"resource_type": asset.ResourceType, "url": asset.URL, "param_set": rep.ParamSet, "set_version": rep.Version}
	if reported.SecureURL != "" && reported.SecureURL != asset.URL {
		out["reported_url_ignored"] = reported.SecureURL
	}
	writeJSON(w, http.StatusOK, out)
}

// issued reports whether the demo signed the upload a report names.
func (d *Demo) issued(rep report) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.payloads {
		if p.ParamSet == rep.ParamSet && p.Version == rep.Version && p.Fields["public_id"] == rep.SignedPublicID {
			return true
		}
	}
	return false
}

// refusals word the backend's refusal of a reported result by its cause,
// most specific first. None of them is Cloudinary's refusal of an upload:
// Cloudinary accepted it, and the backend refuses the answer as the
// browser reported it.
var refusals = []struct {
	err    error
	kind   string
	words  string
	detail bool // the library's error names the field: add it
}{
	{uploadsign.ErrInvalidSignature, "forged",
		"its signature is not Cloudinary's for this public_id and version, so the answer was changed after Cloudinary gave it, or did not come from Cloudinary", false},
	{uploadsign.ErrUploadMismatch, "mismatch",
		"it is a genuine answer from Cloudinary, but does not match what the backend signed for this page", true},
	{uploadsign.ErrUnknownParamSet, "unknown set", "it names a parameter set the backend does not have", true},
	{uploadsign.ErrInvalidParam, "malformed", "it is not an answer the backend can build a URL from", true},
}

// refusal returns the kind of a verification error and a sentence for the
// page that says what happened and why.
func refusal(err error) (kind, sentence string) {
	kind, why, detail := "refused", "it did not pass the backend's checks", true
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			kind, why, detail = r.kind, r.words, r.detail
			break
		}
	}
	sentence = "Not stored. Cloudinary accepted the upload, but the backend refused Cloudinary's answer as the browser reported it: " + why
	if detail {
		sentence += " (" + strings.TrimPrefix(err.Error(), "uploadsign: ") + ")"
	}
	return kind, sentence + "."
}
