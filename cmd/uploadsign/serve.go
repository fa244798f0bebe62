package main

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

//go:embed web
var webFiles embed.FS

// The demo's parameter set: what every avatar upload signs.
var avatarSet = uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{
	Folder:         "uploadsign-demo",
	Tags:           []string{"uploadsign-demo"},
	AllowedFormats: []string{"jpg", "png", "gif", "webp"},
	Overwrite:      uploadsign.Bool(false),
}}

const demoCloud, demoKey = "uploadsign-demo", "123456789012345"

// demo is the demo web app: the page, the signature endpoint, and the
// endpoint that verifies what the browser reports back.
type demo struct {
	signer *uploadsign.Signer
	fake   *uploadsigntest.Server // nil when uploading to a real account
	secret string                 // the random demo secret, with the fake

	mu       sync.Mutex
	payloads []*uploadsign.Payload // issued, newest last
}

// newDemo signs for the account in the credentials, or, with none, for a
// fake upload endpoint with a random secret.
func newDemo(e env, cred credentials) (*demo, error) {
	if cred.url != "" || e.getenv("CLOUDINARY_URL") != "" {
		s, err := cred.signer(e, uploadsign.WithParamSets(avatarSet))
		if err != nil {
			return nil, err
		}
		return &demo{signer: s}, nil
	}
	secret := randomHex(16)
	fake := uploadsigntest.NewServer(demoCloud, demoKey, secret)
	s, err := uploadsign.New(demoCloud, demoKey, secret, uploadsign.WithClock(e.now),
		uploadsign.WithUploadURL(fake.URL), uploadsign.WithDeliveryURL(fake.URL+"/"+demoCloud),
		uploadsign.WithParamSets(avatarSet))
	if err != nil {
		fake.Close()
		return nil, err
	}
	return &demo{signer: s, fake: fake, secret: secret}, nil
}

func (d *demo) close() {
	if d.fake != nil {
		d.fake.Close()
	}
}

func (d *demo) handler() http.Handler {
	static, _ := fs.Sub(webFiles, "web")
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.FS(static)))
	mux.Handle("/api/signature", d.recordPayloads(uploadsignhttp.NewHandler(d.signer, d.authorize)))
	mux.HandleFunc("/api/uploaded", d.uploaded)
	mux.HandleFunc("/api/info", d.info)
	mux.HandleFunc("/api/explain", d.explain)
	return mux
}

// authorize lets everyone upload (a real app checks its session here) and
// gives every upload a fresh, unguessable public_id.
func (d *demo) authorize(*http.Request) (uploadsign.Params, error) {
	return uploadsign.Params{PublicID: "avatar_" + randomHex(8)}, nil
}

// recordPayloads keeps the payloads the handler issues, for the log and
// for tests.
func (d *demo) recordPayloads(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		var p uploadsign.Payload
		if rec.status == http.StatusOK && json.Unmarshal(rec.body, &p) == nil {
			d.mu.Lock()
			d.payloads = append(d.payloads, &p)
			d.mu.Unlock()
		}
	})
}

type recorder struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body = append(r.body, b...)
	return r.ResponseWriter.Write(b)
}

// issued returns the payloads issued so far.
func (d *demo) issued() []*uploadsign.Payload {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*uploadsign.Payload(nil), d.payloads...)
}

// uploaded verifies the upload result the browser reports back, as a real
// backend must before it stores anything, and answers the URL it built
// from what Cloudinary signed: the one URL the page shows.
func (d *demo) uploaded(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "use POST"})
		return
	}
	var result uploadsign.UploadResult
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&result); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "want the upload response as JSON: " + err.Error()})
		return
	}
	asset, err := d.signer.VerifyUpload(result)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	// A real backend stores asset.URL for the user here, never a URL from
	// the report.
	writeJSON(w, http.StatusOK, map[string]any{"verified": true, "public_id": asset.PublicID, "version": asset.Version, "url": asset.URL})
}

// explain says why Cloudinary answered "Invalid Signature": the page posts
// Cloudinary's message and the fields it was given to sign.
func (d *demo) explain(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "use POST"})
		return
	}
	var req struct {
		Error  string            `json:"error"`
		Fields map[string]string `json:"fields"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": `want {"error": "Cloudinary's message", "fields": {...}}: ` + err.Error()})
		return
	}
	signed := url.Values{}
	for k, v := range req.Fields {
		signed.Set(k, v)
	}
	diagnosis, err := d.signer.Explain(req.Error, signed)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"server_string": diagnosis.ServerString,
		"signed_string": diagnosis.SignedString, "causes": diagnosis.Causes})
}

// info tells the page where uploads go, and the demo secret when it is a
// throwaway one for the fake endpoint.
func (d *demo) info(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{"mode": "cloudinary", "upload_url": d.signer.UploadURL("image")}
	if d.fake != nil {
		out["mode"] = "fake"
		out["demo_secret"] = d.secret
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

func cmdServe(args []string, e env) int {
	flags := newFlags("serve", "serve [--addr HOST:PORT] [--cloudinary-url URL]", e)
	addr := flags.String("addr", "localhost:8080", "address to serve the demo on")
	var cred credentials
	cred.register(flags)
	if status, done := parse(flags, args); done {
		return status
	}
	if flags.NArg() > 0 {
		return usageError(e, flags, "unexpected arguments %q", flags.Args())
	}
	d, err := newDemo(e, cred)
	if err != nil {
		return usageError(e, flags, "%v", err)
	}
	defer d.close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "uploadsign serve: %v\n", err)
		return exitFailed
	}
	if d.fake != nil {
		fmt.Fprintf(e.stderr, "No CLOUDINARY_URL: uploads go to a fake Cloudinary upload endpoint at %s,\n", d.fake.URL)
		fmt.Fprintf(e.stderr, "signed with a random demo secret for this run only: %s\n", d.secret)
	} else {
		fmt.Fprintf(e.stderr, "Uploads go to your Cloudinary account: %s\n", d.signer.UploadURL("image"))
	}
	fmt.Fprintf(e.stdout, "uploadsign demo: open http://%s/ (Ctrl-C stops)\n", ln.Addr())
	srv := &http.Server{Handler: d.handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(e.stderr, "uploadsign serve: %v\n", err)
		return exitFailed
	case <-e.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(e.stderr, "uploadsign serve: shutting down: %v\n", err)
		return exitFailed
	}
	fmt.Fprintln(e.stderr, "uploadsign demo stopped")
	return exitOK
}
