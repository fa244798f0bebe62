package uploadsigntest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

func TestDeliveries(t *testing.T) {
	_, srv, _ := startFake(t)
	statuses := make(chan int, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(<-statuses)
	}))
	defer receiver.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // nobody listens there any more

	sets := uploadsign.WithParamSets(
		uploadsign.ParamSet{Name: "ok", Version: 1, Params: uploadsign.Params{Folder: "ok", NotificationURL: receiver.URL + "/hook"}},
		uploadsign.ParamSet{Name: "gone", Version: 1, Params: uploadsign.Params{Folder: "gone", NotificationURL: gone.URL + "/hook"}},
		uploadsign.ParamSet{Name: "none", Version: 1, Params: uploadsign.Params{Folder: "none"}},
	)
	s, err := uploadsign.New(cloud, key, secret, uploadsign.WithUploadURL(srv.URL),
		uploadsign.WithClock(func() time.Time { return testTime }), sets)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, set := range []string{"none", "ok", "gone"} {
		if set == "ok" {
			statuses <- http.StatusServiceUnavailable
		}
		p := sign(t, s, set, uploadsign.Params{})
		answer, err := uploadsigntest.Post(p.URL, p.Fields, "a.png", pngImage(t, 2, 2))
		if err != nil || answer.Status != 200 {
			t.Fatalf("%s: %v %v", set, answer, err)
		}
		if set == "none" {
			if d := srv.Deliveries(); len(d) != 0 {
				t.Fatalf("an upload without notification_url was notified: %+v", d)
			}
			continue
		}
		d, err := srv.AwaitDeliveries(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		last := d[len(d)-1]
		switch set {
		case "ok":
			if last.Status != http.StatusServiceUnavailable || last.Err != nil {
				t.Errorf("delivery to a failing receiver: %+v", last)
			}
		case "gone":
			if last.Status != 0 || last.Err == nil || !strings.HasSuffix(last.URL, "/hook") {
				t.Errorf("delivery to nobody: %+v", last)
			}
		}
		if last.Header.Get("X-Cld-Signature") == "" || last.Header.Get("X-Cld-Timestamp") != "1700000000" {
			t.Errorf("headers %v", last.Header)
		}
	}
	// Waiting for more than will come ends with the context.
	short, cancelShort := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancelShort()
	if d, err := srv.AwaitDeliveries(short, 3); err == nil || len(d) != 2 {
		t.Errorf("AwaitDeliveries beyond what was sent: %d, %v", len(d), err)
	}
}

// TestMount serves the fake under a path of another server, as the demo
// does: uploads, answers and the uploaded bytes all under that address.
func TestMount(t *testing.T) {
	_, srv, _ := startFake(t)
	mux := http.NewServeMux()
	mux.Handle("/fake/", srv.Mount("/fake/"))
	app := httptest.NewServer(mux)
	defer app.Close()
	s, err := uploadsign.New(cloud, key, secret, uploadsign.WithUploadURL(app.URL+"/fake"),
		uploadsign.WithDeliveryURL(app.URL+"/fake/"+cloud), uploadsign.WithClock(func() time.Time { return testTime }),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{PublicID: "a b/{owner}"}}))
	if err != nil {
		t.Fatal(err)
	}
	p := sign(t, s, "avatar", uploadsign.Params{PublicID: "ü"})
	answer, err := uploadsigntest.Post(p.URL, p.Fields, "a.png", pngImage(t, 3, 2))
	if err != nil || answer.Status != 200 {
		t.Fatalf("upload: %v %v", answer, err)
	}
	upload, err := s.VerifyUploadOf("avatar", 1, uploadsign.Request{Owner: "ü"}, answer.Result)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(answer.SecureURL, app.URL+"/fake/"+cloud+"/image/upload/") {
		t.Errorf("secure_url %v is not under the app's address", answer.SecureURL)
	}
	for _, u := range []string{answer.SecureURL, upload.Asset.URL} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
			t.Errorf("GET %s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// TestNotificationsStayOnThisMachine: a fake served on a public address
// cannot be made to post notifications to other hosts.
func TestNotificationsStayOnThisMachine(t *testing.T) {
	_, srv, _ := startFake(t)
	s, err := uploadsign.New(cloud, key, secret, uploadsign.WithUploadURL(srv.URL), uploadsign.WithClock(func() time.Time { return testTime }),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "away", Version: 1, Params: uploadsign.Params{NotificationURL: "http://169.254.169.254/latest"}}))
	if err != nil {
		t.Fatal(err)
	}
	p := sign(t, s, "away", uploadsign.Params{})
	if answer, err := uploadsigntest.Post(p.URL, p.Fields, "a.png", pngImage(t, 2, 2)); err != nil || answer.Status != 200 {
		t.Fatalf("upload: %v %v", answer, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := srv.AwaitDeliveries(ctx, 1)
	if err != nil || d[0].Status != 0 || d[0].Err == nil || !strings.Contains(d[0].Err.Error(), "only to this machine") {
		t.Errorf("delivery %+v, %v: want it refused", d, err)
	}
}

// TestMountAfterClose: a mounted fake answers 503 once closed.
func TestMountAfterClose(t *testing.T) {
	srv := uploadsigntest.NewServer(cloud, key, secret)
	h := srv.Mount("/fake")
	srv.Close()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/fake/v1_1/demo/image/upload", strings.NewReader("")))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", w.Code)
	}
}

// TestNotificationsFollowNoRedirect: a receiver's redirect is its answer;
// the fake does not follow it (elsewhere it could lead off this machine).
func TestNotificationsFollowNoRedirect(t *testing.T) {
	_, srv, _ := startFake(t)
	hits := make(chan string, 1)
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits <- r.URL.Path }))
	defer elsewhere.Close()
	receiver := httptest.NewServer(http.RedirectHandler(elsewhere.URL+"/followed", http.StatusTemporaryRedirect))
	defer receiver.Close()

	fields := signFields(map[string]string{"notification_url": receiver.URL + "/hook"})
	if answer, err := uploadsigntest.Post(uploadURL(srv, "image"), fields, "a.png", pngImage(t, 2, 2)); err != nil || answer.Status != 200 {
		t.Fatalf("upload: %v %v", answer, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := srv.AwaitDeliveries(ctx, 1)
	if err != nil || d[0].Status != http.StatusTemporaryRedirect || d[0].Err != nil {
		t.Fatalf("delivery answered %d (%v, %v), want the receiver's 307", d[0].Status, d[0].Err, err)
	}
	select {
	case path := <-hits:
		t.Errorf("the redirect was followed to %s", path)
	default:
	}
}

// TestUploadNotificationFields: an upload notification carries the fields
// of Cloudinary's (as captured from the service: notification_type,
// timestamp written +00:00, request_id, the upload's fields, access_mode,
// api_key, notification_context and signature_key) and not the answer's
// signature, which Cloudinary's do not carry; a video's carries its size
// and duration. It goes to the upload's notification_url, else to the
// account's.
func TestUploadNotificationFields(t *testing.T) {
	hooks := receiver(t)
	srv := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(func() time.Time { return testTime }),
		uploadsigntest.WithNotificationURL(hooks.URL+"/account"))
	defer srv.Close()
	video := uploadsigntest.VideoFile(640, 360, 2.5, 3000)
	for i, tt := range []struct {
		resourceType string
		fields       map[string]string
		file         []byte
		url          string
		want         map[string]any
	}{
		{"image", map[string]string{"public_id": "p", "tags": "a,b"}, pngImage(t, 3, 2), "/account",
			map[string]any{"public_id": "p", "width": 3.0, "height": 2.0, "tags": []any{"a", "b"}, "resource_type": "image"}},
		{"video", map[string]string{"notification_url": hooks.URL + "/own"}, video, "/own",
			map[string]any{"width": 640.0, "height": 360.0, "duration": 2.5, "format": "mp4", "bytes": float64(len(video))}},
	} {
		answer, err := uploadsigntest.Post(uploadURL(srv, tt.resourceType), signFields(tt.fields), "f", tt.file)
		if err != nil || answer.Status != 200 {
			t.Fatalf("upload: %v %v", answer, err)
		}
		d := awaitDeliveries(t, srv, i+1)[i]
		var note map[string]any
		if err := json.Unmarshal(d.Body, &note); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(d.URL, tt.url) {
			t.Errorf("%s: notified at %s, want %s", tt.resourceType, d.URL, tt.url)
		}
		for _, k := range []string{"notification_type", "timestamp", "request_id", "asset_id", "public_id", "version", "version_id",
			"format", "resource_type", "created_at", "tags", "bytes", "type", "etag", "placeholder", "url", "secure_url",
			"access_mode", "original_filename", "api_key", "notification_context", "signature_key"} {
			if _, ok := note[k]; !ok {
				t.Errorf("%s: the notification has no %s: %s", tt.resourceType, k, d.Body)
			}
		}
		if _, ok := note["signature"]; ok {
			t.Errorf("%s: the notification carries the answer's signature: %s", tt.resourceType, d.Body)
		}
		ctx := map[string]any{"triggered_at": "2023-11-14T22:13:20+00:00", "triggered_by": map[string]any{"source": "api", "id": key}}
		if note["notification_type"] != "upload" || note["timestamp"] != "2023-11-14T22:13:20+00:00" || note["signature_key"] != key ||
			!cmp.Equal(ctx, note["notification_context"]) {
			t.Errorf("%s: notification %s", tt.resourceType, d.Body)
		}
		got := map[string]any{}
		for k := range tt.want {
			got[k] = note[k]
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: notification (-want +got):\n%s", tt.resourceType, diff)
		}
		if tt.resourceType == "video" && (answer.Result.Width != 640 || answer.Result.Height != 360 || decoded(t, answer)["duration"] != 2.5) {
			t.Errorf("the video's answer: %s", answer.Body)
		}
	}
}

// TestWithNotificationURLRefuses: NewServer panics, naming the option, on
// a notification URL that is not an absolute http one.
func TestWithNotificationURLRefuses(t *testing.T) {
	for _, u := range []string{"", "/hook", "ftp://localhost/hook", "http://", "http://[::1"} {
		func() {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, "WithNotificationURL") {
					t.Errorf("NewServer with WithNotificationURL(%q): panic %q", u, msg)
				}
			}()
			uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithNotificationURL(u)).Close()
		}()
	}
}
