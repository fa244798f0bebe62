package uploadsignhttp_test

import (
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
)

// resultFor is Cloudinary's answer to an upload of publicID, signed with
// the test secret by the reference rule (sha1 of the sorted pairs and the
// secret), not by the code under test.
func resultFor(publicID string, version int64) string {
	sig := fmt.Sprintf("%x", sha1Sum("public_id="+publicID+"&version="+fmt.Sprint(version)+secret))
	return fmt.Sprintf(`{"public_id":%q,"version":%d,"signature":%q,"resource_type":"image","type":"upload","format":"png","bytes":10,"secure_url":"https://evil.example/x.png"}`,
		publicID, version, sig)
}

func TestReportHandler(t *testing.T) {
	s := newSigner(t, uploadsign.WithParamSets(avatarWidget))
	var saved []*uploadsign.Upload
	var hookCalls int
	authorize := func(r *http.Request) (uploadsign.Request, error) {
		hookCalls++
		return userAuth(r)
	}
	save := func(r *http.Request, u *uploadsign.Upload) error {
		switch u.Owner {
		case "42":
			saved = append(saved, u)
			return nil
		}
		return errors.New("db down: password=hunter2")
	}
	h := uploadsignhttp.NewReportHandler(s, authorize, save, uploadsignhttp.Sets("avatar"))
	report := func(set string, version int, result string) string {
		return fmt.Sprintf(`{"param_set":%q,"version":%d,"result":%s}`, set, version, result)
	}
	good := report("avatar", 1, resultFor("avatars/user_42", 1700000000))
	const js = "application/json"
	for _, tt := range []struct {
		name        string
		method, ct  string
		user, body  string
		status      int
		wantInError string
		hookCalled  bool
	}{
		{"stored", "POST", js, "42", good, 200, "", true},
		{"wrong method", "GET", js, "42", good, 405, "POST", false},
		{"form post", "POST", "text/plain", "42", good, 415, "application/json", false},
		{"malformed", "POST", js, "42", `{"param_set":`, 400, "JSON", false},
		{"unknown field", "POST", js, "42", `{"param_set":"avatar","version":1,"result":{},"owner":"7"}`, 400, "owner", false},
		{"key twice", "POST", js, "42", `{"param_set":"avatar","version":1,"version":2,"result":{}}`, 400, "twice", false},
		{"no result", "POST", js, "42", `{"param_set":"avatar","version":1}`, 400, "result", false},
		{"result not an answer", "POST", js, "42", report("avatar", 1, `[1]`), 400, "upload answer", false},
		{"too large", "POST", js, "42", report("avatar", 1, `{"tags":"`+strings.Repeat("a", 70<<10)+`"}`), 413, "bytes", false},
		{"another endpoint's set", "POST", js, "42", report("avatar-widget", 1, resultFor("avatars/widget_42", 1700000000)), 404, `known sets: "avatar"`, false},
		{"not logged in", "POST", js, "", good, 401, "not authorized", true},
		{"forged", "POST", js, "42", strings.Replace(good, "user_42", "user_7", 1), 400, "signature", true},
		{"malformed result", "POST", js, "42", report("avatar", 1, `{"public_id":"","version":1,"signature":"00","resource_type":"image","type":"upload"}`), 400, "malformed upload result", true},
		{"another user's avatar", "POST", js, "42", report("avatar", 1, resultFor("avatars/user_7", 1700000000)), 403, "user_42", true},
		{"hook says 401", "POST", js, "someone", good, 401, "log in first", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hookCalls, saved = 0, nil
			w := serve(h, tt.method, tt.ct, tt.user, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.status)
			}
			if (hookCalls > 0) != tt.hookCalled {
				t.Errorf("hook called %d times, want called %v", hookCalls, tt.hookCalled)
			}
			if strings.Contains(w.Body.String(), "uploadsign:") || strings.Contains(w.Body.String(), "hunter2") {
				t.Errorf("answer %s: the package prefix or an internal detail", w.Body)
			}
			if tt.status != 200 {
				var body struct{ Error string }
				if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || !strings.Contains(body.Error, tt.wantInError) {
					t.Errorf("error %q (%v), want it to mention %q", body.Error, err, tt.wantInError)
				}
				if len(saved) != 0 {
					t.Error("saved a refused report")
				}
				return
			}
			var asset uploadsign.Asset
			if err := json.Unmarshal(w.Body.Bytes(), &asset); err != nil || asset.URL != "https://res.cloudinary.com/demo/image/upload/v1700000000/avatars/user_42.png" {
				t.Errorf("answer %s (%v), want the URL the Signer built", w.Body, err)
			}
			if len(saved) != 1 || saved[0].Owner != "42" || saved[0].Set != "avatar" || saved[0].Version != 1 || saved[0].Asset != asset {
				t.Errorf("saved %+v", saved)
			}
		})
	}
	// A failed save answers 500 without details, or save's StatusError.
	failing := uploadsignhttp.NewReportHandler(s, userAuth, func(*http.Request, *uploadsign.Upload) error {
		return errors.New("db down: password=hunter2")
	}, uploadsignhttp.Sets("avatar"))
	if w := serve(failing, "POST", js, "42", good); w.Code != 500 || strings.Contains(w.Body.String(), "hunter2") {
		t.Errorf("failed save: %d %s", w.Code, w.Body)
	}
	busy := uploadsignhttp.NewReportHandler(s, userAuth, func(*http.Request, *uploadsign.Upload) error {
		return fmt.Errorf("db: %w", &uploadsignhttp.StatusError{Code: 503, Message: "try again"})
	}, uploadsignhttp.Sets("avatar"))
	if w := serve(busy, "POST", js, "42", good); w.Code != 503 || !strings.Contains(w.Body.String(), "try again") {
		t.Errorf("save's StatusError: %d %s", w.Code, w.Body)
	}
}

// TestHooksRunAfterTheSetCheck: a request for a set this endpoint does not
// serve answers 404 without calling the hook, so that the hook's answer
// (an admin's 403, say) cannot tell a user which sets exist.
func TestHooksRunAfterTheSetCheck(t *testing.T) {
	s := newSigner(t, uploadsign.WithParamSets(avatarWidget))
	called := false
	hook := func(*http.Request) (uploadsign.Request, error) {
		called = true
		return uploadsign.Request{}, uploadsignhttp.Forbidden("admins only")
	}
	for name, h := range map[string]http.Handler{
		"NewHandler":       uploadsignhttp.NewHandler(s, hook, uploadsignhttp.Sets("avatar")),
		"NewReportHandler": uploadsignhttp.NewReportHandler(s, hook, func(*http.Request, *uploadsign.Upload) error { return nil }, uploadsignhttp.Sets("avatar")),
	} {
		called = false
		w := serve(h, "POST", "application/json", "42", `{"param_set":"avatar-widget","version":1,"result":{}}`)
		if name == "NewHandler" {
			w = serve(h, "POST", "application/json", "42", `{"param_set":"avatar-widget","version":1}`)
		}
		if w.Code != 404 || called {
			t.Errorf("%s: %d %s, hook called %v; want 404 without the hook", name, w.Code, w.Body, called)
		}
	}
	// The proposal handler asks the hook before it reads the proposal: a
	// refused client's body is not parsed (its malformed JSON is not
	// reported).
	h := uploadsignhttp.NewProposalHandler(s, "avatar-widget", 1, hook)
	if w := serve(h, "POST", "", "42", `{"paramsToSign": {"timestamp": `); w.Code != 403 {
		t.Errorf("proposal refused by the hook: %d %s, want 403 before the body is read", w.Code, w.Body)
	}
}

// TestNotificationHandler: 401 for a forged or stale notification, handle
// not called; 200 when handle succeeds, 500 when it fails; each delivery
// of an event has one Key.
func TestNotificationHandler(t *testing.T) {
	s := newSigner(t)
	var got []*uploadsign.Notification
	fail := false
	h := uploadsignhttp.NewNotificationHandler(s, func(r *http.Request, n *uploadsign.Notification) error {
		got = append(got, n)
		if fail {
			return errors.New("queue full: password=hunter2")
		}
		return nil
	})
	body := `{"notification_type":"upload","public_id":"avatars/user_42","version":1700000000,"resource_type":"image","type":"upload","format":"png","bytes":123,"width":4,"height":3}`
	notify := func(body, ts, sig string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/cloudinary/webhook", strings.NewReader(body))
		r.Header.Set("X-Cld-Timestamp", ts)
		r.Header.Set("X-Cld-Signature", sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	ts := fmt.Sprint(testTime.Unix())
	sig := fmt.Sprintf("%x", sha1Sum(body+ts+secret))
	if w := notify(body, ts, sig); w.Code != 200 || len(got) != 1 {
		t.Fatalf("genuine: %d %s", w.Code, w.Body)
	}
	n := got[0]
	if n.Type != "upload" || n.Problem != nil || n.Upload == nil || n.Upload.Set != "avatar" || n.Upload.Version != 2 ||
		n.Upload.Owner != "42" || n.Upload.Details == nil || n.Upload.Details.Bytes != 123 || n.Upload.Details.Width != 4 {
		t.Errorf("notification %+v, upload %+v", n, n.Upload)
	}
	if w := notify(body, ts, sig); w.Code != 200 || got[1].Key != n.Key || n.Key == "" {
		t.Errorf("a second delivery: %d, key %q then %q", w.Code, n.Key, got[1].Key)
	}
	other := strings.Replace(body, "1700000000", "1700000001", 1)
	if notify(other, ts, fmt.Sprintf("%x", sha1Sum(other+ts+secret))); got[2].Key == n.Key {
		t.Errorf("another event has the same key %q", n.Key)
	}
	got = nil
	for name, w := range map[string]*httptest.ResponseRecorder{
		"forged":    notify(body, ts, strings.Repeat("0", 40)),
		"stale":     notify(body, fmt.Sprint(testTime.Unix()-3*3600), fmt.Sprintf("%x", sha1Sum(body+fmt.Sprint(testTime.Unix()-3*3600)+secret))),
		"no header": notify(body, "", ""),
	} {
		if w.Code != 401 || len(got) != 0 {
			t.Errorf("%s: %d %s, handle called %d times; want 401 without handle", name, w.Code, w.Body, len(got))
		}
	}
	fail = true
	if w := notify(body, ts, sig); w.Code != 500 || strings.Contains(w.Body.String(), "hunter2") {
		t.Errorf("handle fails: %d %s, want 500 without details", w.Code, w.Body)
	}
	// An upload of no set reaches handle with a Problem.
	fail, got = false, nil
	stray := `{"notification_type":"upload","public_id":"elsewhere/x","version":1700000000,"resource_type":"image","type":"upload","format":"png"}`
	if w := notify(stray, ts, fmt.Sprintf("%x", sha1Sum(stray+ts+secret))); w.Code != 200 || got[0].Upload != nil || !errors.Is(got[0].Problem, uploadsign.ErrUploadMismatch) {
		t.Errorf("an upload of no set: %d, %+v", w.Code, got)
	}
}

func sha1Sum(s string) [sha1.Size]byte { return sha1.Sum([]byte(s)) }

// TestNotificationHandlerDestroys: with WithDestroyViolations, an upload
// over its set's limits, or of no set, is destroyed before handle, and a
// failed destroy answers 500; an upload that met an existing asset, and a
// good one, are left alone.
func TestNotificationHandlerDestroys(t *testing.T) {
	var destroyed []string
	failing := false
	cloudinary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseMultipartForm(1 << 20)
		if failing {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":{"message":"General Error"}}`))
			return
		}
		destroyed = append(destroyed, r.URL.Path+" "+r.FormValue("type")+" "+r.FormValue("public_id"))
		_, _ = w.Write([]byte(`{"result":"ok"}`))
	}))
	defer cloudinary.Close()
	s := newSigner(t, uploadsign.WithUploadURL(cloudinary.URL), uploadsign.WithParamSets(uploadsign.ParamSet{Name: "small", Version: 1,
		Params: uploadsign.Params{Folder: "small"}, Limits: uploadsign.Limits{MaxBytes: 100}}))
	var logs strings.Builder
	var got []*uploadsign.Notification
	h := uploadsignhttp.NewNotificationHandler(s, func(r *http.Request, n *uploadsign.Notification) error {
		got = append(got, n)
		return nil
	}, uploadsignhttp.WithDestroyViolations(), uploadsignhttp.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ts := fmt.Sprint(testTime.Unix())
	notify := func(publicID string, bytes int, existing bool) int {
		body := fmt.Sprintf(`{"notification_type":"upload","public_id":%q,"version":1700000000,"resource_type":"image","type":"upload","format":"png","bytes":%d,"existing":%v}`,
			publicID, bytes, existing)
		r := httptest.NewRequest("POST", "/cloudinary/webhook", strings.NewReader(body))
		r.Header.Set("X-Cld-Timestamp", ts)
		r.Header.Set("X-Cld-Signature", fmt.Sprintf("%x", sha1Sum(body+ts+secret)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	for _, tt := range []struct {
		name      string
		publicID  string
		bytes     int
		existing  bool
		destroyed bool
	}{
		{"within the limits", "small/a", 100, false, false},
		{"over the limit", "small/b", 101, false, true},
		{"of no set", "elsewhere/c", 1, false, true},
		{"met an existing asset", "elsewhere/d", 1, true, false},
	} {
		destroyed, got = nil, nil
		if status := notify(tt.publicID, tt.bytes, tt.existing); status != 200 || len(got) != 1 {
			t.Fatalf("%s: %d, handle called %d times", tt.name, status, len(got))
		}
		if tt.destroyed != (len(destroyed) == 1) || tt.destroyed != got[0].Destroyed || got[0].DestroyErr != nil {
			t.Errorf("%s: destroyed %v, notification says %v (%v)", tt.name, destroyed, got[0].Destroyed, got[0].DestroyErr)
		}
		if tt.destroyed && destroyed[0] != "/v1_1/demo/image/destroy upload "+tt.publicID {
			t.Errorf("%s: destroyed %q", tt.name, destroyed[0])
		}
	}
	if !strings.Contains(logs.String(), `msg="upload destroyed" resource_type=image type=upload public_id=small/b reason="uploadsign: upload exceeds`) {
		t.Errorf("log:\n%s", logs.String())
	}
	failing, got = true, nil
	if status := notify("small/e", 101, false); status != 500 || len(got) != 1 || got[0].Destroyed || got[0].DestroyErr == nil {
		t.Errorf("a failed destroy: %d, %+v", status, got)
	}
	if !strings.Contains(logs.String(), `level=ERROR msg="upload not destroyed"`) {
		t.Errorf("log:\n%s", logs.String())
	}
}
