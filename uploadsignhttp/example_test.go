package uploadsignhttp_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
)

func ExampleNewHandler() {
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithClock(func() time.Time { return time.Unix(1700000000, 0) }),
		uploadsign.WithParamSets(
			uploadsign.ParamSet{Name: "avatar", Version: 1, // one per user
				Params: uploadsign.Params{PublicID: "avatars/user_{owner}"}},
			uploadsign.ParamSet{Name: "hero", Version: 1, // the home page's image, for admins
				Params: uploadsign.Params{PublicID: "home/hero"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	// authorize decides who may upload, and for whom.
	authorize := func(r *http.Request) (uploadsign.Request, error) {
		user := r.Header.Get("X-User") // your session lookup
		if user == "" {
			return uploadsign.Request{}, &uploadsignhttp.StatusError{Code: 401, Message: "log in first"}
		}
		return uploadsign.Request{Owner: user}, nil
	}
	mux := http.NewServeMux()
	// Each endpoint names the sets it signs: this one never signs "hero".
	mux.Handle("/uploads/signature", uploadsignhttp.NewHandler(signer, authorize, uploadsignhttp.Sets("avatar")))

	// What the browser's fetch does:
	for _, rq := range []struct{ user, set string }{{"42", "avatar"}, {"", "avatar"}, {"42", "hero"}} {
		r := httptest.NewRequest("POST", "/uploads/signature", strings.NewReader(`{"param_set": "`+rq.set+`", "version": 1}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-User", rq.user)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Get("Cache-Control"))
		if w.Code != 200 {
			fmt.Print(w.Body)
		}
	}
	// Output:
	// 200 no-store
	// 401 no-store
	// {"error":"log in first"}
	// 404 no-store
	// {"error":"unknown parameter set: \"hero\" (known sets: \"avatar\")"}
}

// The Upload Widget's signature endpoint, as next-cloudinary's
// CldUploadWidget calls it (signatureEndpoint="/api/sign-widget").
func ExampleNewProposalHandler() {
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithClock(func() time.Time { return time.Unix(1700000000, 0) }),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar-widget", Version: 1,
			Params:       uploadsign.Params{Folder: "avatars", PublicID: "user_{owner}", Tags: []string{"avatar"}},
			ClientParams: []string{"source"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	// authorize makes the logged-in user the owner.
	authorize := func(r *http.Request) (uploadsign.Request, error) {
		user := r.Header.Get("X-User") // your session lookup
		if user == "" {
			return uploadsign.Request{}, &uploadsignhttp.StatusError{Code: 401, Message: "log in first"}
		}
		return uploadsign.Request{Owner: user}, nil
	}
	mux := http.NewServeMux()
	mux.Handle("/api/sign-widget", uploadsignhttp.NewProposalHandler(signer, "avatar-widget", 1, authorize))

	// What next-cloudinary's fetch sends: JSON with no Content-Type. The
	// signature is the one the official Node SDK makes of the proposal.
	for _, publicID := range []string{"user_42", "user_7"} {
		body := `{"paramsToSign": {"timestamp": 1700000000, "source": "uw", "folder": "avatars", "tags": ["avatar"], "public_id": "` + publicID + `"}}`
		r := httptest.NewRequest("POST", "/api/sign-widget", strings.NewReader(body))
		r.Header.Set("X-User", "42")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Print(w.Code, " ", w.Body)
	}
	// Output:
	// 200 {"api_key":"123456789012345","signature":"b4603581e8104f21d7c92b41293317da22f2c5b1"}
	// 403 {"error":"parameter not allowed: public_id: the owner's \"user_42\", the proposal has \"user_7\""}
}

func ExampleVerifyNotificationRequest() {
	// The notification and its headers are signed by the official Node SDK
	// with the secret "abcd" (testdata/golden/verify.json).
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithClock(func() time.Time { return time.Unix(1700000060, 0) }))
	if err != nil {
		fmt.Println(err)
		return
	}
	webhook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := uploadsignhttp.VerifyNotificationRequest(signer, r)
		if err != nil {
			http.Error(w, "not from Cloudinary", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "%s notification, %d bytes", n.Type, len(n.Body))
	})

	for _, signature := range []string{"b18b85f5ef77b9eacd80219e6906d01579512b94", "forged"} {
		r := httptest.NewRequest("POST", "/cloudinary/webhook",
			strings.NewReader(`{"notification_type":"upload","public_id":"sample","version":1700000000}`))
		r.Header.Set("X-Cld-Timestamp", "1700000000")
		r.Header.Set("X-Cld-Signature", signature)
		w := httptest.NewRecorder()
		webhook.ServeHTTP(w, r)
		out, _ := io.ReadAll(w.Body)
		fmt.Println(w.Code, strings.TrimSpace(string(out)))
	}
	// Output:
	// 200 upload notification, 72 bytes
	// 401 not from Cloudinary
}

// Counter counts the signatures of each set version, to see which versions
// clients still use (in production: expvar, Prometheus, OpenTelemetry).
type Counter struct {
	mu sync.Mutex
	n  map[string]int
}

// Add counts one signature of set at version.
func (c *Counter) Add(set string, version int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[fmt.Sprintf("%s v%d", set, version)]++
}

func (c *Counter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var lines []string
	for k, n := range c.n {
		lines = append(lines, fmt.Sprintf("%s: %d", k, n))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Which versions do clients still use? OnSigned runs after each successful
// signature only: refused and failed requests are not counted.
func ExampleOnSigned() {
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithParamSets(
			uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{PublicID: "avatars/user_{owner}"}},
			uploadsign.ParamSet{Name: "avatar", Version: 2, Params: uploadsign.Params{PublicID: "avatars/user_{owner}", Tags: []string{"v2"}}},
		))
	if err != nil {
		fmt.Println(err)
		return
	}
	authorize := func(r *http.Request) (uploadsign.Request, error) {
		if r.Header.Get("X-User") == "" {
			return uploadsign.Request{}, errors.New("no session") // answers 401
		}
		return uploadsign.Request{Owner: r.Header.Get("X-User")}, nil
	}
	var signed Counter
	h := uploadsignhttp.NewHandler(signer, authorize, uploadsignhttp.Sets("avatar"),
		uploadsignhttp.OnSigned(func(r *http.Request, p *uploadsign.Payload) {
			signed.Add(p.ParamSet, p.Version)
		}))

	for _, rq := range []struct{ user, body string }{
		{"42", `{"param_set": "avatar", "version": 1}`},
		{"42", `{"param_set": "avatar", "version": 2}`},
		{"7", `{"param_set": "avatar", "version": 2}`},
		{"7", `{"param_set": "avatar", "version": 3}`}, // 404: not counted
		{"", `{"param_set": "avatar", "version": 1}`},  // 401: not counted
	} {
		r := httptest.NewRequest("POST", "/uploads/signature", strings.NewReader(rq.body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-User", rq.user)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	fmt.Println(&signed)
	// Output:
	// avatar v1: 1
	// avatar v2: 2
}

// Retiring version 1: from its Deprecated date the payloads say so and the
// answers carry Deprecation and Sunset headers (the Deprecation header is
// sent before the date too, to announce it); from its Sunset the handler
// answers 410 Gone, naming the versions still served.
func ExampleNewHandler_retiringAVersion() {
	now := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC) // the Signer's clock
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithClock(func() time.Time { return now }),
		uploadsign.WithParamSets(
			uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{Folder: "avatars"},
				Deprecated: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
				Sunset:     time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)},
			uploadsign.ParamSet{Name: "avatar", Version: 2, Params: uploadsign.Params{Folder: "avatars", Tags: []string{"v2"}}},
		))
	if err != nil {
		fmt.Println(err)
		return
	}
	h := uploadsignhttp.NewHandler(signer, func(*http.Request) (uploadsign.Request, error) {
		return uploadsign.Request{}, nil
	}, uploadsignhttp.Sets("avatar"))
	for _, day := range []time.Time{now, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)} {
		now = day
		r := httptest.NewRequest("POST", "/uploads/signature", strings.NewReader(`{"param_set": "avatar", "version": 1}`))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var answer struct {
			Deprecated bool
			Error      string
		}
		_ = json.Unmarshal(w.Body.Bytes(), &answer)
		fmt.Printf("%s: %d, Deprecation: %s, Sunset: %s\n", day.Format("2006-01-02"), w.Code,
			w.Header().Get("Deprecation"), w.Header().Get("Sunset"))
		if w.Code == 200 {
			fmt.Println("  payload deprecated:", answer.Deprecated)
		} else {
			fmt.Println(" ", answer.Error)
		}
	}
	// Output:
	// 2025-05-01: 200, Deprecation: @1748736000, Sunset: Mon, 01 Sep 2025 00:00:00 GMT
	//   payload deprecated: false
	// 2025-07-01: 200, Deprecation: @1748736000, Sunset: Mon, 01 Sep 2025 00:00:00 GMT
	//   payload deprecated: true
	// 2025-09-01: 410, Deprecation: @1748736000, Sunset: Mon, 01 Sep 2025 00:00:00 GMT
	//   parameter set past its sunset: "avatar" version 1 was retired at 2025-09-01T00:00:00Z (live versions: 2)
}

// One record per request; a hook that cannot reach its session store
// answers 503, logged at level Error with the cause.
func ExampleWithLogger() {
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{Folder: "avatars"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	authorize := func(r *http.Request) (uploadsign.Request, error) {
		if r.Header.Get("X-Store") == "down" {
			err := errors.New("sessions: dial tcp 10.0.0.7:6379: connection refused")
			return uploadsign.Request{}, fmt.Errorf("%w: %w", &uploadsignhttp.StatusError{Code: 503, Message: "try again shortly"}, err)
		}
		return uploadsign.Request{}, nil
	}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{} // for a stable output
			}
			return a
		},
	}))
	h := uploadsignhttp.NewHandler(signer, authorize, uploadsignhttp.Sets("avatar"), uploadsignhttp.WithLogger(logger))
	for _, store := range []string{"up", "down"} {
		r := httptest.NewRequest("POST", "/uploads/signature", strings.NewReader(`{"param_set": "avatar", "version": 1}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Store", store)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println("answered", w.Code)
	}
	// Output:
	// level=INFO msg="upload payload" set=avatar version=1 status=200 outcome=signed
	// answered 200
	// level=ERROR msg="upload payload" set=avatar version=1 status=503 outcome=error error="uploadsignhttp: 503 try again shortly: sessions: dial tcp 10.0.0.7:6379: connection refused"
	// answered 503
}

// allowOrigin is the CORS middleware of the package documentation: it
// lets a page on origin call the handler from the browser.
func allowOrigin(origin string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if r.Header.Get("Origin") == origin {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Expose-Headers", "Deprecation, Sunset")
			if r.Method == http.MethodOptions { // the preflight
				w.Header().Set("Access-Control-Allow-Methods", "POST")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// A frontend on another origin: the CORS middleware answers the preflight,
// the handler the request.
func Example_cors() {
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{Folder: "avatars"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	h := uploadsignhttp.NewHandler(signer, func(*http.Request) (uploadsign.Request, error) {
		return uploadsign.Request{}, nil // a real hook checks the session
	}, uploadsignhttp.Sets("avatar"))
	mux := http.NewServeMux()
	mux.Handle("/uploads/signature", allowOrigin("https://app.example", h))

	for _, method := range []string{"OPTIONS", "POST"} {
		r := httptest.NewRequest(method, "/uploads/signature", strings.NewReader(`{"param_set": "avatar", "version": 1}`))
		r.Header.Set("Origin", "https://app.example")
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(method, w.Code, w.Header().Get("Access-Control-Allow-Origin"), w.Header().Get("Access-Control-Allow-Methods"))
	}
	// Output:
	// OPTIONS 204 https://app.example POST
	// POST 200 https://app.example
}

// The route a browser reports an upload back to: the library verifies it
// as this user's, and save stores the URL the Signer built.
func ExampleNewReportHandler() {
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1,
			Params: uploadsign.Params{PublicID: "avatars/user_{owner}"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	authorize := func(r *http.Request) (uploadsign.Request, error) {
		return uploadsign.Request{Owner: r.Header.Get("X-User")}, nil // your session lookup
	}
	avatars := map[string]string{} // your database
	save := func(r *http.Request, u *uploadsign.Upload) error {
		avatars[u.Owner] = u.Asset.URL
		return nil
	}
	h := uploadsignhttp.NewReportHandler(signer, authorize, save)

	// Cloudinary's answer to user 42's upload, signed by the official Node
	// SDK (testdata/golden/verify.json), as the browser reports it.
	report := `{"param_set": "avatar", "version": 1, "result": {"public_id": "avatars/user_42", "version": 1700000000,
		"signature": "61f8951e1089cd6ae5385e202623033950fd5f4b", "resource_type": "image", "type": "upload", "format": "png",
		"secure_url": "https://evil.example/not-your-avatar.png"}}`
	for _, user := range []string{"7", "42"} {
		r := httptest.NewRequest("POST", "/uploads/done", strings.NewReader(report))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-User", user)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(user, w.Code)
	}
	fmt.Println(avatars)
	// Output:
	// 7 403
	// 42 200
	// map[42:https://res.cloudinary.com/demo/image/upload/v1700000000/avatars/user_42.png]
}

// An application that never asks the browser to report back: the
// webhook stores each user's avatar from Cloudinary's notification, the
// set and owner found from its public_id, and does each event once.
func ExampleNewNotificationHandler() {
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithClock(func() time.Time { return time.Unix(1700000063, 0) }),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1,
			Params: uploadsign.Params{PublicID: "avatars/user_{owner}"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	avatars := map[string]string{} // your database
	done := map[string]bool{}      // the keys of handled notifications
	webhook := uploadsignhttp.NewNotificationHandler(signer, func(r *http.Request, n *uploadsign.Notification) error {
		if n.Upload == nil || done[n.Key] {
			return nil // not an upload of a set (n.Problem says why), or a delivery again
		}
		done[n.Key] = true
		avatars[n.Upload.Owner] = n.Upload.Asset.URL
		return nil
	})

	// Cloudinary's notification of user 42's upload, signed by the
	// official Node SDK (testdata/golden/verify.json); Cloudinary may
	// deliver it twice.
	body := `{"notification_type":"upload","timestamp":"2023-11-14T22:13:20+00:00","request_id":"9e2f63bc2c6a4fcb8c1e3f6b55d5a3b1",` +
		`"asset_id":"3515c6000a548515f1134043f9785c2f","public_id":"avatars/user_42","version":1700000000,` +
		`"version_id":"7d2cc533bee9ff39f7da7414b61fce7e","width":640,"height":480,"format":"png","resource_type":"image",` +
		`"created_at":"2023-11-14T22:13:20Z","tags":["avatar"],"bytes":52814,"type":"upload","etag":"a56e9e88c2add15cac1775c1f687bf73",` +
		`"placeholder":false,"url":"http://res.cloudinary.com/demo/image/upload/v1700000000/avatars/user_42.png",` +
		`"secure_url":"https://res.cloudinary.com/demo/image/upload/v1700000000/avatars/user_42.png","access_mode":"public",` +
		`"original_filename":"me","api_key":"123456789012345"}`
	for _, signature := range []string{"39453401f5b5bdc63b0f8231f3ad9fa8ac78ebdc", "39453401f5b5bdc63b0f8231f3ad9fa8ac78ebdc", "forged"} {
		r := httptest.NewRequest("POST", "/cloudinary/webhook", strings.NewReader(body))
		r.Header.Set("X-Cld-Timestamp", "1700000003")
		r.Header.Set("X-Cld-Signature", signature)
		w := httptest.NewRecorder()
		webhook.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	fmt.Println(avatars)
	// Output:
	// 200
	// 200
	// 401
	// map[42:https://res.cloudinary.com/demo/image/upload/v1700000000/avatars/user_42.png]
}
