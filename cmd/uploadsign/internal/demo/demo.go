// Package demo is the web app that "uploadsign serve" runs: a page that
// asks the backend for a signed payload, posts the file straight to
// Cloudinary's upload endpoint (in one request, or in chunks when it is
// larger than one chunk), and shows the upload only once the backend has
// verified Cloudinary's answer.
//
// Without credentials the uploads go to a fake upload endpoint
// ([uploadsigntest.Server]) that the demo serves under [FakePrefix] of its
// own address, with a random secret for the run: one port serves the page,
// the API and the fake, so the demo works behind a forwarded port (a
// container, a remote machine). The payload's upload URL and the delivery
// URLs then start with the address the browser used, taken from the
// request's Host.
//
// Each set has limits (an avatar at most 2 MB and 2000 × 2000 pixels, a
// video at most 50 MB and a minute), which the payload tells the page:
// the page refuses a larger file before sending a byte of it. Cloudinary
// cannot be told them, so the fake notifies the demo's webhook after each
// upload (uploadsignhttp.NewNotificationHandler, on a loopback port of the
// demo's own), which destroys an upload over them that a script sent past
// the page, and keeps a log the page shows. An avatar's payload is
// accepted for 10 minutes. With a real account, Cloudinary cannot reach
// the webhook at localhost.
//
// A demo listening on loopback answers only requests for a loopback Host;
// see [Config.Exposed].
package demo

import (
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/random"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

//go:embed web
var webFiles embed.FS

// The demo's parameter sets, in the order the page offers them. The page
// picks the set whose allowed formats hold the file's, and refuses a file
// over the Limits its payload carries before sending it; the webhook
// destroys an upload over them that a script sent anyway. An avatar's
// payload is accepted for 10 minutes.
var (
	avatarSet = uploadsign.ParamSet{Name: "avatar", Version: 1, ValidFor: 10 * time.Minute,
		Limits: uploadsign.Limits{MaxBytes: 2 << 20, MaxWidth: 2000, MaxHeight: 2000}, Params: uploadsign.Params{
			Folder:         "uploadsign-demo",
			PublicID:       "upload_{owner}",
			Tags:           []string{"uploadsign-demo"},
			AllowedFormats: []string{"jpg", "png", "gif", "webp"},
			Overwrite:      uploadsign.Bool(false),
		}}
	videoSet = uploadsign.ParamSet{Name: "video", Version: 1, ResourceType: "video",
		Limits: uploadsign.Limits{MaxBytes: 50 << 20, MaxDuration: time.Minute}, Params: uploadsign.Params{
			Folder:         "uploadsign-demo/video",
			PublicID:       "upload_{owner}",
			Tags:           []string{"uploadsign-demo"},
			AllowedFormats: []string{"mp4", "mov", "webm"},
			Overwrite:      uploadsign.Bool(false),
		}}
	demoSets = []uploadsign.ParamSet{avatarSet, videoSet}
)

// The fake account: its cloud name and API key. The secret is random for
// each Demo.
const (
	FakeCloudName = "uploadsign-demo"
	FakeAPIKey    = "123456789012345"
)

// FakePrefix is the path under which a Demo without credentials serves
// its fake upload endpoint and the files uploaded to it.
const FakePrefix = "/fake"

// DefaultChunkBytes is the size of the chunks in which the page sends a
// file larger than one chunk: 20,000,000 bytes, as Cloudinary's SDKs and
// Upload Widget do, and as the README's loop does.
const DefaultChunkBytes = 20_000_000

// Config configures a [Demo]. The zero value is the demo of "uploadsign
// serve" without credentials: a fake upload endpoint with Cloudinary's
// limits.
type Config struct {
	// NewSigner, if set, makes the Signer of a real Cloudinary account;
	// New passes it the options the demo needs (its parameter sets). Nil
	// means uploads go to the fake endpoint.
	NewSigner func(opts ...uploadsign.Option) (*uploadsign.Signer, error)
	// Now is the clock of the Signer and of the fake endpoint; nil means
	// time.Now.
	Now func() time.Time
	// ChunkBytes is the size of the chunks the page sends a larger file
	// in; 0 means DefaultChunkBytes. It must be at least the smallest
	// chunk Cloudinary (or the fake) accepts and at most the largest
	// request.
	ChunkBytes int64
	// MinChunkBytes is the fake endpoint's smallest chunk but the last; 0
	// means Cloudinary's, uploadsigntest.DefaultMinChunkBytes. Tests set
	// small chunks (with ChunkBytes) to send small files in chunks. It
	// must be 0 with NewSigner: Cloudinary's minimum is its own.
	MinChunkBytes int64
	// FakeMiddleware, if set, wraps the fake endpoint's handler: tests
	// watch or hold uploads with it.
	FakeMiddleware func(http.Handler) http.Handler
	// Exposed says that the demo listens beyond loopback (--addr
	// 0.0.0.0:8080), to be reached through a forwarded port or from
	// another machine: it then answers requests for any Host. False, for a
	// demo listening on loopback, makes it answer 421 Misdirected Request
	// to a request whose Host is not localhost or a loopback address, on
	// every route: a page on another site that rebinds its name to this
	// machine reads nothing. Either way the fake's secret is shown, and a
	// real account signs, only for a request whose client address and
	// Host are both loopback.
	Exposed bool
}

// Demo is the demo web app. It is safe for concurrent use.
type Demo struct {
	signer   *uploadsign.Signer     // the real account's; nil with the fake
	fake     *uploadsigntest.Server // nil with a real account
	secret   string                 // the fake's random secret
	now      func() time.Time
	limits   limits
	exposed  bool
	timeouts timeouts
	handler  http.Handler

	webhook         http.Handler // verifies and logs notifications, at webhookPath
	notificationURL string       // where the fake notifies the webhook; "" with a real account
	webhookServer   *http.Server // serves notificationURL

	mu       sync.Mutex
	payloads []*uploadsign.Payload // issued, newest last
	events   []event               // what the webhook did, newest last
}

// limits are what the page shows and uses: Cloudinary's (or the fake's)
// and the chunk size.
type limits struct {
	MaxRequestBytes int64 `json:"max_request_bytes"`
	MinChunkBytes   int64 `json:"min_chunk_bytes"`
	ChunkBytes      int64 `json:"chunk_bytes"`
}

// New returns the demo for cfg. With the fake endpoint, Close stops it.
func New(cfg Config) (*Demo, error) {
	d := &Demo{now: cfg.Now, exposed: cfg.Exposed, timeouts: defaultTimeouts, limits: limits{
		MaxRequestBytes: uploadsigntest.DefaultMaxRequestBytes,
		MinChunkBytes:   uploadsigntest.DefaultMinChunkBytes,
		ChunkBytes:      cfg.ChunkBytes,
	}}
	if d.now == nil {
		d.now = time.Now
	}
	if d.limits.ChunkBytes == 0 {
		d.limits.ChunkBytes = DefaultChunkBytes
	}
	switch {
	case cfg.MinChunkBytes < 0:
		return nil, errors.New("demo: MinChunkBytes is negative")
	case cfg.MinChunkBytes > 0 && cfg.NewSigner != nil:
		return nil, errors.New("demo: MinChunkBytes is the fake endpoint's; Cloudinary's minimum cannot be changed")
	case cfg.MinChunkBytes > 0:
		d.limits.MinChunkBytes = cfg.MinChunkBytes
	}
	if c := d.limits.ChunkBytes; c < d.limits.MinChunkBytes || c > d.limits.MaxRequestBytes {
		return nil, fmt.Errorf("demo: a chunk of %d bytes is outside the limits: at least %d, at most %d", c, d.limits.MinChunkBytes, d.limits.MaxRequestBytes)
	}

	if cfg.NewSigner != nil {
		s, err := cfg.NewSigner(uploadsign.WithParamSets(demoSets...))
		if err != nil {
			return nil, err
		}
		d.signer = s
	} else {
		d.secret = random.Hex(16)
		// Fail now, not at the first request, if the demo's own
		// configuration cannot make a Signer.
		if _, err := d.fakeSigner("http://localhost" + FakePrefix); err != nil {
			return nil, err
		}
		ln, err := d.listenForNotifications()
		if err != nil {
			return nil, err
		}
		d.fake = uploadsigntest.NewServer(FakeCloudName, FakeAPIKey, d.secret, uploadsigntest.WithClock(d.now),
			uploadsigntest.WithMinChunkBytes(d.limits.MinChunkBytes), uploadsigntest.WithNotificationURL(d.notificationURL))
		s, err := d.fakeSigner(d.fake.URL) // the webhook destroys at the fake's own address
		if err != nil {
			d.fake.Close()
			ln.Close()
			return nil, err
		}
		d.serveNotifications(ln, d.newWebhook(s))
	}
	if d.webhook == nil {
		d.webhook = d.newWebhook(d.signer)
	}
	d.handler = d.guard(d.routes(cfg.FakeMiddleware))
	return d, nil
}

// Close stops the fake endpoint, if any, and removes its files.
func (d *Demo) Close() {
	if d.fake != nil {
		d.fake.Close()
		d.webhookServer.Close()
	}
}

// Handler returns the demo's handler: the page at /, its API under /api/,
// and the fake endpoint under [FakePrefix] when there is one. [Demo.Server]
// serves it with timeouts.
func (d *Demo) Handler() http.Handler { return d.handler }

// Fake returns the fake upload endpoint, or nil when uploads go to a real
// account. Its Uploads are what the browser posted.
func (d *Demo) Fake() *uploadsigntest.Server { return d.fake }

// FakeSecret returns the fake endpoint's random secret, which the page
// shows so that the other commands can be tried on the demo's payloads;
// "" with a real account, whose secret is never shown.
func (d *Demo) FakeSecret() string { return d.secret }

// maxIssued is how many payloads Issued keeps.
const maxIssued = 1000

// Issued returns the payloads the demo has signed, oldest first: the last
// 1000.
func (d *Demo) Issued() []*uploadsign.Payload {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*uploadsign.Payload(nil), d.payloads...)
}

// Describe says where uploads go, for the terminal: the fake endpoint at
// base (the address the demo is served at, such as http://localhost:8080),
// or the real account's upload URL.
func (d *Demo) Describe(base string) string {
	if d.fake == nil {
		var urls []string
		for _, set := range demoSets {
			urls = append(urls, fmt.Sprintf("%s (set %s)", d.signer.UploadURL(cmp.Or(set.ResourceType, "image")), set.Name))
		}
		return "Uploads go to your Cloudinary account: " + strings.Join(urls, " or ") + ".\n" +
			"Cloudinary cannot notify the demo's webhook, " + base + webhookPath + ", on this machine: an upload over a set's limits\n" +
			"that a script sends past the page stays in your account."
	}
	return fmt.Sprintf("No CLOUDINARY_URL: uploads go to a fake Cloudinary upload endpoint served at %s%s,\n"+
		"signed with a random demo secret for this run only: %s\n"+
		"It notifies the demo's webhook at %s, which destroys an upload over its set's limits.", base, FakePrefix, d.secret, d.notificationURL)
}

func (d *Demo) routes(middleware func(http.Handler) http.Handler) *http.ServeMux {
	static, err := fs.Sub(webFiles, "web")
	if err != nil {
		panic(err) // the embedded directory is there at build time
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.FS(static)))
	mux.HandleFunc("/api/signature", d.signature)
	mux.HandleFunc("/api/uploaded", d.uploaded)
	mux.HandleFunc("/api/info", d.info)
	mux.HandleFunc("/api/explain", d.explain)
	mux.Handle(webhookPath, d.webhook)
	mux.HandleFunc("GET /api/webhook-log", d.webhookLog)
	if d.fake != nil {
		var fake http.Handler = d.fake.Mount(FakePrefix)
		if middleware != nil {
			fake = middleware(fake)
		}
		mux.Handle(FakePrefix+"/", d.uploadTime(d.bounded(fake)))
	}
	return mux
}

// signerFor returns the Signer for a request. With a real account it is
// the account's. With the fake it is one whose upload and delivery URLs
// start with the address the browser used (the request's Host), since a
// browser may reach the demo at another address than the one it listens
// on: a forwarded port, a container, a remote machine.
func (d *Demo) signerFor(r *http.Request) (*uploadsign.Signer, error) {
	if d.fake == nil {
		return d.signer, nil
	}
	base, err := origin(r)
	if err != nil {
		return nil, err
	}
	return d.fakeSigner(base + FakePrefix)
}

// fakeSigner signs for the fake endpoint served at base.
func (d *Demo) fakeSigner(base string) (*uploadsign.Signer, error) {
	return uploadsign.New(FakeCloudName, FakeAPIKey, d.secret, uploadsign.WithClock(d.now),
		uploadsign.WithUploadURL(base), uploadsign.WithDeliveryURL(base+"/"+FakeCloudName),
		uploadsign.WithParamSets(demoSets...))
}

// origin is the scheme and host the browser reached the demo at.
func origin(r *http.Request) (string, error) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u, err := url.Parse(scheme + "://" + r.Host)
	if r.Host == "" || err != nil || u.Host != r.Host || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("the request's Host %.60q is not a host[:port]", r.Host)
	}
	return scheme + "://" + r.Host, nil
}

// signature answers the page's request for a payload, with the library's
// handler; authorize lets everyone upload (a real app checks its session
// there) and gives every upload a fresh, unguessable public_id. A real
// account signs only for a browser on the demo's own machine.
func (d *Demo) signature(w http.ResponseWriter, r *http.Request) {
	if d.fake == nil && !fromThisMachine(r) {
		writeJSON(w, http.StatusForbidden, map[string]any{"error": notThisMachine})
		return
	}
	s, err := d.signerFor(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	authorize := func(*http.Request) (uploadsign.Request, error) {
		return uploadsign.Request{Owner: random.Hex(8)}, nil // each upload its own owner
	}
	record := uploadsignhttp.OnSigned(func(_ *http.Request, p *uploadsign.Payload) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if len(d.payloads) == maxIssued { // a long-running demo keeps the newest
			d.payloads = append(d.payloads[:0], d.payloads[1:]...)
		}
		d.payloads = append(d.payloads, p)
	})
	uploadsignhttp.NewHandler(s, authorize, record, uploadsignhttp.Sets(avatarSet.Name, videoSet.Name)).ServeHTTP(w, r)
}

// notThisMachine says why a real account does not sign for a request.
const notThisMachine = "This demo signs uploads to your Cloudinary account only for a browser on its own machine, " +
	"opened at localhost, 127.0.0.1 or [::1]: anyone else could upload to your account with its payloads."

func allowPost(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", http.MethodPost)
	writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "use POST"})
	return false
}

// maxJSONBytes is the most the demo's API reads of a request.
const maxJSONBytes = 64 << 10

// readJSON reads a POST's JSON body of at most maxJSONBytes into v, or
// answers the error (want says what the body should be) and returns false.
func readJSON(w http.ResponseWriter, r *http.Request, v any, want string) bool {
	if !allowPost(w, r) {
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBytes))
	if errors.As(err, new(*http.MaxBytesError)) {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"error": fmt.Sprintf("the request body is over %d bytes", maxJSONBytes)})
		return false
	}
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "want " + want + ": " + err.Error()})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
