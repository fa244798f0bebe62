package uploadsigntest_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// TestServedAssetsAreNotPages: what the fake serves carries nosniff and
// the content type of the format read from the file; a raw upload, an
// HTML page included, is served as application/octet-stream and as an
// attachment, never as a page of the fake's origin.
func TestServedAssetsAreNotPages(t *testing.T) {
	_, srv, _ := startFake(t)
	page := []byte("<!doctype html><script>fetch('/steal')</script>")
	tests := []struct {
		name, resourceType, filename string
		file                         []byte
		contentType, disposition     string
	}{
		{"html as raw", "raw", "page.html", page, "application/octet-stream", "attachment"},
		{"html as auto", "auto", "page.html", page, "application/octet-stream", "attachment"},
		{"svg as raw", "raw", "icon.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "application/octet-stream", "attachment"},
		{"png named html", "image", "page.html", pngImage(t, 2, 2), "image/png", ""},
		{"webm", "video", "clip.html", uploadsigntest.EBMLFile("webm", 1000), "video/webm", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, answer, err := uploadsigntest.Post(uploadURL(srv, tt.resourceType), signFields(nil), tt.filename, tt.file)
			if err != nil || status != http.StatusOK {
				t.Fatalf("upload: %d %v (%v)", status, answer, err)
			}
			resp, err := http.Get(answer["secure_url"].(string))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			h := resp.Header
			if resp.StatusCode != 200 || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Type") != tt.contentType ||
				h.Get("Content-Disposition") != tt.disposition {
				t.Errorf("GET: %d, X-Content-Type-Options %q, Content-Type %q, Content-Disposition %q; want 200, nosniff, %q, %q",
					resp.StatusCode, h.Get("X-Content-Type-Options"), h.Get("Content-Type"), h.Get("Content-Disposition"), tt.contentType, tt.disposition)
			}
		})
	}
}
