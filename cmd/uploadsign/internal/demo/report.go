package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
)

// SignedPublicIDHeader names the upload a report is about: the public_id
// its payload signed, which the page got from the backend. It stands in
// for the session a real backend's authorize hook reads: the demo gives
// every upload an owner of its own, and the report route finds that owner
// from it.
const SignedPublicIDHeader = "X-Signed-Public-Id"

// uploaded is the route the page reports an upload back to: the library's
// uploadsignhttp.NewReportHandler, whose body is {"param_set": ...,
// "version": ..., "result": {Cloudinary's answer}}, with an authorize hook
// that binds the owner of the upload SignedPublicIDHeader names, if the
// demo signed it. Around it the demo says more than the library's answer
// does, for the page: a verified upload is answered with "verified" and
// the URL the backend built, and a report the backend refused with
// "refused" (its kind), "error" (a sentence that tells it from a refusal by
// Cloudinary) and "report" (the result as the backend got it). Other
// answers (a malformed body, say) are the library's.
func (d *Demo) uploaded(w http.ResponseWriter, r *http.Request) {
	s, err := d.signerFor(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	publicID := r.Header.Get(SignedPublicIDHeader)
	var saved *uploadsign.Upload
	unknown := false
	authorize := func(r *http.Request) (uploadsign.Request, error) {
		cs, _ := uploadsignhttp.ClientSetFrom(r)
		if !d.issued(cs, publicID) {
			unknown = true
			return uploadsign.Request{}, &uploadsignhttp.StatusError{Code: http.StatusBadRequest, Message: fmt.Sprintf(
				"Not stored. The backend signed no upload with set %q version %d and public_id %.60q (it remembers the last %d).",
				cs.ParamSet, cs.Version, publicID, maxIssued)}
		}
		return bound(publicID), nil
	}
	save := func(_ *http.Request, u *uploadsign.Upload) error {
		saved = u // a real backend stores u.Asset.URL for u.Owner here
		return nil
	}
	// Read what the report handler reads (no more), to show the page the
	// report as the backend got it.
	body, err := io.ReadAll(io.LimitReader(r.Body, uploadsignhttp.MaxReportBytes+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "reading the report: " + err.Error()})
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var answer recorded
	uploadsignhttp.NewReportHandler(s, authorize, save, uploadsignhttp.Sets(avatarSet.Name, videoSet.Name)).ServeHTTP(&answer, r)

	var rep struct {
		Result json.RawMessage `json:"result"`
	}
	_ = json.Unmarshal(body, &rep) // the library read it first
	var libraryError struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(answer.body.Bytes(), &libraryError)
	kind, sentence := refusal(libraryError.Error)
	switch {
	case saved != nil:
		writeJSON(w, http.StatusOK, verifiedAnswer(saved, rep.Result))
	case unknown:
		writeJSON(w, answer.status, map[string]any{"refused": "unknown upload", "report": rep.Result, "error": libraryError.Error})
	case kind != "":
		writeJSON(w, answer.status, map[string]any{"refused": kind, "error": sentence, "report": rep.Result})
	default:
		answer.replay(w)
	}
}

// bound is what the demo's authorize bound for the upload whose payload
// signed publicID: its owner. The report-back checks the result against
// it.
func bound(publicID string) uploadsign.Request {
	return uploadsign.Request{Owner: strings.TrimPrefix(publicID, "upload_")}
}

// verifiedAnswer is the page's answer for an upload the backend verified:
// the URL the Signer built, never the one the browser reported (which it
// names when it differs).
func verifiedAnswer(u *uploadsign.Upload, result json.RawMessage) map[string]any {
	a := u.Asset
	out := map[string]any{"verified": true, "public_id": a.PublicID, "version": a.Version,
		"resource_type": a.ResourceType, "url": a.URL, "param_set": u.Set, "set_version": u.Version}
	var reported struct {
		SecureURL string `json:"secure_url"`
	}
	if json.Unmarshal(result, &reported) == nil && reported.SecureURL != "" && reported.SecureURL != a.URL {
		out["reported_url_ignored"] = reported.SecureURL
	}
	return out
}

// issued reports whether the demo signed an upload of the set with the
// public_id.
func (d *Demo) issued(cs uploadsignhttp.ClientSet, publicID string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.payloads {
		if p.ParamSet == cs.ParamSet && p.Version == cs.Version && p.Fields["public_id"] == publicID {
			return true
		}
	}
	return false
}

// refusals word the backend's refusal of a reported result by its cause,
// the sentinel error the library's answer starts with. None of them is
// Cloudinary's refusal of an upload: Cloudinary accepted it, and the
// backend refuses the answer as the browser reported it.
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
	{uploadsign.ErrLimitExceeded, "over limit",
		"it reports a file over the set's limits (a report cannot prove a file within them: the webhook checks what Cloudinary signed)", true},
	{uploadsign.ErrUnknownParamSet, "unknown set", "it names a parameter set the backend does not have", true},
	{uploadsign.ErrMalformedResult, "malformed", "it is not an answer the backend can build a URL from", true},
}

// refusal returns the kind of the library's refusal of a report, read
// from the start of its message, and a sentence for the page that says
// what happened and why; "" for an answer that is no such refusal.
func refusal(message string) (kind, sentence string) {
	for _, r := range refusals {
		if !strings.HasPrefix(message, strings.TrimPrefix(r.err.Error(), "uploadsign: ")) {
			continue
		}
		sentence = "Not stored. Cloudinary accepted the upload, but the backend refused Cloudinary's answer as the browser reported it: " + r.words
		if r.detail {
			sentence += " (" + message + ")"
		}
		return r.kind, sentence + "."
	}
	return "", ""
}

// recorded is an answer of the library's handler, held until the demo
// chooses what to answer.
type recorded struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *recorded) Header() http.Header {
	if a.header == nil {
		a.header = http.Header{}
	}
	return a.header
}

func (a *recorded) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *recorded) Write(p []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(p)
}

// replay writes the answer to w.
func (a *recorded) replay(w http.ResponseWriter) {
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body.Bytes())
}
