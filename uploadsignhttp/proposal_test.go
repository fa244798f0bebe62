package uploadsignhttp_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// The widget recipe of docs/widget.md: the set fixes the folder, the owner's
// public_id and the tag, and the widget may add source=uw.
var avatarWidget = uploadsign.ParamSet{Name: "avatar-widget", Version: 1,
	Params:       uploadsign.Params{Folder: "avatars", PublicID: "widget_{owner}", Tags: []string{"avatar"}},
	ClientParams: []string{"source"},
}

// The gallery recipe of docs/widget.md: the browser names its uploads, in its
// owner's folder, so the set signs overwrite false.
var gallery = uploadsign.ParamSet{Name: "gallery", Version: 1,
	Params:       uploadsign.Params{Folder: "gallery/user_{owner}", Overwrite: uploadsign.Bool(false)},
	ClientParams: []string{"source", "public_id"},
}

// galleryAuth makes the user named by X-User the owner.
func galleryAuth(r *http.Request) (uploadsign.Request, error) {
	return uploadsign.Request{Owner: r.Header.Get("X-User")}, nil
}

// widgetAuth makes the user named by X-User the owner.
func widgetAuth(r *http.Request) (uploadsign.Request, error) {
	switch user := r.Header.Get("X-User"); user {
	case "":
		return uploadsign.Request{}, errors.New("no session")
	case "banned":
		return uploadsign.Request{}, uploadsignhttp.Forbidden("this account may not upload")
	case "conflict":
		return uploadsign.Request{Owner: user, Params: uploadsign.Params{Tags: []string{"avatar"}, Overwrite: uploadsign.Bool(true)}}, nil
	case "invalid":
		return uploadsign.Request{Owner: user, Params: uploadsign.Params{Tags: []string{"a,b"}}}, nil
	default:
		return uploadsign.Request{Owner: user}, nil
	}
}

// askSignature posts a body to the proposal handler as next-cloudinary's
// generateSignature does: fetch with a string body and no Content-Type,
// which the browser labels text/plain;charset=UTF-8.
func askSignature(t *testing.T, h http.Handler, contentType, user, body string) (int, map[string]string) {
	t.Helper()
	w := serve(h, "POST", contentType, user, body)
	var out map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("answer %d is not JSON: %q", w.Code, w.Body)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", w.Header().Get("Cache-Control"))
	}
	return w.Code, out
}

const browserJSON = "text/plain;charset=UTF-8"

func pngOfWidth(t *testing.T, w int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, w))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// widgetUpload posts what the widget posts: its proposal as proposed, the
// signature and the api_key, then the file.
func widgetUpload(t *testing.T, url string, proposal map[string]any, signature string, file []byte) *uploadsigntest.Answer {
	t.Helper()
	fields := map[string]string{"signature": signature, "api_key": key}
	for k, v := range proposal {
		switch v := v.(type) {
		case []string:
			fields[k] = strings.Join(v, ",") // FormData.append of an array
		default:
			data, _ := json.Marshal(v)
			fields[k] = strings.Trim(string(data), `"`)
		}
	}
	answer, err := uploadsigntest.Post(url, fields, "avatar.png", file)
	if err != nil {
		t.Fatal(err)
	}
	return answer
}

// TestWidgetCannotReplaceAnotherUsersAsset follows the recipes of docs/widget.md
// literally: through the proposal handler and the fake endpoint, a user
// cannot replace another user's avatar.
func TestWidgetCannotReplaceAnotherUsersAsset(t *testing.T) {
	fake := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(func() time.Time { return testTime }))
	defer fake.Close()
	s := newSigner(t, uploadsign.WithUploadURL(fake.URL), uploadsign.WithParamSets(avatarWidget, gallery))
	uploadURL := s.UploadURL("image")
	widget := uploadsignhttp.NewProposalHandler(s, "avatar-widget", 1, widgetAuth)
	galleryHandler := uploadsignhttp.NewProposalHandler(s, "gallery", 1, galleryAuth)

	sign := func(h http.Handler, user string, proposal map[string]any) (int, map[string]string) {
		body, _ := json.Marshal(map[string]any{"paramsToSign": proposal})
		return askSignature(t, h, "", user, string(body))
	}
	avatarOf := func(user string) map[string]any {
		return map[string]any{"timestamp": testTime.Unix(), "source": "uw", "folder": "avatars",
			"tags": []string{"avatar"}, "public_id": "widget_" + user}
	}
	width := func(answer *uploadsigntest.Answer) int {
		t.Helper()
		resp, err := http.Get(answer.SecureURL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		cfg, _, err := image.DecodeConfig(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Width
	}

	// The victim, user 42, uploads a 10 px avatar through the widget.
	status, out := sign(widget, "42", avatarOf("42"))
	if status != 200 || out["api_key"] != key {
		t.Fatalf("victim's signature: %d %v", status, out)
	}
	victim := widgetUpload(t, uploadURL, avatarOf("42"), out["signature"], pngOfWidth(t, 10))
	if victim.Status != 200 || victim.Result.PublicID != "avatars/widget_42" {
		t.Fatalf("victim's upload: %v", victim)
	}

	// User 7 proposes the victim's public_id, with and without overwrite.
	for _, extra := range []map[string]any{{}, {"overwrite": true}, {"overwrite": false}} {
		proposal := avatarOf("42")
		for k, v := range extra {
			proposal[k] = v
		}
		status, out = sign(widget, "7", proposal)
		if status != http.StatusForbidden || !strings.Contains(out["error"], "public_id") {
			t.Errorf("user 7 proposing user 42's public_id %v: %d %v, want 403 naming public_id", extra, status, out)
		}
	}
	// Their own avatar is fine.
	if status, out = sign(widget, "7", avatarOf("7")); status != 200 {
		t.Errorf("user 7's own avatar: %d %v", status, out)
	}

	// In the gallery, where the browser names its uploads in its own
	// folder, user 7 cannot reach user 42's photo, and a name that is taken
	// keeps its asset.
	photoOf := func(user string) map[string]any {
		return map[string]any{"timestamp": testTime.Unix(), "source": "uw", "folder": "gallery/user_" + user, "public_id": "sunset", "overwrite": false}
	}
	status, out = sign(galleryHandler, "42", photoOf("42"))
	if status != 200 {
		t.Fatalf("gallery signature: %d %v", status, out)
	}
	first := widgetUpload(t, uploadURL, photoOf("42"), out["signature"], pngOfWidth(t, 10))
	if first.Status != 200 || width(first) != 10 || first.Result.PublicID != "gallery/user_42/sunset" {
		t.Fatalf("first gallery upload: %v", first)
	}
	if status, out = sign(galleryHandler, "7", photoOf("42")); status != http.StatusForbidden || !strings.Contains(out["error"], "folder") {
		t.Errorf("user 7 proposing user 42's folder: %d %v, want 403 naming folder", status, out)
	}
	status, out = sign(galleryHandler, "42", photoOf("42"))
	if status != 200 {
		t.Fatalf("second gallery signature: %d %v", status, out)
	}
	second := widgetUpload(t, uploadURL, photoOf("42"), out["signature"], pngOfWidth(t, 99))
	if second.Status != 200 || !second.Result.Existing || width(second) != 10 {
		t.Errorf("a second upload to a taken name: %v; want the first asset kept", second)
	}
	withoutOverwrite := photoOf("7")
	delete(withoutOverwrite, "overwrite")
	if status, out = sign(galleryHandler, "7", withoutOverwrite); status != http.StatusForbidden || !strings.Contains(out["error"], "overwrite") {
		t.Errorf("gallery proposal without overwrite: %d %v, want 403 naming overwrite", status, out)
	}

	if got := width(victim); got != 10 {
		t.Errorf("the victim's avatar is %d px wide now, want 10", got)
	}

	// Reported back, each result verifies for its own user only, the hook
	// called again for the request; user 4's folder is a prefix of user
	// 42's name, not of their folder.
	for _, tt := range []struct {
		set, user string
		answer    *uploadsigntest.Answer
		auth      func(*http.Request) (uploadsign.Request, error)
		wantErr   error
	}{
		{"gallery", "42", first, galleryAuth, nil},
		{"gallery", "42", second, galleryAuth, uploadsign.ErrUploadMismatch}, // existing: not the file user 42 sent
		{"gallery", "4", first, galleryAuth, uploadsign.ErrUploadMismatch},
		{"gallery", "7", first, galleryAuth, uploadsign.ErrUploadMismatch},
		{"avatar-widget", "42", victim, widgetAuth, nil},
		{"avatar-widget", "4", victim, widgetAuth, uploadsign.ErrUploadMismatch},
		{"gallery", "42", victim, galleryAuth, uploadsign.ErrUploadMismatch},
	} {
		r := httptest.NewRequest("POST", "/uploads/done", nil)
		r.Header.Set("X-User", tt.user)
		req, err := tt.auth(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyUploadOf(tt.set, 1, req, tt.answer.Result); !errors.Is(err, tt.wantErr) {
			t.Errorf("user %s reports %v as %s: %v, want %v", tt.user, tt.answer.Result.PublicID, tt.set, err, tt.wantErr)
		}
	}
}

func TestProposalHandler(t *testing.T) {
	s := newSigner(t, uploadsign.WithParamSets(avatarWidget))
	h := uploadsignhttp.NewProposalHandler(s, "avatar-widget", 1, widgetAuth)
	good := `{"timestamp":1700000000,"source":"uw","folder":"avatars","tags":["avatar"],"public_id":"widget_42"}`
	longContext := `{"timestamp":1700000000,"source":"uw","folder":"avatars","tags":["avatar"],"public_id":"widget_42","context":"alt=` +
		strings.Repeat("x", 60<<10) + `"}`
	tests := []struct {
		name        string
		method      string
		contentType string
		user        string
		body        string
		wantStatus  int
		wantText    string
	}{
		{"next-cloudinary, no Content-Type", "POST", "", "42", `{"paramsToSign":` + good + `}`, 200, ""},
		{"browser's text/plain", "POST", browserJSON, "42", `{"paramsToSign":` + good + `}`, 200, ""},
		{"application/json, params_to_sign", "POST", "application/json", "42", `{"params_to_sign":` + good + `}`, 200, ""},
		{"GET", "GET", "", "42", "", 405, "POST"},
		{"OPTIONS", "OPTIONS", "", "42", "", 405, "POST"},
		{"form post", "POST", "application/x-www-form-urlencoded", "42", "timestamp=1", 415, "application/json"},
		{"multipart", "POST", "multipart/form-data; boundary=x", "42", "", 415, "application/json"},
		{"body over 64 KiB", "POST", "", "42", `{"paramsToSign":{"a":"` + strings.Repeat("x", 65<<10) + `"}}`, 413, "65536"},
		{"long context under 64 KiB", "POST", "", "42", `{"paramsToSign":` + longContext + `}`, 403, "context"},
		{"not JSON", "POST", "", "42", "timestamp=1700000000", 400, "paramsToSign"},
		{"no proposal", "POST", "", "42", `{}`, 400, "missing"},
		{"unknown field", "POST", "", "42", `{"paramsToSign":` + good + `,"x":1}`, 400, "unknown field"},
		{"both spellings", "POST", "", "42", `{"paramsToSign":` + good + `,"params_to_sign":` + good + `}`, 400, "not both"},
		{"proposal not an object", "POST", "", "42", `{"paramsToSign":"timestamp=1"}`, 400, "object"},
		{"nested arrays", "POST", "", "42", `{"paramsToSign":{"a":[[[[1]]]]}}`, 400, "array inside an array"},
		{"deeply nested", "POST", "", "42", `{"paramsToSign":{"a":` + strings.Repeat("[", 30000) + strings.Repeat("]", 30000) + `}}`, 400, "JSON"},
		{"nested object", "POST", "", "42", `{"paramsToSign":{"timestamp":1700000000,"context":{"alt":"x"}}}`, 400, "context"},
		{"duplicate public_id", "POST", "", "42", `{"paramsToSign":{"timestamp":1700000000,"public_id":"widget_42","public_id":"user_7"}}`, 400, "twice"},
		{"trailing data", "POST", "", "42", `{"paramsToSign":` + good + `} x`, 400, "after"},
		{"timestamp not a number", "POST", "", "42", `{"paramsToSign":{"timestamp":"soon","source":"uw","folder":"avatars","tags":"avatar","public_id":"widget_42"}}`, 400, "timestamp"},
		{"timestamp an hour and a minute old", "POST", "", "42", `{"paramsToSign":{"timestamp":1699996340,"source":"uw","folder":"avatars","tags":"avatar","public_id":"widget_42"}}`, 403, "timestamp"},
		{"timestamp ten minutes ahead", "POST", "", "42", `{"paramsToSign":{"timestamp":1700000600,"source":"uw","folder":"avatars","tags":"avatar","public_id":"widget_42"}}`, 403, "timestamp"},
		{"unknown parameter", "POST", "", "42", `{"paramsToSign":{"timestamp":1700000000,"source":"uw","folder":"avatars","tags":"avatar","public_id":"widget_42","eval":"x"}}`, 403, "eval"},
		{"another user's public_id", "POST", "", "7", `{"paramsToSign":` + good + `}`, 403, "public_id"},
		{"no session", "POST", "", "", `{"paramsToSign":` + good + `}`, 401, "not authorized"},
		{"banned", "POST", "", "banned", `{"paramsToSign":` + good + `}`, 403, "may not upload"},
		{"hook binds overwrite true", "POST", "", "conflict", `{"paramsToSign":` + good + `}`, 403, "overwrite"},
		{"hook's values cannot be encoded", "POST", "", "invalid", `{"paramsToSign":` + good + `}`, 500, "could not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.method, tt.contentType, tt.user, tt.body)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.wantStatus)
			}
			var out map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatalf("answer is not JSON: %q", w.Body)
			}
			if tt.wantStatus == 200 {
				// The proposal's documented string to sign, hashed here.
				want := fmt.Sprintf("%x", sha1.Sum([]byte("folder=avatars&public_id=widget_42&source=uw&tags=avatar&timestamp=1700000000"+secret)))
				if out["signature"] != want || out["api_key"] != key {
					t.Errorf("answer %v", out)
				}
				return
			}
			if !strings.Contains(out["error"], tt.wantText) {
				t.Errorf("error %q, want it to mention %q", out["error"], tt.wantText)
			}
			if strings.Contains(w.Body.String(), secret) || strings.Contains(w.Body.String(), "hunter2") {
				t.Errorf("answer leaks: %s", w.Body)
			}
		})
	}

}

// TestProposalHandlerWithFake drives the handler as next-cloudinary does,
// over HTTP, then uploads what the widget posts to the fake endpoint.
func TestProposalHandlerWithFake(t *testing.T) {
	fake := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(func() time.Time { return testTime }))
	defer fake.Close()
	set := uploadsign.ParamSet{Name: "widget", Version: 1,
		Params: uploadsign.Params{Folder: "avatars", PublicID: "widget_{owner}", Tags: []string{"avatar"}, UniqueFilename: uploadsign.Bool(true),
			CustomCoordinates: []uploadsign.Rect{{X: 35, Y: 39, Width: 612, Height: 706}}},
		ClientParams: []string{"source", "use_filename", "eager"},
	}
	s := newSigner(t, uploadsign.WithUploadURL(fake.URL), uploadsign.WithParamSets(set))
	backend := httptest.NewServer(uploadsignhttp.NewProposalHandler(s, "widget", 1, widgetAuth))
	defer backend.Close()

	// A realistic proposal: JS booleans where the set encodes 1, an array
	// of tags, a numeric timestamp.
	proposal := map[string]any{"timestamp": testTime.Unix(), "source": "uw", "folder": "avatars", "tags": []string{"avatar"},
		"public_id": "widget_42", "unique_filename": true, "use_filename": false, "custom_coordinates": "35,39,612,706",
		"eager": "c_fill,w_200,h_200"}
	body, _ := json.Marshal(map[string]any{"paramsToSign": proposal})
	req, _ := http.NewRequest("POST", backend.URL, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", browserJSON)
	req.Header.Set("X-User", "42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("signature: %d %v %v", resp.StatusCode, out, err)
	}
	answer := widgetUpload(t, s.UploadURL("image"), proposal, out["signature"], realPNG(t))
	if answer.Status != 200 || answer.Result.PublicID != "avatars/widget_42" {
		t.Fatalf("upload: %v", answer)
	}
}

// TestProposalHandlerClientSetFrom: a hook shared with NewHandler reads the
// set and version with ClientSetFrom.
func TestProposalHandlerClientSetFrom(t *testing.T) {
	s := newSigner(t, uploadsign.WithParamSets(avatarWidget))
	var got uploadsignhttp.ClientSet
	h := uploadsignhttp.NewProposalHandler(s, "avatar-widget", 1, func(r *http.Request) (uploadsign.Request, error) {
		req, ok := uploadsignhttp.ClientSetFrom(r)
		if !ok {
			return uploadsign.Request{}, errors.New("no request")
		}
		got = req
		return uploadsign.Request{Owner: "42"}, nil
	})
	body := `{"paramsToSign":{"timestamp":1700000000,"source":"uw","folder":"avatars","tags":"avatar","public_id":"widget_42"}}`
	if w := serve(h, "POST", "", "42", body); w.Code != 200 || got != (uploadsignhttp.ClientSet{ParamSet: "avatar-widget", Version: 1}) {
		t.Errorf("status %d, ClientSetFrom gave %+v", w.Code, got)
	}
}
