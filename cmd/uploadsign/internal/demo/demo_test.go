package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// startDemo serves the demo for cfg, with the fake upload endpoint unless
// cfg names an account.
func startDemo(t *testing.T, cfg Config) (*Demo, *httptest.Server) {
	t.Helper()
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(func() { srv.Close(); d.Close() })
	return d, srv
}

func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 48, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 48; x++ {
			img.Set(x, y, color.NRGBA{uint8(5 * x), 90, uint8(7 * y), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testBytes returns n bytes that do not repeat, the same in every run.
func testBytes(n int) []byte {
	b := make([]byte, n)
	x := uint64(1)
	for i := range b {
		x = x*6364136223846793005 + 1442695040888963407 // Knuth's MMIX generator
		b[i] = byte(x >> 56)
	}
	return b
}

type payload struct {
	URL      string            `json:"url"`
	Fields   map[string]string `json:"fields"`
	ParamSet string            `json:"param_set"`
	Version  int               `json:"version"`
}

// reportBack reports result, Cloudinary's JSON answer (an Answer's Body,
// or a map for a changed one), to the demo with c, as the page does for
// the payload p, and decodes the demo's answer into out.
func reportBack(t *testing.T, c *http.Client, base string, p payload, result any, out any) int {
	t.Helper()
	return callWith(t, c, "POST", base+"/api/uploaded", map[string]any{"param_set": p.ParamSet, "version": p.Version, "result": result},
		out, SignedPublicIDHeader, p.Fields["public_id"])
}

// info is what /api/info answers.
type info struct {
	Mode       string    `json:"mode"`
	Sets       []setInfo `json:"sets"`
	DemoSecret string    `json:"demo_secret"`
	Limits     limits    `json:"limits"`
	Signs      bool      `json:"signs"`

	APIKey        string `json:"api_key"`
	CloudinaryURL string `json:"cloudinary_url"`
	WebhookURL    string `json:"webhook_url"`
}

// call sends a request with c (http.DefaultClient if nil) and decodes the
// JSON answer into out.
func call(t *testing.T, c *http.Client, method, url string, body any, out any) int {
	t.Helper()
	return callWith(t, c, method, url, body, out)
}

// callWith is call with headers, given as name, value, ...
func callWith(t *testing.T, c *http.Client, method, url string, body any, out any, headers ...string) int {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp.StatusCode
}

// TestFlow runs the page's requests with Go's HTTP client.
func TestFlow(t *testing.T) {
	d, srv := startDemo(t, Config{})

	var info info
	if status := call(t, nil, "GET", srv.URL+"/api/info", nil, &info); status != 200 || info.Mode != "fake" || info.DemoSecret != d.FakeSecret() || !info.Signs {
		t.Fatalf("info: %d %+v", status, info)
	}
	if !strings.HasPrefix(info.WebhookURL, "http://127.0.0.1:") || !strings.HasSuffix(info.WebhookURL, "/api/webhook") ||
		!strings.Contains(d.Describe(srv.URL), "notifies the demo's webhook at "+info.WebhookURL) {
		t.Errorf("info's webhook_url %q, Describe %q; want the webhook the fake notifies, on loopback", info.WebhookURL, d.Describe(srv.URL))
	}
	wantSets := []setInfo{
		{Name: "avatar", Version: 1, ResourceType: "image", UploadURL: srv.URL + "/fake/v1_1/uploadsign-demo/image/upload", AllowedFormats: []string{"jpg", "png", "gif", "webp"},
			Limits: uploadsign.Limits{MaxBytes: 2 << 20, MaxWidth: 2000, MaxHeight: 2000}, ValidFor: 600},
		{Name: "video", Version: 1, ResourceType: "video", UploadURL: srv.URL + "/fake/v1_1/uploadsign-demo/video/upload", AllowedFormats: []string{"mp4", "mov", "webm"},
			Limits: uploadsign.Limits{MaxBytes: 50 << 20, MaxDuration: time.Minute}, ValidFor: 3600},
	}
	if diff := cmp.Diff(wantSets, info.Sets); diff != "" {
		t.Errorf("info's sets (-want +got):\n%s", diff)
	}
	// Cloudinary's limits and the SDKs' chunk size, with the fake too.
	if want := (limits{MaxRequestBytes: 100 << 20, MinChunkBytes: 5 << 20, ChunkBytes: 20_000_000}); info.Limits != want {
		t.Errorf("limits %+v, want %+v", info.Limits, want)
	}
	var p payload
	if status := call(t, nil, "POST", srv.URL+"/api/signature", map[string]any{"param_set": "avatar", "version": 1}, &p); status != 200 {
		t.Fatalf("signature: %d", status)
	}
	if !strings.HasPrefix(p.URL, srv.URL+"/fake/") {
		t.Errorf("payload URL %q is not under the demo's /fake/", p.URL)
	}
	answer, err := uploadsigntest.Post(p.URL, p.Fields, "me.png", testPNG(t))
	if err != nil || answer.Status != 200 {
		t.Fatalf("upload: %v %v", answer, err)
	}
	secureURL := answer.SecureURL
	var verified map[string]any
	if status := reportBack(t, nil, srv.URL, p, json.RawMessage(answer.Body), &verified); status != 200 || verified["verified"] != true || verified["resource_type"] != "image" ||
		verified["param_set"] != "avatar" || verified["set_version"] != 1.0 || verified["reported_url_ignored"] != nil {
		t.Fatalf("uploaded: %d %v", status, verified)
	}
	// The CLOUDINARY_URL the page shows for the command line signs for the
	// fake at the demo's address, and verifies its answers.
	cli, err := uploadsign.FromURL(info.CloudinaryURL)
	if err != nil || info.APIKey != FakeAPIKey || cli.APIKey() != FakeAPIKey || cli.UploadURL("image") != wantSets[0].UploadURL {
		t.Errorf("info's CLOUDINARY_URL %q, API key %q: %v", info.CloudinaryURL, info.APIKey, err)
	} else if err := cli.VerifyUploadResult(verified["public_id"].(string), int64(verified["version"].(float64)), answer.Result.Signature); err != nil {
		t.Errorf("the CLOUDINARY_URL info shows does not verify the upload: %v", err)
	}
	// The URL the backend built is the fake's, under the demo's address,
	// and the fake serves the image there.
	if verified["url"] != secureURL || !strings.HasPrefix(verified["url"].(string), srv.URL+"/fake/uploadsign-demo/image/upload/") {
		t.Errorf("verified URL %v, want the fake's %v", verified["url"], secureURL)
	}
	if got := get(t, nil, verified["url"].(string)); !bytes.Equal(got, testPNG(t)) {
		t.Errorf("GET of the verified URL: %d bytes, want the PNG", len(got))
	}
	// A tampered upload is refused, and the backend explains why.
	tampered := map[string]string{}
	for k, v := range p.Fields {
		tampered[k] = v
	}
	tampered["folder"] = "elsewhere"
	answer, err = uploadsigntest.Post(p.URL, tampered, "me.png", testPNG(t))
	if err != nil || answer.Status != 401 {
		t.Fatalf("tampered upload: %v %v", answer, err)
	}
	var diagnosis struct{ Causes []string }
	if status := call(t, nil, "POST", srv.URL+"/api/explain", map[string]any{"error": answer.Error, "fields": p.Fields}, &diagnosis); status != 200 ||
		len(diagnosis.Causes) == 0 || !strings.Contains(diagnosis.Causes[0], "folder differs") {
		t.Errorf("explain: %d %v", status, diagnosis)
	}
	if issued := d.Issued(); len(issued) != 1 || !cmp.Equal(issued[0].Fields, p.Fields) {
		t.Errorf("issued payloads %v", issued)
	}
}

func get(t *testing.T, c *http.Client, url string) []byte {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return body
}

// TestChunkedVideo sends a video in chunks through the demo's endpoints,
// as the page does with a file larger than one chunk.
func TestChunkedVideo(t *testing.T) {
	const chunk = 64 << 10
	d, srv := startDemo(t, Config{ChunkBytes: chunk, MinChunkBytes: chunk})
	var info info
	call(t, nil, "GET", srv.URL+"/api/info", nil, &info)
	if want := (limits{MaxRequestBytes: 100 << 20, MinChunkBytes: chunk, ChunkBytes: chunk}); info.Limits != want {
		t.Errorf("limits %+v, want %+v", info.Limits, want)
	}
	var p payload
	if status := call(t, nil, "POST", srv.URL+"/api/signature", map[string]any{"param_set": "video", "version": 1}, &p); status != 200 {
		t.Fatalf("signature: %d", status)
	}
	if want := srv.URL + "/fake/v1_1/uploadsign-demo/video/upload"; p.URL != want {
		t.Errorf("payload URL %q, want %q", p.URL, want)
	}
	clip := mp4Clip(3*chunk + 1000)
	answer, err := uploadsigntest.PostChunked(p.URL, p.Fields, "clip.mp4", bytes.NewReader(clip), int64(len(clip)), chunk)
	if err != nil || answer.Status != 200 {
		t.Fatalf("chunked upload: %v %v", answer, err)
	}
	var verified map[string]any
	if status := reportBack(t, nil, srv.URL, p, json.RawMessage(answer.Body), &verified); status != 200 || verified["resource_type"] != "video" {
		t.Fatalf("uploaded: %d %v", status, verified)
	}
	uploads := d.Fake().Uploads()
	if len(uploads) != 1 || uploads[0].Chunks != 4 || !bytes.Equal(uploads[0].File, clip) || !cmp.Equal(uploads[0].Fields, p.Fields) {
		t.Fatalf("the fake recorded %d uploads, want one of 4 chunks with the clip's bytes and the payload's fields", len(uploads))
	}
	if got := get(t, nil, verified["url"].(string)); !bytes.Equal(got, clip) {
		t.Errorf("the verified URL serves %d bytes, want the clip's %d", len(got), len(clip))
	}
}

// TestHostDerivedURLs reaches the demo at another address than the one it
// listens on, as through a forwarded port: the payload's upload URL and
// the verified URL use that address, which works as one port for all.
func TestHostDerivedURLs(t *testing.T) {
	d, srv := startDemo(t, Config{Exposed: true})
	const host = "demo.example:8443"
	// A client that takes every address to the demo's listener, as a
	// forwarded port does.
	listener := srv.Listener.Addr().String()
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, listener)
	}}}
	t.Cleanup(c.CloseIdleConnections)

	var info info
	call(t, c, "GET", "http://"+host+"/api/info", nil, &info)
	if want := "http://" + host + "/fake/v1_1/uploadsign-demo/video/upload"; len(info.Sets) != 2 || info.Sets[1].UploadURL != want {
		t.Errorf("info's sets %+v, want the video set's upload URL %q", info.Sets, want)
	}
	var p payload
	if status := call(t, c, "POST", "http://"+host+"/api/signature", map[string]any{"param_set": "avatar", "version": 1}, &p); status != 200 {
		t.Fatalf("signature: %d", status)
	}
	if want := "http://" + host + "/fake/v1_1/uploadsign-demo/image/upload"; p.URL != want {
		t.Fatalf("payload URL %q, want %q", p.URL, want)
	}
	var answer map[string]any
	if status := postFile(t, c, p.URL, p.Fields, "me.png", testPNG(t), &answer); status != 200 {
		t.Fatalf("upload: %d %v", status, answer)
	}
	var verified map[string]any
	if status := reportBack(t, c, "http://"+host, p, answer, &verified); status != 200 {
		t.Fatalf("uploaded: %d %v", status, verified)
	}
	u, _ := verified["url"].(string)
	if !strings.HasPrefix(u, "http://"+host+"/fake/uploadsign-demo/image/upload/v") || u != answer["secure_url"] {
		t.Errorf("verified URL %q, want the fake's %v under %s", u, answer["secure_url"], host)
	}
	if got := get(t, c, u); !bytes.Equal(got, testPNG(t)) {
		t.Errorf("GET of the verified URL: %d bytes, want the PNG", len(got))
	}
	if n := len(d.Fake().Uploads()); n != 1 {
		t.Errorf("%d uploads, want 1", n)
	}

	// A Host that is not host[:port] gets no payload.
	req, _ := http.NewRequest("POST", srv.URL+"/api/signature", strings.NewReader(`{"param_set": "avatar", "version": 1}`))
	req.Header.Set("Content-Type", "application/json")
	req.Host = "demo.example/elsewhere"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("a Host with a path: %d, want 400", resp.StatusCode)
	}
}

// postFile posts fields and a file as multipart/form-data with c, as a
// browser does with a payload.
func postFile(t *testing.T, c *http.Client, url string, fields map[string]string, filename string, file []byte, out any) int {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	w, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(file)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// TestAccount signs for a real account: uploads go to Cloudinary, no fake
// is served, and no secret is shown.
func TestAccount(t *testing.T) {
	var gotOpts int
	d, srv := startDemo(t, Config{NewSigner: func(opts ...uploadsign.Option) (*uploadsign.Signer, error) {
		gotOpts = len(opts)
		return uploadsign.FromURL("cloudinary://123456789012345:abcd@demo", opts...)
	}})
	if gotOpts == 0 {
		t.Error("NewSigner got no options: the demo's parameter sets are missing")
	}
	for _, want := range []string{"https://api.cloudinary.com/v1_1/demo/video/upload (set video)", "Cloudinary cannot notify the demo's webhook, http://localhost:8080/api/webhook"} {
		if got := d.Describe("http://localhost:8080"); !strings.Contains(got, want) {
			t.Errorf("Describe says %q, want it to say %s", got, want)
		}
	}
	var info info
	call(t, nil, "GET", srv.URL+"/api/info", nil, &info)
	if info.Mode != "cloudinary" || len(info.Sets) != 2 || info.Sets[0].UploadURL != "https://api.cloudinary.com/v1_1/demo/image/upload" ||
		info.Sets[1].UploadURL != "https://api.cloudinary.com/v1_1/demo/video/upload" || info.DemoSecret != "" || !info.Signs {
		t.Errorf("info %+v", info)
	}
	var p payload
	if status := call(t, nil, "POST", srv.URL+"/api/signature", map[string]any{"param_set": "video", "version": 1}, &p); status != 200 ||
		p.URL != "https://api.cloudinary.com/v1_1/demo/video/upload" {
		t.Errorf("signature: %d %q", status, p.URL)
	}
	resp, err := http.Get(srv.URL + "/fake/v1_1/demo/image/upload")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET /fake/... with an account: %d, want 404", resp.StatusCode)
	}
}

func TestConfigRefused(t *testing.T) {
	account := func(opts ...uploadsign.Option) (*uploadsign.Signer, error) {
		return uploadsign.FromURL("cloudinary://123456789012345:abcd@demo", opts...)
	}
	for _, tt := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"chunk below Cloudinary's minimum", Config{ChunkBytes: 1 << 20}, "outside the limits"},
		{"chunk below the fake's minimum", Config{ChunkBytes: 1000, MinChunkBytes: 2000}, "outside the limits"},
		{"chunk above one request", Config{ChunkBytes: 200 << 20}, "outside the limits"},
		{"minimum chunk with an account", Config{NewSigner: account, ChunkBytes: 1000, MinChunkBytes: 1000}, "fake endpoint's"},
		{"negative minimum", Config{MinChunkBytes: -1}, "negative"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := New(tt.cfg)
			if err == nil {
				d.Close()
				t.Fatal("New accepted the config")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
		})
	}
}

// TestFakeMiddleware sees the page's uploads before the fake does.
func TestFakeMiddleware(t *testing.T) {
	seen := make(chan string, 1)
	_, srv := startDemo(t, Config{Now: time.Now, FakeMiddleware: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				seen <- r.URL.Path
			}
			h.ServeHTTP(w, r)
		})
	}})
	var p payload
	call(t, nil, "POST", srv.URL+"/api/signature", map[string]any{"param_set": "avatar", "version": 1}, &p)
	if answer, err := uploadsigntest.Post(p.URL, p.Fields, "me.png", testPNG(t)); err != nil || answer.Status != 200 {
		t.Fatalf("upload: %v %v", answer, err)
	}
	select { // the middleware ran before the fake answered
	case got := <-seen:
		if got != "/fake/v1_1/uploadsign-demo/image/upload" {
			t.Errorf("the middleware saw %q", got)
		}
	default:
		t.Error("the middleware saw no upload")
	}
}

// mp4Clip is an n-byte MP4 file of 320×240 pixels and ten seconds: the
// fake reads an upload's format and sizes from its bytes, and the demo's
// webhook destroys a video whose duration Cloudinary does not give.
func mp4Clip(n int) []byte {
	head := mp4Of(320, 240, 10*time.Second)
	head = head[:len(head)-8-64] // without its mdat
	return append(head, isoBox("mdat", testBytes(n-len(head)-8))...)
}
