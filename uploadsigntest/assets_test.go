package uploadsigntest_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/uploadsign/uploadsign"
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
			answer, err := uploadsigntest.Post(uploadURL(srv, tt.resourceType), signFields(nil), tt.filename, tt.file)
			if err != nil || answer.Status != http.StatusOK {
				t.Fatalf("upload: %v (%v)", answer, err)
			}
			resp, err := http.Get(answer.SecureURL)
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

// TestPublicIDComposition: the fake composes a public_id from the folder
// or dynamic folder mode's prefixes as Cloudinary does, and the library's
// VerifyUploadOf accepts what it composed for the request that signed it.
func TestPublicIDComposition(t *testing.T) {
	c := &clock{now: testTime}
	srv := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(c.Now))
	t.Cleanup(srv.Close)
	tests := []struct {
		name   string
		params uploadsign.Params
		want   string
	}{
		{"folder", uploadsign.Params{Folder: "a/b", PublicID: "x"}, "a/b/x"},
		{"public_id_prefix", uploadsign.Params{PublicIDPrefix: "tenant_1", PublicID: "x"}, "tenant_1/x"},
		{"asset folder as prefix", uploadsign.Params{AssetFolder: "af", UseAssetFolderAsPublicIDPrefix: uploadsign.Bool(true), PublicID: "x"}, "af/x"},
		{"asset folder alone", uploadsign.Params{AssetFolder: "af", PublicID: "x"}, "x"},
		{"none", uploadsign.Params{PublicID: "x"}, "x"},
	}
	for _, tt := range tests {
		s, err := uploadsign.New(cloud, key, secret, uploadsign.WithUploadURL(srv.URL), uploadsign.WithClock(c.Now),
			uploadsign.WithParamSets(uploadsign.ParamSet{Name: "any", Version: 1, Params: tt.params}))
		if err != nil {
			t.Fatal(err)
		}
		p := sign(t, s, "any", uploadsign.Params{})
		answer, err := uploadsigntest.Post(p.URL, p.Fields, "a.png", pngImage(t, 2, 2))
		if err != nil || answer.Status != 200 {
			t.Fatalf("%s: upload: %v %v", tt.name, answer, err)
		}
		if answer.Result.PublicID != tt.want {
			t.Errorf("%s: public_id %v, want %s", tt.name, answer.Result.PublicID, tt.want)
		}
		r := uploadsign.UploadResult{PublicID: answer.Result.PublicID, Version: answer.Result.Version,
			Signature: answer.Result.Signature, ResourceType: "image", Type: "upload", Format: "png"}
		if _, err := s.VerifyUploadOf("any", 1, uploadsign.Request{}, r); err != nil {
			t.Errorf("%s: VerifyUploadOf: %v", tt.name, err)
		}
	}
}
