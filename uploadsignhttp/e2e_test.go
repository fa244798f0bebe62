package uploadsignhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// TestEndToEnd runs the whole flow: the browser asks the handler for a
// payload, posts a real PNG with the payload's fields to the fake upload
// endpoint, and the backend verifies the upload result.
func TestEndToEnd(t *testing.T) {
	var mu sync.Mutex
	now := testTime
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	setClock := func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }

	fake := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(clock))
	defer fake.Close()

	backend := func(sets ...uploadsign.ParamSet) (*uploadsign.Signer, *httptest.Server) {
		s, err := uploadsign.New(cloud, key, secret, uploadsign.WithClock(clock),
			uploadsign.WithUploadURL(fake.URL), uploadsign.WithParamSets(sets...))
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.Handle("/uploads/signature", uploadsignhttp.NewHandler(s, userAuth))
		return s, httptest.NewServer(mux)
	}
	img := realPNG(t)

	askPayload := func(t *testing.T, srv *httptest.Server, version int) *uploadsign.Payload {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/uploads/signature",
			strings.NewReader(`{"param_set":"avatar","version":`+strconv.Itoa(version)+`}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-User", "42")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("payload request: %d", resp.StatusCode)
		}
		var p uploadsign.Payload
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
			t.Fatal(err)
		}
		return &p
	}

	onlyV1, oldBackend := backend(avatarV1)
	defer oldBackend.Close()
	signer, newBackend := backend(avatarV1, avatarV2)
	defer newBackend.Close()

	tests := []struct {
		name       string
		server     *httptest.Server
		signer     *uploadsign.Signer
		version    int
		tamper     func(fields map[string]string)
		uploadAt   time.Time
		wantStatus int
		wantMsg    string
	}{
		{name: "genuine", server: newBackend, signer: signer, version: 2, uploadAt: testTime.Add(10 * time.Second), wantStatus: 200},
		{name: "tampered field", server: newBackend, signer: signer, version: 2, uploadAt: testTime,
			tamper: func(f map[string]string) { f["folder"] = "someone_else" }, wantStatus: 401, wantMsg: "Invalid Signature"},
		{name: "added field", server: newBackend, signer: signer, version: 2, uploadAt: testTime,
			tamper: func(f map[string]string) { f["overwrite"] = "1" }, wantStatus: 401, wantMsg: "Invalid Signature"},
		{name: "expired", server: newBackend, signer: signer, version: 2, uploadAt: testTime.Add(time.Hour + time.Minute),
			wantStatus: 400, wantMsg: "Stale request"},
		{name: "wrong api key", server: newBackend, signer: signer, version: 2, uploadAt: testTime,
			tamper: func(f map[string]string) { f["api_key"] = "111111111111111" }, wantStatus: 401, wantMsg: "Unknown API key"},
		{name: "v1 client after v2 was added", server: newBackend, signer: signer, version: 1, uploadAt: testTime, wantStatus: 200},
		{name: "v1 client before v2", server: oldBackend, signer: onlyV1, version: 1, uploadAt: testTime, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setClock(testTime)
			p := askPayload(t, tt.server, tt.version)
			if p.Version != tt.version || !strings.HasPrefix(p.URL, fake.URL+"/v1_1/demo/image/upload") {
				t.Fatalf("payload %+v", p)
			}
			fields := p.Fields
			if tt.tamper != nil {
				fields = make(map[string]string)
				for k, v := range p.Fields {
					fields[k] = v
				}
				tt.tamper(fields)
			}
			setClock(tt.uploadAt)
			answer, err := uploadsigntest.Post(p.URL, fields, "avatar.png", img)
			if err != nil {
				t.Fatal(err)
			}
			if answer.Status != tt.wantStatus {
				t.Fatalf("upload answered %v, want %d", answer, tt.wantStatus)
			}
			if tt.wantStatus != 200 {
				if !strings.Contains(answer.Error, tt.wantMsg) {
					t.Errorf("message %q, want %q", answer.Error, tt.wantMsg)
				}
				return
			}
			r := answer.Result
			if err := tt.signer.VerifyUploadResult(r.PublicID, r.Version, r.Signature); err != nil {
				t.Errorf("VerifyUploadResult: %v", err)
			}
			if r.PublicID != "avatars/user_42" || r.Width != 40 {
				t.Errorf("answer %v", answer)
			}
			// What the browser might report back instead is refused.
			if err := tt.signer.VerifyUploadResult("avatars/someone_else", r.Version, r.Signature); err == nil {
				t.Error("a forged public_id verified")
			}
		})
	}
}

func realPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 40, 30))
	for y := 0; y < 30; y++ {
		for x := 0; x < 40; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 6), uint8(y * 8), 160, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestNotificationEndToEnd: an upload that signs a notification_url
// through the fake endpoint is followed by Cloudinary's notification,
// which NewNotificationHandler hands over with the upload's set, version
// and owner; a tampered copy is refused without reaching handle.
func TestNotificationEndToEnd(t *testing.T) {
	fake := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(func() time.Time { return testTime }))
	defer fake.Close()
	got := make(chan *uploadsign.Notification, 4)
	var webhook http.Handler // made once the set knows the hook's URL
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { webhook.ServeHTTP(w, r) }))
	defer hook.Close()

	set := uploadsign.ParamSet{Name: "hooked", Version: 1, Params: uploadsign.Params{Folder: "hooked", PublicID: "user_{owner}",
		NotificationURL: hook.URL + "/cloudinary"}}
	s := newSigner(t, uploadsign.WithUploadURL(fake.URL), uploadsign.WithParamSets(set))
	webhook = uploadsignhttp.NewNotificationHandler(s, func(_ *http.Request, n *uploadsign.Notification) error {
		got <- n
		return nil
	})
	p, err := s.Sign("hooked", 1, uploadsign.Request{Owner: "42"})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := uploadsigntest.Post(p.URL, p.Fields, "a.png", realPNG(t))
	if err != nil || answer.Status != 200 {
		t.Fatalf("upload: %v %v", answer, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	deliveries, err := fake.AwaitDeliveries(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	d := deliveries[0]
	if d.Status != 200 || d.URL != hook.URL+"/cloudinary" || d.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("delivery %+v", d)
	}
	n := <-got
	if n.Type != "upload" || n.Problem != nil || n.Upload == nil || n.Upload.Set != "hooked" || n.Upload.Owner != "42" ||
		n.Upload.Asset.PublicID != "hooked/user_42" || n.Upload.Details == nil || n.Upload.Details.Bytes != answer.Result.Bytes {
		t.Fatalf("notification %+v (problem %v), answer %v", n, n.Problem, answer)
	}

	// A tampered copy of the same delivery is refused.
	tampered := bytes.Replace(d.Body, []byte("user_42"), []byte("user_43"), 1)
	req, _ := http.NewRequest("POST", d.URL, bytes.NewReader(tampered))
	req.Header = d.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(got) != 0 {
		t.Errorf("tampered notification: %d, want 401 and handle not called", resp.StatusCode)
	}

	// NotificationRequest makes a notification for a handler's own tests.
	w := httptest.NewRecorder()
	hook.Config.Handler.ServeHTTP(w, fake.NotificationRequest("/cloudinary", []byte(`{"notification_type":"delete"}`)))
	if n := <-got; w.Code != 200 || n.Type != "delete" || n.Upload != nil || n.Problem != nil {
		t.Errorf("NotificationRequest: %d %s %+v", w.Code, w.Body, n)
	}
}
