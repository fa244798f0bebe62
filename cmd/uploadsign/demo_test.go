package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// startDemo serves the demo with the fake upload endpoint, as
// "uploadsign serve" does without CLOUDINARY_URL.
func startDemo(t *testing.T) (*demo, *httptest.Server) {
	t.Helper()
	d, err := newDemo(env{getenv: func(string) string { return "" }, now: time.Now}, credentials{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.handler())
	t.Cleanup(func() { srv.Close(); d.close() })
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

func postJSON(t *testing.T, url string, body any, out any) int {
	t.Helper()
	data, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(data))
	return decodeJSON(t, resp, err, out)
}

// decodeJSON decodes a JSON answer into out and returns its status.
func decodeJSON(t *testing.T, resp *http.Response, err error, out any) int {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// TestDemoFlow runs the page's three requests with Go's HTTP client.
func TestDemoFlow(t *testing.T) {
	d, srv := startDemo(t)

	var info map[string]any
	if status := getJSON(t, srv.URL+"/api/info", &info); status != 200 || info["mode"] != "fake" || info["demo_secret"] != d.secret {
		t.Fatalf("info: %d %v", status, info)
	}
	var payload struct {
		URL    string            `json:"url"`
		Fields map[string]string `json:"fields"`
	}
	if status := postJSON(t, srv.URL+"/api/signature", map[string]any{"param_set": "avatar", "version": 1}, &payload); status != 200 {
		t.Fatalf("signature: %d", status)
	}
	status, answer, err := uploadsigntest.Post(payload.URL, payload.Fields, "me.png", testPNG(t))
	if err != nil || status != 200 {
		t.Fatalf("upload: %d %v %v", status, answer, err)
	}
	secureURL := answer["secure_url"]
	answer["secure_url"] = "https://evil.example/not-your-avatar.png"
	var verified map[string]any
	if status := postJSON(t, srv.URL+"/api/uploaded", answer, &verified); status != 200 || verified["verified"] != true {
		t.Fatalf("uploaded: %d %v", status, verified)
	}
	// The URL the backend built is the fake's, which serves the image.
	if verified["url"] != secureURL {
		t.Errorf("verified URL %v, want the fake's %v", verified["url"], secureURL)
	}
	resp, err := http.Get(verified["url"].(string))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET of the verified URL: %v %v", resp, err)
	}
	resp.Body.Close()
	answer["public_id"] = "uploadsign-demo/someone_else"
	var refused map[string]any
	if status := postJSON(t, srv.URL+"/api/uploaded", answer, &refused); status != 400 || !strings.Contains(refused["error"].(string), "invalid signature") {
		t.Errorf("forged result: %d %v", status, refused)
	}
	// A tampered upload is refused, and the backend explains why.
	tampered := map[string]string{}
	for k, v := range payload.Fields {
		tampered[k] = v
	}
	tampered["folder"] = "elsewhere"
	status, answer, err = uploadsigntest.Post(payload.URL, tampered, "me.png", testPNG(t))
	if err != nil || status != 401 {
		t.Fatalf("tampered upload: %d %v %v", status, answer, err)
	}
	var diagnosis struct{ Causes []string }
	msg := answer["error"].(map[string]any)["message"]
	if status := postJSON(t, srv.URL+"/api/explain", map[string]any{"error": msg, "fields": payload.Fields}, &diagnosis); status != 200 ||
		len(diagnosis.Causes) == 0 || !strings.Contains(diagnosis.Causes[0], "folder differs") {
		t.Errorf("explain: %d %v", status, diagnosis)
	}
	if issued := d.issued(); len(issued) != 1 || !cmp.Equal(issued[0].Fields, payload.Fields) {
		t.Errorf("issued payloads %v", issued)
	}
}

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	resp, err := http.Get(url)
	return decodeJSON(t, resp, err, out)
}

// syncBuffer is a bytes.Buffer safe for a command's goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// TestServeStartsAndStops runs "uploadsign serve" and stops it as Ctrl-C
// does, by cancelling its context.
func TestServeStartsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run([]string{"serve", "--addr", "127.0.0.1:0"}, env{
			stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now, ctx: ctx,
		})
	}()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if out := stdout.String(); strings.Contains(out, "open http://") {
			addr = strings.Fields(strings.SplitAfter(out, "open ")[1])[0]
			break
		}
	}
	if addr == "" {
		t.Fatalf("serve printed no address: %q %q", stdout.String(), stderr.String())
	}
	resp, err := http.Get(addr)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: %d", addr, resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d, stderr %q", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "random demo secret") || !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("stderr %q", stderr.String())
	}
}
