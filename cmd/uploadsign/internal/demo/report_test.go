package demo

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// upload signs a payload for set and uploads a file with it through the
// demo's fake, returning the payload and Cloudinary's answer, decoded.
func upload(t *testing.T, base, set, filename string, file []byte) (payload, map[string]any) {
	t.Helper()
	var p payload
	if status := call(t, nil, "POST", base+"/api/signature", map[string]any{"param_set": set, "version": 1}, &p); status != 200 {
		t.Fatalf("signature: %d", status)
	}
	answer, err := uploadsigntest.Post(p.URL, p.Fields, filename, file)
	if err != nil || answer.Status != 200 {
		t.Fatalf("upload: %v %v", answer, err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(answer.Body, &decoded); err != nil {
		t.Fatal(err)
	}
	return p, decoded
}

// TestReportBack: the backend verifies the answer the page reports back
// (with the library's report handler) against the upload the page was
// signed for, and says what it refused and why, in words that cannot be
// taken for Cloudinary's refusal of an upload; a replaced secure_url is
// ignored, and said so.
func TestReportBack(t *testing.T) {
	_, srv := startDemo(t, Config{})
	p, answer := upload(t, srv.URL, "avatar", "me.png", testPNG(t))
	_, otherAnswer := upload(t, srv.URL, "avatar", "other.png", testPNG(t))
	for _, tt := range []struct {
		name    string
		p       payload
		change  func(answer map[string]any) map[string]any
		refused string // "" for verified
		status  int    // of a refusal
		words   []string
	}{
		{name: "genuine", p: p},
		{name: "secure_url replaced", p: p, change: func(a map[string]any) map[string]any {
			a["secure_url"] = "https://evil.example/not-yours.png"
			return a
		}, words: []string{"https://evil.example/not-yours.png"}},
		{name: "public_id changed", p: p, change: func(a map[string]any) map[string]any {
			a["public_id"] = "uploadsign-demo/someone_else"
			return a
		}, refused: "forged", status: 400, words: []string{"Cloudinary accepted the upload, but the backend refused Cloudinary's answer as the browser reported it", "changed after Cloudinary gave it"}},
		{name: "version changed", p: p, change: func(a map[string]any) map[string]any {
			a["version"] = a["version"].(float64) + 1
			return a
		}, refused: "forged", status: 400, words: []string{"did not come from Cloudinary"}},
		{name: "another upload's genuine answer", p: p, change: func(map[string]any) map[string]any { return maps.Clone(otherAnswer) },
			refused: "mismatch", status: 403, words: []string{"genuine answer from Cloudinary, but does not match what the backend signed", "upload_"}},
		{name: "resource type changed", p: p, change: func(a map[string]any) map[string]any {
			a["resource_type"] = "video"
			return a
		}, refused: "mismatch", status: 403, words: []string{"resource_type"}}, // genuine, but not the set's resource type
		{name: "an upload the backend never signed", p: payload{ParamSet: "avatar", Version: 1, Fields: map[string]string{"public_id": "upload_0000"}},
			refused: "unknown upload", status: 400, words: []string{"signed no upload"}},
		{name: "another set", p: payload{ParamSet: "video", Version: 1, Fields: p.Fields}, refused: "unknown upload", status: 400},
		{name: "a set the demo does not have", p: payload{ParamSet: "admin", Version: 1, Fields: p.Fields}, refused: "unknown set", status: 404,
			words: []string{"names a parameter set the backend does not have"}},
		// What the browser reports of the file is not signed: a report
		// over a limit is refused, one under it proves nothing (the
		// webhook reads what Cloudinary signed).
		{name: "a report of a file over the limit", p: p, change: func(a map[string]any) map[string]any {
			a["bytes"] = 2<<20 + 1
			return a
		}, refused: "over limit", status: 403, words: []string{"reports a file over the set's limits", "the webhook checks", "2097152"}},
		{name: "a report of an image too wide", p: p, change: func(a map[string]any) map[string]any {
			a["width"] = 2001
			return a
		}, refused: "over limit", status: 403, words: []string{"width 2001"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := maps.Clone(answer)
			if tt.change != nil {
				a = tt.change(a)
			}
			var got map[string]any
			status := reportBack(t, nil, srv.URL, tt.p, a, &got)
			text, _ := got["error"].(string)
			if tt.refused == "" {
				if status != 200 || got["verified"] != true || got["url"] != answer["secure_url"] {
					t.Fatalf("%d %v, want verified with the URL the backend built", status, got)
				}
				ignored, _ := got["reported_url_ignored"].(string)
				text = ignored
				if (ignored != "") != (len(tt.words) > 0) {
					t.Errorf("reported_url_ignored %q", ignored)
				}
			} else if status != tt.status || got["refused"] != tt.refused || got["report"] == nil {
				t.Fatalf("%d %v, want %d refused %q, with the report", status, got, tt.status, tt.refused)
			}
			for _, w := range tt.words {
				if !strings.Contains(text, w) {
					t.Errorf("the answer %q does not say %q", text, w)
				}
			}
			if strings.Contains(strings.ToLower(text), "invalid signature") {
				t.Errorf("the answer %q reads like Cloudinary's Invalid Signature", text)
			}
		})
	}
}

// TestReportRequests: the report route's answers to requests that are not
// a report of an upload the demo signed are the library's, or say that
// the backend signed no such upload.
func TestReportRequests(t *testing.T) {
	d, srv := startDemo(t, Config{})
	p, answer := upload(t, srv.URL, "avatar", "me.png", testPNG(t))
	for _, tt := range []struct {
		name, method, contentType, body, publicID string
		status                                    int
		refused, words                            string
	}{
		{"no header naming the upload", "POST", "application/json", `{"param_set": "avatar", "version": 1, "result": {}}`, "", 400, "unknown upload", "signed no upload"},
		{"not JSON", "POST", "application/json", `public_id=x`, p.Fields["public_id"], 400, "", `want a JSON body like {"param_set"`},
		{"the demo's former body", "POST", "application/json", `{"param_set": "avatar", "version": 1, "signed_public_id": "x", "result": {}}`, p.Fields["public_id"], 400, "", "unknown field"},
		{"not a result", "POST", "application/json", `{"param_set": "avatar", "version": 1, "result": []}`, p.Fields["public_id"], 400, "", "not Cloudinary's upload answer"},
		{"text", "POST", "text/plain", `{}`, p.Fields["public_id"], 415, "", "Content-Type: application/json"},
		{"GET", "GET", "", ``, p.Fields["public_id"], 405, "", "use POST"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+"/api/uploaded", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			req.Header.Set(SignedPublicIDHeader, tt.publicID)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			text, _ := got["error"].(string)
			if resp.StatusCode != tt.status || (got["refused"] != nil) != (tt.refused != "") || tt.refused != "" && got["refused"] != tt.refused || !strings.Contains(text, tt.words) {
				t.Errorf("%d %v, want %d refused %q saying %q", resp.StatusCode, got, tt.status, tt.refused, tt.words)
			}
		})
	}
	if len(d.Issued()) != 1 || answer["public_id"] == nil {
		t.Errorf("issued %d payloads", len(d.Issued()))
	}
}

// TestExplainRefusals: causes are looked for under refusals Explain does
// not read, from the payload's fields.
func TestExplainRefusals(t *testing.T) {
	_, srv := startDemo(t, Config{})
	fields := map[string]string{"api_key": FakeAPIKey, "folder": "uploadsign-demo", "signature": "0123", "timestamp": "1700000000"}
	for _, tt := range []struct {
		name, message string
		fields        map[string]string
		want          string // in the first cause; "" for none
		set           string // "" for avatar
	}{
		{"signature left out", "Upload preset must be specified when using unsigned upload", fields, "signature was signed but not posted", ""},
		{"no signature at all", "Upload preset must be specified when using unsigned upload", map[string]string{"folder": "x"}, "signature: the payload has none", ""},
		{"api_key left out", "Must supply api_key", fields, "api_key was signed but not posted", ""},
		{"stale", "Stale request - reported time is 2023-11-14 22:13:20 +0000 which is more than 1 hour ago", fields, "the payload expired at 23:13:20 UTC. Payloads of set avatar are accepted for 10 minutes", ""},
		{"stale, a set of Cloudinary's hour", "Stale request - reported time is 2023-11-14 22:13:20 +0000 which is more than 1 hour ago", fields,
			"the payload expired at 23:13:20 UTC, an hour after its timestamp (22:13:20 UTC). Ask the backend for a new payload", "video"},
		{"stale, a timestamp that is no number", "Stale request - reported time is 2023-11-14 22:13:20 +0000 which is more than 1 hour ago",
			map[string]string{"timestamp": "x"}, "the payload expired: Cloudinary accepts a payload for an hour after its timestamp", ""},
		{"not an image", "Invalid image file", fields, "the set avatar takes jpg, png, gif, webp files only", ""},
		{"unknown", "Something else", fields, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got struct{ Causes []string }
			status := call(t, nil, "POST", srv.URL+"/api/explain", map[string]any{"error": tt.message, "fields": tt.fields, "param_set": cmp.Or(tt.set, "avatar")}, &got)
			if status != 200 || got.Causes == nil {
				t.Fatalf("%d %v", status, got)
			}
			if tt.want == "" && len(got.Causes) > 0 || tt.want != "" && (len(got.Causes) == 0 || !strings.Contains(got.Causes[0], tt.want)) {
				t.Errorf("causes %q, want %q", got.Causes, tt.want)
			}
		})
	}
}
