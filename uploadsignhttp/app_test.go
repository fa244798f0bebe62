package uploadsignhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// store is the application's database: what it keeps of each owner's
// uploads, and the notifications it has handled.
type store struct {
	mu      sync.Mutex
	avatars map[string]string   // owner: URL
	gallery map[string][]string // owner: URLs
	docs    map[string][]string // owner: URLs
	hero    string
	handled map[string]bool // notification keys
}

// save keeps a verified upload; it is all the application writes about
// where an upload goes: the set and owner come from the library.
func (st *store) save(_ *http.Request, u *uploadsign.Upload) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	switch u.Set {
	case "avatar":
		st.avatars[u.Owner] = u.Asset.URL
	case "gallery":
		st.gallery[u.Owner] = appendOnce(st.gallery[u.Owner], u.Asset.URL)
	case "docs":
		st.docs[u.Owner] = appendOnce(st.docs[u.Owner], u.Asset.URL)
	case "hero":
		st.hero = u.Asset.URL
	}
	return nil
}

func appendOnce(list []string, v string) []string {
	for _, have := range list {
		if have == v {
			return list
		}
	}
	return append(list, v)
}

// TestAppEndToEnd is an application written from the README and the docs: an avatar
// per user, a gallery through the Upload Widget, raw documents and an
// admin-only hero image, with the library's report and webhook routes and
// no code that maps a public_id back to its owner. Everything runs
// through the fake endpoint, which notifies the webhook.
func TestAppEndToEnd(t *testing.T) {
	st := &store{avatars: map[string]string{}, gallery: map[string][]string{}, docs: map[string][]string{}, handled: map[string]bool{}}
	mux := http.NewServeMux()
	app := httptest.NewServer(mux)
	defer app.Close()
	// The account's notification URL is the application's webhook.
	fake := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(func() time.Time { return testTime }),
		uploadsigntest.WithNotificationURL(app.URL+"/cloudinary/webhook"))
	defer fake.Close()

	signer, err := uploadsign.New(cloud, key, secret, uploadsign.WithUploadURL(fake.URL),
		uploadsign.WithClock(func() time.Time { return testTime }),
		uploadsign.WithParamSets(
			uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{PublicID: "avatars/user_{owner}"}},
			uploadsign.ParamSet{Name: "gallery", Version: 1, Params: uploadsign.Params{Folder: "gallery/{owner}", Overwrite: uploadsign.Bool(false)},
				ClientParams: []string{"source", "public_id"}},
			uploadsign.ParamSet{Name: "docs", Version: 1, ResourceType: "raw", Params: uploadsign.Params{Folder: "docs/{owner}", AllowedFormats: []string{"pdf", "txt"}}},
			uploadsign.ParamSet{Name: "hero", Version: 1, Params: uploadsign.Params{PublicID: "site/hero"}},
		))
	if err != nil {
		t.Fatal(err)
	}
	// The session: X-User names the user; "admin" is the admin.
	authorize := func(r *http.Request) (uploadsign.Request, error) {
		user := r.Header.Get("X-User")
		if user == "" {
			return uploadsign.Request{}, &uploadsignhttp.StatusError{Code: 401, Message: "log in first"}
		}
		return uploadsign.Request{Owner: user}, nil
	}
	admin := func(r *http.Request) (uploadsign.Request, error) {
		if r.Header.Get("X-User") != "admin" {
			return uploadsign.Request{}, uploadsignhttp.Forbidden("admins only")
		}
		return uploadsign.Request{}, nil
	}
	userSets := uploadsignhttp.Sets("avatar", "docs", "gallery")
	mux.Handle("POST /uploads/signature", uploadsignhttp.NewHandler(signer, authorize, uploadsignhttp.Sets("avatar", "docs")))
	mux.Handle("POST /uploads/widget", uploadsignhttp.NewProposalHandler(signer, "gallery", 1, authorize))
	mux.Handle("POST /uploads/done", uploadsignhttp.NewReportHandler(signer, authorize, st.save, userSets))
	mux.Handle("POST /admin/signature", uploadsignhttp.NewHandler(signer, admin, uploadsignhttp.Sets("hero")))
	mux.Handle("POST /admin/done", uploadsignhttp.NewReportHandler(signer, admin, st.save, uploadsignhttp.Sets("hero")))
	mux.Handle("POST /cloudinary/webhook", uploadsignhttp.NewNotificationHandler(signer, func(r *http.Request, n *uploadsign.Notification) error {
		if n.Upload == nil {
			return nil // no set's upload: n.Problem says why
		}
		st.mu.Lock()
		seen := st.handled[n.Key]
		st.handled[n.Key] = true
		st.mu.Unlock()
		if seen {
			return nil
		}
		return st.save(r, n.Upload)
	}))

	// What the browser does.
	call := func(path, user, body string, out any) int {
		t.Helper()
		req, _ := http.NewRequest("POST", app.URL+path, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-User", user)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			_ = json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
	upload := func(path, user, set string, name string, file []byte) *uploadsigntest.Answer {
		t.Helper()
		var p uploadsign.Payload
		if status := call(path, user, fmt.Sprintf(`{"param_set":%q,"version":1}`, set), &p); status != 200 {
			t.Fatalf("%s asks %s for %s: %d", user, path, set, status)
		}
		answer, err := uploadsigntest.Post(p.URL, p.Fields, name, file)
		if err != nil || answer.Status != 200 {
			t.Fatalf("%s uploads %s: %v %v", user, set, answer, err)
		}
		return answer
	}
	report := func(path, user, set string, answer *uploadsigntest.Answer) int {
		t.Helper()
		return call(path, user, fmt.Sprintf(`{"param_set":%q,"version":1,"result":%s}`, set, answer.Body), nil)
	}
	deliveries := 0
	awaitNotification := func() {
		t.Helper()
		deliveries++
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ds, err := fake.AwaitDeliveries(ctx, deliveries)
		if err != nil || ds[deliveries-1].Status != 200 {
			t.Fatalf("notification %d: %v %+v", deliveries, err, ds)
		}
	}
	png := realPNG(t)

	// Alice (42) uploads her avatar and reports it back; Bob (7) cannot
	// claim it as his.
	alice := upload("/uploads/signature", "42", "avatar", "me.png", png)
	awaitNotification()
	if status := report("/uploads/done", "42", "avatar", alice); status != 200 {
		t.Errorf("Alice's report: %d", status)
	}
	if status := report("/uploads/done", "7", "avatar", alice); status != http.StatusForbidden {
		t.Errorf("Bob reports Alice's avatar: %d, want 403", status)
	}

	// Bob never reports his back: the webhook stores it.
	upload("/uploads/signature", "7", "avatar", "bob.png", png)
	awaitNotification()

	// Gallery through the widget: each in their own folder, even with the
	// same name.
	for _, user := range []string{"42", "7"} {
		proposal := map[string]any{"timestamp": testTime.Unix(), "source": "uw", "folder": "gallery/" + user,
			"public_id": "passport", "overwrite": false}
		body, _ := json.Marshal(map[string]any{"paramsToSign": proposal})
		var sig map[string]string
		if status := call("/uploads/widget", user, string(body), &sig); status != 200 {
			t.Fatalf("%s's widget signature: %d %v", user, status, sig)
		}
		answer := widgetUpload(t, fake.URL+"/v1_1/"+cloud+"/image/upload", proposal, sig["signature"], png)
		awaitNotification()
		if answer.Status != 200 || answer.Result.Existing || report("/uploads/done", user, "gallery", answer) != 200 {
			t.Errorf("%s's gallery upload: %v", user, answer)
		}
	}

	// A document, raw, with its extension.
	upload("/uploads/signature", "42", "docs", "cv.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	awaitNotification()

	// The hero image: not on the users' endpoint, and admins only.
	if status := call("/uploads/signature", "42", `{"param_set":"hero","version":1}`, nil); status != http.StatusNotFound {
		t.Errorf("a user asks the users' endpoint for hero: %d, want 404", status)
	}
	if status := call("/admin/signature", "42", `{"param_set":"hero","version":1}`, nil); status != http.StatusForbidden {
		t.Errorf("a user asks the admin endpoint for hero: %d, want 403", status)
	}
	hero := upload("/admin/signature", "admin", "hero", "hero.png", png)
	awaitNotification()
	if status := report("/uploads/done", "42", "hero", hero); status != http.StatusNotFound {
		t.Errorf("a user reports the hero image: %d, want 404", status)
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	const base = "https://res.cloudinary.com/demo/image/upload/v1700000000/"
	if want := map[string]string{"42": base + "avatars/user_42.png", "7": base + "avatars/user_7.png"}; fmt.Sprint(want) != fmt.Sprint(st.avatars) {
		t.Errorf("avatars %v, want %v", st.avatars, want)
	}
	if len(st.gallery["42"]) != 1 || len(st.gallery["7"]) != 1 || st.gallery["42"][0] == st.gallery["7"][0] {
		t.Errorf("gallery %v: want one photo each, apart", st.gallery)
	}
	if len(st.docs["42"]) != 1 || !bytes.HasSuffix([]byte(st.docs["42"][0]), []byte(".pdf")) {
		t.Errorf("docs %v", st.docs)
	}
	if st.hero != base+"site/hero.png" {
		t.Errorf("hero %q", st.hero)
	}
}
