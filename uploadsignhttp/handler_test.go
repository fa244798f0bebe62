package uploadsignhttp_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
)

const (
	cloud  = "demo"
	key    = "123456789012345"
	secret = "handler-test-secret"
)

var testTime = time.Unix(1700000000, 0)

var avatarV1 = uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{
	Folder: "avatars", PublicID: "user_{owner}", Tags: []string{"avatar"}, Context: map[string]string{"app": "web"},
}}
var avatarV2 = uploadsign.ParamSet{Name: "avatar", Version: 2, Params: uploadsign.Params{
	Folder: "avatars", PublicID: "user_{owner}", Tags: []string{"avatar", "v2"}, Overwrite: uploadsign.Bool(false),
}}

func newSigner(t *testing.T, opts ...uploadsign.Option) *uploadsign.Signer {
	t.Helper()
	s, err := uploadsign.New(cloud, key, secret, append([]uploadsign.Option{
		uploadsign.WithClock(func() time.Time { return testTime }),
		uploadsign.WithParamSets(avatarV1, avatarV2),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// userAuth lets user 42 upload as its owner; anyone else is refused.
func userAuth(r *http.Request) (uploadsign.Request, error) {
	switch r.Header.Get("X-User") {
	case "42":
		return uploadsign.Request{Owner: "42"}, nil
	case "banned":
		return uploadsign.Request{}, uploadsignhttp.Forbidden("this account may not upload")
	case "":
		return uploadsign.Request{}, errors.New("session lookup failed: db password=hunter2")
	case "conflict":
		return uploadsign.Request{Owner: "42", Params: uploadsign.Params{Context: map[string]string{"app": "ios"}, Overwrite: uploadsign.Bool(true)}}, nil
	case "invalid":
		return uploadsign.Request{Owner: "42", Params: uploadsign.Params{Tags: []string{"a,b"}}}, nil
	case "naming":
		return uploadsign.Request{Owner: "42", Params: uploadsign.Params{Folder: "elsewhere"}}, nil
	}
	return uploadsign.Request{}, &uploadsignhttp.StatusError{Code: 401, Message: "log in first"}
}

func serve(h http.Handler, method, contentType, user, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/uploads/signature", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if user != "" {
		r.Header.Set("X-User", user)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandler(t *testing.T) {
	s := newSigner(t)
	h := uploadsignhttp.NewHandler(s, userAuth)
	const js = "application/json"
	tests := []struct {
		name        string
		method      string
		contentType string
		user        string
		body        string
		status      int
		wantInError string
	}{
		{"wrong method", "GET", js, "42", "", 405, "POST"},
		{"form post", "POST", "application/x-www-form-urlencoded", "42", "param_set=avatar", 415, "application/json"},
		{"no content type", "POST", "", "42", `{"param_set":"avatar","version":1}`, 415, "application/json"},
		{"malformed JSON", "POST", js, "42", `{"param_set":`, 400, "JSON"},
		{"unknown field", "POST", js, "42", `{"param_set":"avatar","version":1,"public_id":"x"}`, 400, "public_id"},
		{"trailing data", "POST", js, "42", `{"param_set":"avatar","version":1} {}`, 400, "after the JSON"},
		{"trailing garbage", "POST", js, "42", `{"param_set":"avatar","version":1}x`, 400, "JSON"},
		{"long unknown field", "POST", js, "42", `{"param_set":"avatar","` + strings.Repeat("x", 1000) + `":1}`, 400, "unknown field"},
		{"not an object", "POST", js, "42", `[1]`, 400, "JSON"},
		{"version a string", "POST", js, "42", `{"param_set":"avatar","version":"1"}`, 400, "version"},
		{"missing set", "POST", js, "42", `{"version":1}`, 400, "param_set"},
		{"missing version", "POST", js, "42", `{"param_set":"avatar"}`, 400, "version"},
		{"too large", "POST", js, "42", `{"param_set":"` + strings.Repeat("a", 5000) + `","version":1}`, 413, "bytes"},
		{"not logged in", "POST", js, "", `{"param_set":"avatar","version":1}`, 401, "not authorized"},
		{"hook says 401", "POST", js, "someone", `{"param_set":"avatar","version":1}`, 401, "log in first"},
		{"forbidden", "POST", js, "banned", `{"param_set":"avatar","version":1}`, 403, "may not upload"},
		{"unknown set", "POST", js, "42", `{"param_set":"banner","version":1}`, 404, `known sets: "avatar"`},
		{"unknown version", "POST", js, "42", `{"param_set":"avatar","version":3}`, 404, "known versions: 1, 2"},
		{"conflict", "POST", js, "conflict", `{"param_set":"avatar","version":1}`, 409, "context"},
		{"hook's params invalid", "POST", js, "invalid", `{"param_set":"avatar","version":1}`, 500, "could not"},
		{"hook names the upload", "POST", js, "naming", `{"param_set":"avatar","version":1}`, 500, "could not"},
		{"key in another case", "POST", js, "42", `{"Param_Set":"avatar","version":1}`, 400, "Param_Set"},
		{"key folded", "POST", js, "42", `{"param_ſet":"avatar","version":1}`, 400, "unknown field"},
		{"key twice", "POST", js, "42", `{"param_set":"banner","param_set":"avatar","version":1}`, 400, "twice"},
		{"spaces past the limit", "POST", js, "42", `{"param_set":"avatar","version":1}` + strings.Repeat(" ", 5000), 413, "bytes"},
		{"garbage past the limit", "POST", js, "42", `{"param_set":"avatar","version":1}x` + strings.Repeat("y", 5000), 413, "bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.method, tt.contentType, tt.user, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.status)
			}
			var body struct{ Error string }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || !strings.Contains(body.Error, tt.wantInError) {
				t.Errorf("error %q (%v), want it to mention %q", body.Error, err, tt.wantInError)
			}
			if got := w.Header().Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			if len(body.Error) > 300 {
				t.Errorf("the error is %d bytes long: it quotes too much of the request", len(body.Error))
			}
			if tt.status == 405 && w.Header().Get("Allow") != "POST" {
				t.Errorf("Allow %q, want POST", w.Header().Get("Allow"))
			}
			for _, leak := range []string{secret, "hunter2"} {
				if strings.Contains(w.Body.String(), leak) {
					t.Errorf("response shows %q: %s", leak, w.Body)
				}
			}
		})
	}
}

func TestHandlerSigns(t *testing.T) {
	s := newSigner(t)
	h := uploadsignhttp.NewHandler(s, userAuth)
	w := serve(h, "POST", "application/json; charset=utf-8", "42", `{"param_set":"avatar","version":2}`)
	if w.Code != 200 {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", w.Header().Get("Cache-Control"))
	}
	var got uploadsign.Payload
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want, err := s.Sign("avatar", 2, uploadsign.Request{Owner: "42"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("payload (-Sign +handler):\n%s", diff)
	}
	if strings.Contains(w.Body.String(), secret) {
		t.Error("the payload shows the secret")
	}
}

func TestHandlerPassesRequestToHook(t *testing.T) {
	var seen uploadsignhttp.ClientSet
	h := uploadsignhttp.NewHandler(newSigner(t), func(r *http.Request) (uploadsign.Request, error) {
		seen, _ = uploadsignhttp.ClientSetFrom(r)
		return uploadsign.Request{}, nil
	})
	serve(h, "POST", "application/json", "", `{"param_set":"avatar","version":2}`)
	if seen != (uploadsignhttp.ClientSet{ParamSet: "avatar", Version: 2}) {
		t.Errorf("ClientSetFrom = %+v", seen)
	}
	if _, ok := uploadsignhttp.ClientSetFrom(httptest.NewRequest("GET", "/", nil)); ok {
		t.Error("ClientSetFrom outside the handler reports ok")
	}
}

func TestHandlerDoesNotRecoverHookPanic(t *testing.T) {
	h := uploadsignhttp.NewHandler(newSigner(t), func(*http.Request) (uploadsign.Request, error) { panic("hook bug") })
	defer func() {
		if recover() != "hook bug" {
			t.Error("the hook's panic was swallowed")
		}
	}()
	serve(h, "POST", "application/json", "", `{"param_set":"avatar","version":1}`)
}

// ---- webhooks ----

type notification struct {
	Body      string               `json:"body"`
	Timestamp string               `json:"timestamp"`
	Algorithm uploadsign.Algorithm `json:"algorithm"`
	Signature string               `json:"signature"`
}

// goldenNotification returns a notification signed by the Node SDK, and
// the golden files' secret.
func goldenNotification(t *testing.T) (notification, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "golden", "verify.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		APISecret string `json:"api_secret"`
		Cases     struct {
			Notifications []notification `json:"notifications"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return g.Cases.Notifications[0], g.APISecret
}

func TestVerifyNotificationRequest(t *testing.T) {
	n, sdkSecret := goldenNotification(t)
	sent := time.Unix(1700000000, 0)
	signer := func(now time.Time) *uploadsign.Signer {
		s, err := uploadsign.New(cloud, key, sdkSecret, uploadsign.WithAlgorithm(n.Algorithm),
			uploadsign.WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	request := func(body, timestamp, signature string) *http.Request {
		r := httptest.NewRequest("POST", "/webhook", strings.NewReader(body))
		if timestamp != "" {
			r.Header.Set("X-Cld-Timestamp", timestamp)
		}
		if signature != "" {
			r.Header.Set("X-Cld-Signature", signature)
		}
		return r
	}
	form := "public_id=sample&version="
	formSignature := fmt.Sprintf("%x", sha1.Sum([]byte(form+n.Timestamp+sdkSecret)))
	if n.Algorithm != uploadsign.SHA1 {
		t.Fatalf("golden notification 0 uses %s, want sha1", n.Algorithm)
	}
	tests := []struct {
		name    string
		now     time.Time
		r       *http.Request
		wantErr error
	}{
		{"genuine", sent.Add(time.Minute), request(n.Body, n.Timestamp, n.Signature), nil},
		{"no timestamp", sent, request(n.Body, "", n.Signature), uploadsign.ErrInvalidSignature},
		{"no signature", sent, request(n.Body, n.Timestamp, ""), uploadsign.ErrInvalidSignature},
		{"tampered body", sent, request(n.Body+" ", n.Timestamp, n.Signature), uploadsign.ErrInvalidSignature},
		{"too large", sent, request(strings.Repeat("x", uploadsignhttp.MaxNotificationBytes+1), n.Timestamp, n.Signature), uploadsign.ErrInvalidSignature},
		{"expired", sent.Add(3 * time.Hour), request(n.Body, n.Timestamp, n.Signature), uploadsign.ErrExpired},
		// Signed with the secret, as an upload result's signature is, but
		// not a JSON object: no notification of Cloudinary's.
		{"form body", sent, request(form, n.Timestamp, formSignature), uploadsign.ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := uploadsignhttp.VerifyNotificationRequest(signer(tt.now), tt.r)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && !bytes.Equal(body.Body, []byte(n.Body)) {
				t.Errorf("body %q, want %q", body.Body, n.Body)
			}
			if err != nil && body != nil {
				t.Error("a body returned with an error")
			}
		})
	}
}
