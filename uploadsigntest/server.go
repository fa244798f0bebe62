package uploadsigntest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// MaxUploadBytes is the size up to which an [Upload] holds its bytes in
// memory, in File; a larger upload's bytes are in a temporary file (see
// [Upload.Path]). The largest request is Cloudinary's limit,
// [DefaultMaxRequestBytes].
const MaxUploadBytes = 32 << 20

// Cloudinary's limits, the server's defaults. Cloudinary's messages count
// in binary megabytes: it refuses a 10 MB image of a free plan with
// "File size too large. Got 28078738. Maximum is 10485760." and a 100 MB
// request with "Maximum is 104857600.", so "5mb" in its "All parts except
// EOF-chunk must be larger than 5mb" is read as 5 MiB too.
const (
	// DefaultMaxRequestBytes is the largest file one request may carry,
	// whole or as a chunk: 100 MiB, on every Cloudinary plan.
	DefaultMaxRequestBytes = 100 << 20
	// DefaultMinChunkBytes is the smallest chunk but the last of a chunked
	// upload: 5 MiB. The SDKs send 20,000,000-byte chunks by default.
	DefaultMinChunkBytes = 5 << 20
)

// Server is a fake Cloudinary upload endpoint for one account. It embeds
// [httptest.Server], so URL and Close work as there. Point a Signer at it
// with [uploadsign.WithUploadURL](srv.URL). It is safe for concurrent use.
type Server struct {
	*httptest.Server

	cloud      string
	keys       []credential // the API keys, NewServer's first; their secrets inside functions (oracle.go)
	notifyKey  string       // the API key whose secret signs notifications
	notifyURL  string       // the account's notification URL, "" for none
	sha256Only bool
	now        func() time.Time
	badOption  string // why an option cannot apply, for NewServer to panic with

	maxRequest, minChunk, maxFile int64

	mu      sync.Mutex
	assets  map[string]*asset // by resource type, delivery type and public_id
	uploads []Upload
	failing []*refusal                // FailNext's and DropNext's, in order
	pending map[string]*chunkedUpload // chunked uploads under way, by X-Unique-Upload-Id
	dir     string                    // the temporary files, once there are any

	closed     bool           // Close was called: no more requests, nor notifications
	deliveries []Delivery     // notifications sent
	delivered  chan struct{}  // closed, and replaced, when a delivery is added
	sending    sync.WaitGroup // notifications under way
}

// Upload is one request the server answered. A chunked upload is
// recorded once, by its last chunk, with the bytes of the whole file; a
// refused chunk is recorded like any refused request. Only an accepted
// upload keeps its fields, its file name and its bytes: the server drops
// those of a refused or dropped request, from memory and disk, as soon as
// it refuses it, and records it with its Status, Size, ResourceType,
// chunk headers, Chunks and Response, no string of them longer than
// [MaxRecordedBytes].
type Upload struct {
	ResourceType string            // from the URL path
	Fields       map[string]string // every posted field but the file (of the last chunk, for a chunked upload); nil if refused
	Filename     string            // the file part's name, if any ("file" for a data URI); "" if refused
	Size         int64             // the number of bytes uploaded (of the whole file, for a chunked upload), kept or not
	// File holds the uploaded bytes of an accepted upload of at most
	// MaxUploadBytes; it is nil for a larger file, whose bytes are at
	// Path, and for a request not answered with 200.
	File []byte
	// Path is the temporary file that holds the bytes of an accepted
	// file larger than MaxUploadBytes, "" otherwise. Close removes it. [Upload.Open]
	// reads either.
	Path         string
	UploadID     string         // a chunked upload's X-Unique-Upload-Id header, "" for an upload in one request
	ContentRange string         // the Content-Range header of the chunk recorded (the last one, when accepted)
	Chunks       int            // how many chunks were assembled; 0 for an upload in one request
	Status       int            // the HTTP status answered; 0 for a dropped connection
	Response     map[string]any // the JSON answered, decoded
	// Destroyed reports that the asset this upload made (or met, with
	// overwrite false) was destroyed since: its bytes are gone, from File,
	// Path and delivery.
	Destroyed bool
}

// MaxRecordedBytes bounds each string the server records of a refused
// request (its resource type, chunk headers and error message), which it
// cuts there: a page that posts to the fake cannot make it keep more.
const MaxRecordedBytes = 1024

// refused is what the server records of a refused request, which answered
// status and message: nothing of its body, and no string longer than
// MaxRecordedBytes, nor one that shares memory with the request.
func (up Upload) refused(status int, message string) Upload {
	r := Upload{ResourceType: clip(up.ResourceType), Size: up.Size, UploadID: clip(up.UploadID),
		ContentRange: clip(up.ContentRange), Chunks: up.Chunks, Status: status}
	if status != 0 {
		r.Response = (&refusal{message: clip(message)}).body()
	}
	return r
}

// clip returns a copy of s cut to MaxRecordedBytes.
func clip(s string) string {
	return strings.Clone(s[:min(len(s), MaxRecordedBytes)])
}

// Open opens the uploaded bytes for reading, from File or from the file at
// Path; the caller closes it. It fails for an upload without a file, and
// for one of more than MaxUploadBytes once the server is closed.
func (u Upload) Open() (io.ReadSeekCloser, error) {
	switch {
	case u.Path != "":
		return os.Open(u.Path)
	case u.File != nil:
		return memReader{bytes.NewReader(u.File)}, nil
	}
	return nil, errors.New("uploadsigntest: the upload has no file")
}

type asset struct {
	response map[string]any
	body     *blob
	mimeType string
}

// NewServer starts a fake upload endpoint for the account with the given
// cloud name, API key and secret (see [WithKey] for more keys). Close it
// when done. Like [httptest.NewServer], it panics if it cannot start, here
// also when the credentials are ones uploadsign.New refuses or an option
// cannot apply.
func NewServer(cloudName, apiKey, apiSecret string, opts ...ServerOption) *Server {
	for _, err := range []error{cloudinary.CheckCloudName(cloudName), cloudinary.CheckCredential("API key", apiKey),
		cloudinary.CheckCredential("API secret", apiSecret)} {
		if err != nil {
			panic("uploadsigntest: NewServer: " + err.Error())
		}
	}
	s := &Server{
		cloud:      cloudName,
		keys:       []credential{newCredential(apiKey, apiSecret)},
		notifyKey:  apiKey,
		now:        time.Now,
		maxRequest: DefaultMaxRequestBytes,
		minChunk:   DefaultMinChunkBytes,
		assets:     make(map[string]*asset),
		pending:    make(map[string]*chunkedUpload),
		delivered:  make(chan struct{}),
	}
	for _, opt := range opts {
		opt(s)
	}
	if _, ok := s.key(s.notifyKey); !ok && s.badOption == "" {
		s.badOption = fmt.Sprintf("WithNotificationKey(%q): the server has no such API key", s.notifyKey)
	}
	if s.badOption != "" {
		panic("uploadsigntest: NewServer: " + s.badOption)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, "") }))
	return s
}

// Close shuts the server down as [httptest.Server.Close] does, then
// removes its temporary files: the bytes of large uploads (their
// Upload.Path) and the chunks of uploads never finished.
func (s *Server) Close() {
	s.Server.Close()
	s.mu.Lock()
	s.closed = true // requests through Mount are refused from now on
	s.mu.Unlock()
	s.sending.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, p := range s.pending {
		if p.file != nil {
			p.file.Close()
		}
		delete(s.pending, id)
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// String describes the server without its secret.
func (s *Server) String() string {
	keys := make([]string, len(s.keys))
	for i, k := range s.keys {
		keys[i] = k.apiKey
	}
	return fmt.Sprintf("uploadsigntest.Server{URL: %q, cloud_name: %q, api_keys: %q}", s.URL, s.cloud, keys)
}

// key returns the credential of an API key of the account.
func (s *Server) key(apiKey string) (credential, bool) {
	for _, k := range s.keys {
		if k.apiKey == apiKey {
			return k, true
		}
	}
	return credential{}, false
}

// Uploads returns every upload request the server answered, in order,
// with the response given and, if accepted, the fields posted (see
// [Upload]).
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Upload(nil), s.uploads...)
}

// FailNext makes the next upload (or destroy) request fail with the
// status, which must be from 400 to 599, and, in Cloudinary's error
// format, the message. Calls queue up. It panics on another status.
func (s *Server) FailNext(status int, message string) {
	if status < 400 || status > 599 {
		panic(fmt.Sprintf("uploadsigntest: FailNext: status %d is not from 400 to 599", status))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = append(s.failing, refuse(status, "%s", message))
}

// DropNext makes the server close the connection of the next upload (or
// destroy) request without answering. Calls queue up with FailNext's.
func (s *Server) DropNext() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = append(s.failing, &refusal{}) // status 0: dropped
}

// serve answers a request to the server, which is served under prefix of
// the request's host: "" for its own listener, a path for Mount.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, prefix string) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "uploadsigntest: the server is closed", http.StatusServiceUnavailable)
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		s.serveAsset(w, r)
		return
	}
	// Browsers ask before a cross-origin multipart POST only in unusual
	// cases, but answer preflights and allow any origin, as Cloudinary does.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "POST")
		w.Header().Set("Access-Control-Allow-Headers", "*")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/"); len(parts) == 4 && parts[0] == "v1_1" && parts[3] == "destroy" {
		resp, err := s.destroy(r, parts[1], parts[2])
		s.write(w, r, resp, err)
		return
	}
	up := Upload{Fields: map[string]string{}}
	resp, err := s.upload(r, &up, baseURL(r, prefix))
	done := resp["done"] != false // false for a chunk but the last, which is not recorded
	if err != nil {
		refused := refusalOf(err)
		s.record(up.refused(refused.status, refused.message))
	} else if done {
		up.Status = http.StatusOK
		data, _ := json.Marshal(resp)
		_ = json.Unmarshal(data, &up.Response)
		s.record(up)
	}
	s.write(w, r, resp, err)
	if target := s.notificationTarget(up.Fields); err == nil && done && target != "" {
		s.notify(target, s.uploadNotification(resp))
	}
}

// write answers a request with resp, or with the refusal err, in
// Cloudinary's JSON (and, for a refusal, its X-Cld-Error header), or
// drops the connection for a refusal with status 0.
func (s *Server) write(w http.ResponseWriter, r *http.Request, resp map[string]any, err error) {
	status := http.StatusOK
	if err != nil {
		refused := refusalOf(err)
		if refused.status == 0 { // dropped
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		status, resp = refused.status, refused.body()
		w.Header().Set("X-Cld-Error", refused.message)
	}
	// Read what a refusal left of the request, within the limits, so that
	// the client, still sending, gets the answer rather than a reset.
	io.Copy(io.Discard, io.LimitReader(r.Body, maxFieldBytes+base64Len(s.maxRequest)))
	data, _ := json.Marshal(resp)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(data)
}

func (s *Server) record(up Upload) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploads = append(s.uploads, up)
}

// upload checks and stores one upload, or one chunk, and returns its
// answer, or refuses it.
func (s *Server) upload(r *http.Request, up *Upload, base string) (resp map[string]any, err error) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if r.Method != http.MethodPost || len(parts) != 4 || parts[0] != "v1_1" || parts[3] != "upload" {
		return nil, refuse(http.StatusNotFound, "Not found: POST /v1_1/CLOUD_NAME/RESOURCE_TYPE/upload")
	}
	if parts[1] != s.cloud {
		return nil, refuse(http.StatusUnauthorized, "Invalid cloud_name %s", parts[1])
	}
	up.ResourceType = parts[2]
	if !cloudinary.IsUploadResourceType(up.ResourceType) {
		return nil, refuse(http.StatusNotFound, "Invalid resource type %s", up.ResourceType)
	}
	var (
		cr contentRange
		p  *chunkedUpload // the upload a chunk belongs to, locked while the chunk is read
	)
	if h := r.Header.Get("Content-Range"); h != "" {
		up.ContentRange, up.UploadID = h, r.Header.Get("X-Unique-Upload-Id")
		if cr, err = parseContentRange(h); err != nil {
			return nil, err
		}
		if up.UploadID == "" {
			return nil, badRequest("Missing X-Unique-Upload-Id header: every chunk of a file carries the same one")
		}
		p = s.pendingUpload(up.UploadID, up.ResourceType)
		defer s.release(p)
	}
	file, err := s.readForm(r, up, p)
	if err != nil {
		return nil, err
	}
	resp, err = s.take(up, cr, p, file, base)
	if file != nil && up.Size == 0 {
		up.Size = file.size
	}
	switch {
	case p == nil && err == nil:
		s.attach(up, file)
	case p == nil:
		file.discard() // a refused request leaves nothing behind
	}
	return resp, err
}

// attach gives a recorded upload its bytes.
func (s *Server) attach(up *Upload, b *blob) {
	if b == nil {
		return
	}
	up.Size, up.File, up.Path = b.size, b.data, b.path
}
