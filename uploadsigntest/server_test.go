package uploadsigntest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/bridge"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

const (
	cloud  = "demo"
	key    = "123456789012345"
	secret = "test-secret-for-the-fake"
)

var testTime = time.Unix(1700000000, 0)

// pngImage encodes a w×h PNG.
func pngImage(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{200, 40, 40, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// clock is a settable clock, safe for the server's goroutines.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// ---- pinned to the official SDK: every golden case is accepted ----

type goldenFile struct {
	APIKey    string          `json:"api_key"`
	APISecret string          `json:"api_secret"`
	Cases     json.RawMessage `json:"cases"`
}

func readGolden(t testing.TB, name string, cases any) goldenFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(g.Cases))
	dec.UseNumber()
	if err := dec.Decode(cases); err != nil {
		t.Fatal(err)
	}
	return g
}

// signedCase is a set of form fields signed by the Node SDK.
type signedCase struct {
	name   string
	fields map[string]string
}

func goldenUploads(t *testing.T) (secret string, cases []signedCase) {
	var typed []struct {
		Name   string            `json:"name"`
		Fields map[string]string `json:"fields"`
	}
	g := readGolden(t, "upload_params.json", &typed)
	for _, c := range typed {
		cases = append(cases, signedCase{"upload_params/" + c.Name, c.Fields})
	}

	var raw []struct {
		Name      string         `json:"name"`
		Params    map[string]any `json:"params"`
		Signature string         `json:"signature"`
	}
	g2 := readGolden(t, "sign.json", &raw)
	if g2.APISecret != g.APISecret || g2.APIKey != g.APIKey {
		t.Fatal("golden files disagree on the credentials")
	}
	for _, c := range raw {
		fields := map[string]string{"api_key": g.APIKey, "signature": c.Signature}
		for k, v := range c.Params {
			switch v := v.(type) {
			case nil:
			case string:
				fields[k] = v
			case json.Number:
				fields[k] = v.String()
			case []any:
				var parts []string
				for _, p := range v {
					parts = append(parts, p.(string))
				}
				fields[k] = strings.Join(parts, ",")
			}
		}
		if fields["timestamp"] == "" {
			continue // the endpoint requires a timestamp
		}
		cases = append(cases, signedCase{"sign/" + c.Name, fields})
	}
	return g.APISecret, cases
}

func TestServerAcceptsEveryGoldenCase(t *testing.T) {
	sdkSecret, cases := goldenUploads(t)
	var c clock
	srv := uploadsigntest.NewServer(cloud, key, sdkSecret, uploadsigntest.WithClock(c.Now))
	defer srv.Close()
	img := pngImage(t, 8, 6)
	uploadURL := srv.URL + "/v1_1/" + cloud + "/auto/upload"
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := strconv.ParseInt(tc.fields["timestamp"], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			c.Set(time.Unix(ts, 0).Add(time.Minute))
			answer, err := uploadsigntest.Post(uploadURL, tc.fields, "avatar.png", img)
			if strings.HasSuffix(tc.name, "/v1") && hasAmpersand(tc.fields) {
				// Version 1 is accepted only without "&", where it cannot
				// be read as two parameters.
				if answer.Status != http.StatusUnauthorized {
					t.Errorf("version 1 with \"&\": answered %v, want 401", answer)
				}
				return
			}
			if err != nil || answer.Status != http.StatusOK {
				t.Fatalf("signed by the SDK, answered %v (%v)", answer, err)
			}
			// Each field changed, and a field added, is refused.
			for k, v := range tc.fields {
				changed := copyFields(tc.fields)
				changed[k] = v + "x"
				if k == "signature" {
					changed[k] = flip(v)
				}
				if answer, _ := uploadsigntest.Post(uploadURL, changed, "avatar.png", img); answer.Status != http.StatusUnauthorized {
					t.Errorf("%s changed: answered %v, want 401", k, answer)
				}
			}
			added := copyFields(tc.fields)
			added["unsigned_extra"] = "1"
			if answer, _ := uploadsigntest.Post(uploadURL, added, "avatar.png", img); answer.Status != http.StatusUnauthorized {
				t.Errorf("unsigned field added: answered %d, want 401", answer.Status)
			}
		})
	}
}

func hasAmpersand(fields map[string]string) bool {
	for k, v := range fields {
		if k != "signature" && strings.ContainsRune(k+v, '&') {
			return true
		}
	}
	return false
}

func copyFields(f map[string]string) map[string]string {
	out := make(map[string]string, len(f))
	for k, v := range f {
		out[k] = v
	}
	return out
}

func flip(sig string) string {
	if strings.HasSuffix(sig, "0") {
		return sig[:len(sig)-1] + "1"
	}
	return sig[:len(sig)-1] + "0"
}

// ---- behaviour ----

func newSigner(t *testing.T, srv *uploadsigntest.Server, now func() time.Time, opts ...uploadsign.Option) *uploadsign.Signer {
	t.Helper()
	s, err := uploadsign.New(cloud, key, secret, append([]uploadsign.Option{
		uploadsign.WithUploadURL(srv.URL),
		uploadsign.WithClock(now),
		uploadsign.WithParamSets(
			// Named by the owner, which sign takes from a public_id.
			uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{
				Folder: "avatars", PublicID: "{owner}", Tags: []string{"avatar"}, Context: map[string]string{"alt": "a=b|c"},
			}},
			uploadsign.ParamSet{Name: "doc", Version: 1, ResourceType: "raw", Params: uploadsign.Params{PublicID: "{owner}"}},
			// Named by Cloudinary.
			uploadsign.ParamSet{Name: "photo", Version: 1, Params: uploadsign.Params{
				Folder: "photos", Tags: []string{"avatar"}, Context: map[string]string{"alt": "a=b|c"},
			}},
			uploadsign.ParamSet{Name: "file", Version: 1, ResourceType: "raw", Params: uploadsign.Params{Folder: "files"}},
		),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// startFake starts a fake endpoint on the test clock, and a Signer for it.
func startFake(t *testing.T) (*clock, *uploadsigntest.Server, *uploadsign.Signer) {
	t.Helper()
	c := &clock{now: testTime}
	srv := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(c.Now))
	t.Cleanup(srv.Close)
	return c, srv, newSigner(t, srv, c.Now)
}

// sign signs a payload of set for req; a public_id in req is given as
// the request's owner, for the sets named by it.
func sign(t *testing.T, s *uploadsign.Signer, set string, req uploadsign.Params) *uploadsign.Payload {
	t.Helper()
	owner := req.PublicID
	req.PublicID = ""
	p, err := s.Sign(set, 1, uploadsign.Request{Owner: owner, Params: req})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestServerUploadResponse(t *testing.T) {
	_, srv, s := startFake(t)
	p := sign(t, s, "avatar", uploadsign.Params{PublicID: "user_42"})
	img := pngImage(t, 64, 48)
	answer, err := uploadsigntest.Post(p.URL, p.Fields, "me.png", img)
	if err != nil || answer.Status != http.StatusOK {
		t.Fatalf("answered %v (%v)", answer, err)
	}
	wantURL := fmt.Sprintf("%s/demo/image/upload/v1700000000/avatars/user_42.png", srv.URL)
	want := map[string]any{
		"public_id": "avatars/user_42", "version": 1700000000.0, "format": "png",
		"resource_type": "image", "type": "upload", "width": 64.0, "height": 48.0,
		"bytes": float64(len(img)), "tags": []any{"avatar"},
		"context":           map[string]any{"custom": map[string]any{"alt": "a=b|c"}},
		"url":               wantURL,
		"secure_url":        wantURL,
		"created_at":        "2023-11-14T22:13:20Z",
		"original_filename": "me", "api_key": key, "placeholder": false, "asset_folder": "avatars",
	}
	got, all := map[string]any{}, decoded(t, answer)
	for k := range want {
		got[k] = all[k]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	for _, k := range []string{"asset_id", "version_id", "etag", "signature"} {
		if s, _ := all[k].(string); s == "" {
			t.Errorf("response has no %s", k)
		}
	}
	if err := s.VerifyUploadResult(answer.Result.PublicID, answer.Result.Version, answer.Result.Signature); err != nil {
		t.Errorf("VerifyUploadResult: %v", err)
	}
	// The server serves what was uploaded at url.
	resp, err := http.Get(wantURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(body, img) || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("GET url: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	ups := srv.Uploads()
	if len(ups) != 1 || !cmp.Equal(ups[0].Fields, p.Fields) || ups[0].Status != 200 || ups[0].Filename != "me.png" ||
		!bytes.Equal(ups[0].File, img) || ups[0].Size != int64(len(img)) || ups[0].Path != "" || ups[0].Chunks != 0 || ups[0].UploadID != "" {
		t.Errorf("Uploads() = %+v", ups)
	}
	if got := readAll(t, ups[0]); !bytes.Equal(got, img) {
		t.Errorf("Open read %d bytes, not the file", len(got))
	}
}

func TestServerVerifiesWithSHA256(t *testing.T) {
	c := &clock{now: testTime}
	srv := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(c.Now), uploadsigntest.WithSHA256Only())
	defer srv.Close()
	img := pngImage(t, 4, 4)

	sha1Signer := newSigner(t, srv, c.Now)
	p := sign(t, sha1Signer, "photo", uploadsign.Params{})
	if answer, _ := uploadsigntest.Post(p.URL, p.Fields, "a.png", img); answer.Status != http.StatusUnauthorized {
		t.Errorf("SHA-1 on a SHA-256-only account: %v, want 401", answer)
	}

	sha256Signer := newSigner(t, srv, c.Now, uploadsign.WithAlgorithm(uploadsign.SHA256))
	if len(p.Fields["signature"]) != 40 {
		t.Fatal("want a SHA-1 payload first")
	}
	p = sign(t, sha256Signer, "photo", uploadsign.Params{})
	answer, _ := uploadsigntest.Post(p.URL, p.Fields, "a.png", img)
	if answer.Status != http.StatusOK {
		t.Fatalf("SHA-256: %v", answer)
	}
	if err := sha256Signer.VerifyUploadResult(answer.Result.PublicID, answer.Result.Version, answer.Result.Signature); err != nil {
		t.Errorf("the response signature is not SHA-256: %v", err)
	}
}

func TestServerRefusals(t *testing.T) {
	c, _, s := startFake(t)
	img := pngImage(t, 4, 4)
	good := sign(t, s, "photo", uploadsign.Params{})
	with := func(change func(f map[string]string)) map[string]string {
		f := copyFields(good.Fields)
		change(f)
		return f
	}
	tests := []struct {
		name      string
		url       string
		fields    map[string]string
		file      []byte
		now       time.Time
		status    int
		wantInMsg string
	}{
		{"missing file", good.URL, good.Fields, nil, testTime, 400, "Missing required parameter - file"},
		{"empty file", good.URL, good.Fields, []byte{}, testTime, 400, "Empty file"},
		{"stale", good.URL, good.Fields, img, testTime.Add(time.Hour + time.Second), 400,
			"Stale request - reported time is 2023-11-14 22:13:20 +0000 which is more than 1 hour ago"},
		{"just in time", good.URL, good.Fields, img, testTime.Add(time.Hour), 200, ""},
		{"wrong api key", good.URL, with(func(f map[string]string) { f["api_key"] = "999" }), img, testTime, 401, "Unknown API key 999"},
		{"no api key", good.URL, with(func(f map[string]string) { delete(f, "api_key") }), img, testTime, 401, "Must supply api_key"},
		{"no signature", good.URL, with(func(f map[string]string) { delete(f, "signature") }), img, testTime, 400, "Upload preset must be specified when using unsigned upload"},
		{"no timestamp", good.URL, with(func(f map[string]string) { delete(f, "timestamp") }), img, testTime, 400, "Missing required parameter - timestamp"},
		{"tampered folder", good.URL, with(func(f map[string]string) { f["folder"] = "other" }), img, testTime, 401,
			"String to sign - 'context=alt=a\\=b\\|c&folder=other&tags=avatar&timestamp=1700000000'."},
		{"not an image", good.URL, good.Fields, []byte("plain text"), testTime, 400, "Invalid image file"},
		{"other cloud", strings.Replace(good.URL, "/demo/", "/other/", 1), good.Fields, img, testTime, 401, "Invalid cloud_name other"},
		{"blank fields are ignored", good.URL, with(func(f map[string]string) { f["public_id"] = "" }), img, testTime, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Set(tt.now)
			answer, err := uploadsigntest.Post(tt.url, tt.fields, "a.png", tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if answer.Status != tt.status {
				t.Fatalf("answer.Status %v, want %d", answer, tt.status)
			}
			if tt.wantInMsg != "" {
				msg := fmt.Sprint(answer.Error)
				if !strings.Contains(msg, tt.wantInMsg) {
					t.Errorf("message %q does not contain %q", msg, tt.wantInMsg)
				}
			}
		})
	}
}

func TestServerInvalidSignatureHeader(t *testing.T) {
	c := &clock{now: testTime}
	srv := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(c.Now))
	defer srv.Close()
	form := url.Values{"api_key": {key}, "timestamp": {"1700000000"}, "signature": {"00"}, "file": {"data:image/png;base64," + base64.StdEncoding.EncodeToString(pngImage(t, 2, 2))}}
	resp, err := http.PostForm(srv.URL+"/v1_1/demo/image/upload", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	want := "Invalid Signature 00. String to sign - 'timestamp=1700000000'."
	if resp.StatusCode != 401 || resp.Header.Get("X-Cld-Error") != want {
		t.Errorf("%d X-Cld-Error %q, want 401 %q", resp.StatusCode, resp.Header.Get("X-Cld-Error"), want)
	}
	var body struct{ Error struct{ Message string } }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error.Message != want {
		t.Errorf("body message %q (%v), want %q", body.Error.Message, err, want)
	}
}

func TestServerURLEncodedDataURI(t *testing.T) {
	_, _, s := startFake(t)
	p := sign(t, s, "avatar", uploadsign.Params{PublicID: "x"})
	form := url.Values{"file": {"data:image/png;base64," + base64.StdEncoding.EncodeToString(pngImage(t, 3, 2))}}
	for k, v := range p.Fields {
		form.Set(k, v)
	}
	resp, err := http.PostForm(p.URL, form)
	if err != nil {
		t.Fatal(err)
	}
	if answer := readAnswer(t, resp); answer.Status != 200 || answer.Result.Width != 3 || answer.Result.Height != 2 {
		t.Errorf("%v", answer)
	}
}

func TestServerOverwriteFalseKeepsExisting(t *testing.T) {
	c, _, s := startFake(t)
	first := pngImage(t, 10, 10)
	p := sign(t, s, "avatar", uploadsign.Params{PublicID: "u1", Overwrite: uploadsign.Bool(false)})
	a1, _ := uploadsigntest.Post(p.URL, p.Fields, "a.png", first)
	c.Set(testTime.Add(time.Minute))
	p = sign(t, s, "avatar", uploadsign.Params{PublicID: "u1", Overwrite: uploadsign.Bool(false)})
	a2, _ := uploadsigntest.Post(p.URL, p.Fields, "b.png", pngImage(t, 20, 20))
	if a2.Status != 200 || !a2.Result.Existing || a2.Result.Version != a1.Result.Version || a2.Result.Width != 10.0 {
		t.Errorf("second upload with overwrite=false: %v", a2)
	}
	// With overwrite (the default) the asset is replaced by a new version.
	p = sign(t, s, "avatar", uploadsign.Params{PublicID: "u1"})
	a3, _ := uploadsigntest.Post(p.URL, p.Fields, "c.png", pngImage(t, 30, 30))
	if a3.Result.Existing || a3.Result.Width != 30.0 || a3.Result.Version == a1.Result.Version {
		t.Errorf("overwrite: %v", a3)
	}
}

func TestServerFailNextAndDropNext(t *testing.T) {
	_, srv, s := startFake(t)
	p := sign(t, s, "photo", uploadsign.Params{})
	img := pngImage(t, 2, 2)

	srv.FailNext(http.StatusServiceUnavailable, "try later")
	srv.DropNext()
	answer, _ := uploadsigntest.Post(p.URL, p.Fields, "a.png", img)
	if answer.Status != 503 || answer.Error != "try later" {
		t.Errorf("FailNext: %v", answer)
	}
	if _, err := uploadsigntest.Post(p.URL, p.Fields, "a.png", img); err == nil {
		t.Error("DropNext: the request succeeded")
	}
	if answer, _ := uploadsigntest.Post(p.URL, p.Fields, "a.png", img); answer.Status != 200 {
		t.Errorf("after the failures: %d", answer.Status)
	}
	var statuses []int
	for _, u := range srv.Uploads() {
		statuses = append(statuses, u.Status)
	}
	if diff := cmp.Diff([]int{503, 0, 200}, statuses); diff != "" {
		t.Errorf("recorded statuses (-want +got):\n%s", diff)
	}
}

func TestServerImageSizes(t *testing.T) {
	_, _, s := startFake(t)
	img := image.NewRGBA(image.Rect(0, 0, 7, 5))
	var jpg, gf bytes.Buffer
	if err := jpeg.Encode(&jpg, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gf, img, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		data          []byte
		format        string
		width, height int
	}{
		{"png", pngImage(t, 7, 5), "png", 7, 5},
		{"jpeg", jpg.Bytes(), "jpg", 7, 5},
		{"gif", gf.Bytes(), "gif", 7, 5},
		{"webp lossy", webpVP8(300, 200), "webp", 300, 200},
		{"webp lossless", webpVP8L(300, 200), "webp", 300, 200},
		{"webp extended", webpVP8X(300, 200), "webp", 300, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sign(t, s, "photo", uploadsign.Params{})
			a, _ := uploadsigntest.Post(p.URL, p.Fields, "f."+tt.format, tt.data)
			if a.Status != 200 || a.Result.Format != tt.format || a.Result.Width != tt.width || a.Result.Height != tt.height {
				t.Errorf("%d %v %v×%v, want %s %v×%v", a.Status, a.Result.Format, a.Result.Width, a.Result.Height, tt.format, tt.width, tt.height)
			}
		})
	}
	// A raw upload keeps its extension in the public_id and has no size.
	p := sign(t, s, "doc", uploadsign.Params{PublicID: "report.pdf"})
	a, _ := uploadsigntest.Post(p.URL, p.Fields, "report.pdf", []byte("%PDF-1.4"))
	if a.Status != 200 || a.Result.PublicID != "report.pdf" || a.Result.ResourceType != "raw" || a.Result.Width != 0 {
		t.Errorf("raw: %v", a)
	}
}

// WebP headers, written from the format's specification.
func webpHeader(chunk string, payload []byte) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WEBP" + chunk + "\x00\x00\x00\x00")
	return append(b, payload...)
}

func webpVP8(w, h int) []byte {
	return webpHeader("VP8 ", []byte{0, 0, 0, 0x9d, 0x01, 0x2a, byte(w), byte(w >> 8), byte(h), byte(h >> 8), 0, 0})
}

func webpVP8L(w, h int) []byte {
	bits := uint32(w-1) | uint32(h-1)<<14
	return webpHeader("VP8L", []byte{0x2f, byte(bits), byte(bits >> 8), byte(bits >> 16), byte(bits >> 24), 0, 0, 0, 0, 0})
}

func webpVP8X(w, h int) []byte {
	w, h = w-1, h-1
	return webpHeader("VP8X", []byte{0, 0, 0, 0, byte(w), byte(w >> 8), byte(w >> 16), byte(h), byte(h >> 8), byte(h >> 16)})
}

func TestServerDoesNotPrintSecret(t *testing.T) {
	srv := uploadsigntest.NewServer(cloud, key, secret)
	defer srv.Close()
	for _, out := range []string{fmt.Sprint(srv), fmt.Sprintf("%v", srv), srv.String()} {
		if strings.Contains(out, secret) {
			t.Errorf("%s shows the secret", out)
		}
	}
}

// TestServerAnswersWithAccountAlgorithm: a default account signs its
// upload responses with SHA-1 whatever algorithm the upload used, so a
// SHA-256 Signer cannot verify them, as with Cloudinary.
func TestServerAnswersWithAccountAlgorithm(t *testing.T) {
	c := &clock{now: testTime}
	srv := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(c.Now))
	defer srv.Close()
	s := newSigner(t, srv, c.Now, uploadsign.WithAlgorithm(uploadsign.SHA256))
	p := sign(t, s, "photo", uploadsign.Params{})
	answer, _ := uploadsigntest.Post(p.URL, p.Fields, "a.png", pngImage(t, 2, 2))
	if sig := answer.Result.Signature; answer.Status != 200 || len(sig) != 40 {
		t.Fatalf("%d, response signature %q: want a SHA-1 one", answer.Status, sig)
	}
}

func TestServerEscapesURLs(t *testing.T) {
	_, _, s := startFake(t)
	img := pngImage(t, 3, 3)
	// The library refuses such a name; the raw primitive signs it, as a
	// client of Cloudinary's could.
	uploadURL, fields, _, err := bridge.SignRaw(s, "image", url.Values{"public_id": {"a b%zz?q#f"}})
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := uploadsigntest.Post(uploadURL, fields, "a.png", img)
	if answer.Status != 200 {
		t.Fatalf("%v", answer)
	}
	resp, err := http.Get(answer.SecureURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(body, img) {
		t.Errorf("GET %s: %d", answer.SecureURL, resp.StatusCode)
	}
}

func TestServerFailNextRefusesNonErrorStatus(t *testing.T) {
	srv := uploadsigntest.NewServer(cloud, key, secret)
	defer srv.Close()
	defer func() {
		if recover() == nil {
			t.Error("FailNext(200) did not panic")
		}
	}()
	srv.FailNext(200, "ok")
}

// TestSingleUseReplay replays a single-use payload: the second upload
// creates nothing and answers with the first asset.
func TestSingleUseReplay(t *testing.T) {
	c := &clock{now: testTime}
	srv := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(c.Now))
	defer srv.Close()
	s, err := uploadsign.New(cloud, key, secret, uploadsign.WithUploadURL(srv.URL), uploadsign.WithClock(c.Now),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "receipt", Version: 1, SingleUse: true,
			Params: uploadsign.Params{Folder: "receipts"}}))
	if err != nil {
		t.Fatal(err)
	}
	p := sign(t, s, "receipt", uploadsign.Params{})
	first, _ := uploadsigntest.Post(p.URL, p.Fields, "a.png", pngImage(t, 10, 10))
	if first.Status != 200 || first.Result.Existing {
		t.Fatalf("first use: %v", first)
	}
	c.Set(testTime.Add(30 * time.Minute))
	replay, _ := uploadsigntest.Post(p.URL, p.Fields, "b.png", pngImage(t, 20, 20))
	if replay.Status != 200 || !replay.Result.Existing || replay.Result.Version != first.Result.Version || replay.Result.Width != 10.0 {
		t.Errorf("replay: %v, want the first asset, existing", replay)
	}
	// A second payload of the set is a second, distinct asset.
	p2 := sign(t, s, "receipt", uploadsign.Params{})
	second, _ := uploadsigntest.Post(p2.URL, p2.Fields, "c.png", pngImage(t, 30, 30))
	if second.Result.PublicID == first.Result.PublicID || second.Result.Existing {
		t.Errorf("second payload: %v", second)
	}
}

// TestServerRawHasNoFormat: as Cloudinary's, the answer for a raw file has
// no format; its extension is in the public_id, and the signed result
// verifies into a URL that serves the file.
func TestServerRawHasNoFormat(t *testing.T) {
	_, _, s := startFake(t)
	p := sign(t, s, "doc", uploadsign.Params{PublicID: "notes.txt"})
	answer, err := uploadsigntest.Post(p.URL, p.Fields, "notes.txt", []byte("hello"))
	if err != nil || answer.Status != 200 {
		t.Fatalf("upload: %v %v", answer, err)
	}
	if _, ok := decoded(t, answer)["format"]; ok || answer.Result.PublicID != "notes.txt" || answer.Result.ResourceType != "raw" {
		t.Errorf("answer %v", answer)
	}
	upload, err := s.VerifyUploadOf("doc", 1, uploadsign.Request{Owner: "notes.txt"}, answer.Result)
	if err != nil {
		t.Fatal(err)
	}
	if upload.Asset.URL != "https://res.cloudinary.com/demo/raw/upload/v1700000000/notes.txt" {
		t.Errorf("URL %s", upload.Asset.URL)
	}
}
