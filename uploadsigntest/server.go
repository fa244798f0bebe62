// Package uploadsigntest provides a fake Cloudinary upload endpoint for
// tests, in the manner of net/http/httptest: signed uploads run end to end
// without an account or a network.
//
//	srv := uploadsigntest.NewServer("demo", "123456789012345", secret)
//	defer srv.Close()
//	signer, _ := uploadsign.New("demo", "123456789012345", secret,
//		uploadsign.WithUploadURL(srv.URL), uploadsign.WithParamSets(sets...))
//	payload, _ := signer.Sign("avatar", 1, uploadsign.Params{})
//	status, answer, _ := uploadsigntest.Post(payload.URL, payload.Fields, "a.png", png)
//	uploads := srv.Uploads()
//
// The server checks an upload as Cloudinary's upload endpoint does: a known
// api_key; the signature over every posted field except file, api_key,
// cloud_name, resource_type and signature, with blank values dropped, in
// signature version 2 (or 1, when no signed value holds "&") and SHA-1 or
// SHA-256 (SHA-256 only with [WithSHA256Only]); a timestamp at most one
// hour old; a file. It answers failures with the messages and statuses
// Cloudinary's users report, and success with the fields of Cloudinary's
// upload response (public_id, version, signature, width and height,
// format, bytes, tags, context, url, secure_url, created_at,
// original_filename, ...); the response signature uses the account's
// algorithm, SHA-1 unless [WithSHA256Only]. The url and secure_url point at
// the server itself, which serves the uploaded bytes. An upload that signs
// a notification_url is followed by Cloudinary's upload notification,
// POSTed there and signed with the account's secret ([Server.Deliveries]);
// [Server.NotificationRequest] makes one for a webhook handler's tests.
// Signatures are checked with the package's own plain implementation of
// Cloudinary's rules, not with the uploadsign library, so that a bug in
// the library shows up as a refused upload instead of being mirrored.
//
// Large files arrive as Cloudinary's SDKs and Upload Widget send them: in
// chunks, each a complete signed upload request of its own, carrying the
// headers X-Unique-Upload-Id (one random id for every chunk of a file) and
// Content-Range: bytes START-END/TOTAL, where TOTAL is the file's size, or
// -1 on every chunk but the last (the official Node SDK's
// upload_chunked_stream, which signs each chunk anew). The server checks
// each chunk as an upload (signature, timestamp within the hour), then
// that the chunks arrive in order from byte 0 without gap or overlap,
// agree on the total, are posted to the same resource type, and that
// every chunk but the last holds at least [DefaultMinChunkBytes].
// (Cloudinary needs the last chunk last, and is said to need the first
// one first; the fake wants them all in order, as the official clients
// send them.) A chunk but the last is answered {"done": false, "bytes":
// N}, N the bytes received so far; the last one with the upload response
// of the whole file, recorded as one [Upload]. A chunk that does not fit
// is refused with a 400 and changes nothing, so the client may send it
// again. [PostChunked] sends a file that way.
//
// Limits are Cloudinary's: a file of more than [DefaultMaxRequestBytes]
// in one request (a whole file or a chunk) is refused with a 400 "File
// size too large. Got N. Maximum is M."; [WithMaxRequestBytes],
// [WithMinChunkBytes] and [WithMaxFileBytes] change them. Files larger
// than [MaxUploadBytes], and chunks, are kept in temporary files, which
// Close removes with the chunks of uploads never finished.
//
// What it does not do: transformations, eager or analysis results, upload
// presets, remote fetching of a file given as a URL, and the limits of a
// plan unless set with [WithMaxFileBytes]. Some values (asset_id,
// generated public_ids) are random.
package uploadsigntest

import (
	"bytes"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // register GIF for image.DecodeConfig
	_ "image/jpeg" // register JPEG
	_ "image/png"  // register PNG
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
	"github.com/uploadsign/uploadsign/internal/random"
)

// MaxUploadBytes is the size up to which an [Upload] holds its bytes in
// memory, in File; a larger upload's bytes are in a temporary file (see
// [Upload.Path]). It used to be the largest request the server read; that
// limit is now Cloudinary's, [DefaultMaxRequestBytes].
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

	cloud, apiKey string
	sha256Only    bool
	now           func() time.Time
	account       account // the secret, inside a function (oracle.go)

	maxRequest, minChunk, maxFile int64

	mu      sync.Mutex
	assets  map[string]*asset // by resource type, delivery type and public_id
	uploads []Upload
	failing []failure
	pending map[string]*chunkedUpload // chunked uploads under way, by X-Unique-Upload-Id
	dir     string                    // the temporary files, once there are any

	closed     bool           // Close was called: no more requests, nor notifications
	deliveries []Delivery     // notifications sent
	delivered  chan struct{}  // closed, and replaced, when a delivery is added
	sending    sync.WaitGroup // notifications under way
}

// Upload is one request the server answered. A chunked upload is
// recorded once, by its last chunk, with the bytes of the whole file; a
// refused chunk is recorded like any refused request, with its own bytes.
type Upload struct {
	ResourceType string            // from the URL path
	Fields       map[string]string // every posted field but the file (of the last chunk, for a chunked upload)
	Filename     string            // the file part's name, if any
	Size         int64             // the number of bytes uploaded: of the whole file, for a chunked upload
	// File holds the uploaded bytes if there are at most MaxUploadBytes;
	// it is nil for a larger file, whose bytes are at Path, and when the
	// request was refused before its file was read.
	File []byte
	// Path is the temporary file that holds the bytes of a file larger
	// than MaxUploadBytes, "" otherwise. Close removes it. [Upload.Open]
	// reads either.
	Path         string
	UploadID     string         // a chunked upload's X-Unique-Upload-Id header, "" for an upload in one request
	ContentRange string         // the Content-Range header of the chunk recorded (the last one, when accepted)
	Chunks       int            // how many chunks were assembled; 0 for an upload in one request
	Status       int            // the HTTP status answered; 0 for a dropped connection
	Response     map[string]any // the JSON answered, decoded
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

type failure struct {
	status  int
	message string
	drop    bool
}

// ServerOption configures a Server.
type ServerOption func(*Server)

// WithSHA256Only makes the server refuse SHA-1 signatures, as an account
// does that asked for SHA-256 only.
func WithSHA256Only() ServerOption {
	return func(s *Server) { s.sha256Only = true }
}

// WithClock sets the server's clock, which judges the age of timestamps
// and stamps versions. The default is time.Now.
func WithClock(now func() time.Time) ServerOption {
	return func(s *Server) { s.now = now }
}

// WithMaxRequestBytes sets the largest file one request may carry, whole
// or as a chunk; 0 removes the limit. The default is Cloudinary's,
// [DefaultMaxRequestBytes]. A larger file is refused with status 400 and
// "File size too large. Got N. Maximum is M." NewServer panics if n is
// negative.
func WithMaxRequestBytes(n int64) ServerOption {
	return func(s *Server) {
		mustNotBeNegative("WithMaxRequestBytes", n)
		s.maxRequest = n
	}
}

// WithMinChunkBytes sets the smallest chunk but the last of a chunked
// upload; 0 removes the minimum. The default is Cloudinary's,
// [DefaultMinChunkBytes]; set a small one to test chunked uploads with
// small files. A smaller chunk is refused with status 400 and "All parts
// except EOF-chunk must be larger than 5mb" (the size in bytes, with
// another minimum). NewServer panics if n is negative.
func WithMinChunkBytes(n int64) ServerOption {
	return func(s *Server) {
		mustNotBeNegative("WithMinChunkBytes", n)
		s.minChunk = n
	}
}

// WithMaxFileBytes sets the largest file, in one request or assembled from
// chunks, as a Cloudinary plan limits the size of an image or video; 0,
// the default, sets no limit beyond [WithMaxRequestBytes] for one request.
// A chunked upload is refused as soon as a chunk's Content-Range shows it
// is larger, with status 400 and "File size too large. Got N. Maximum is
// M.", N the total or the end of the chunk. NewServer panics if n is
// negative.
func WithMaxFileBytes(n int64) ServerOption {
	return func(s *Server) {
		mustNotBeNegative("WithMaxFileBytes", n)
		s.maxFile = n
	}
}

// NewServer starts a fake upload endpoint for the account with the given
// cloud name, API key and secret. Close it when done. Like
// [httptest.NewServer], it panics if it cannot start, here also when the
// credentials are ones uploadsign.New refuses.
func NewServer(cloudName, apiKey, apiSecret string, opts ...ServerOption) *Server {
	for _, err := range []error{cloudinary.CheckCloudName(cloudName), cloudinary.CheckCredential("API key", apiKey),
		cloudinary.CheckCredential("API secret", apiSecret)} {
		if err != nil {
			panic("uploadsigntest: NewServer: " + err.Error())
		}
	}
	s := &Server{
		cloud:      cloudName,
		apiKey:     apiKey,
		account:    newAccount(apiSecret),
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
	return fmt.Sprintf("uploadsigntest.Server{URL: %q, cloud_name: %q, api_key: %q}", s.URL, s.cloud, s.apiKey)
}

// Uploads returns every upload request the server answered, in order,
// with the fields posted and the response given.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Upload(nil), s.uploads...)
}

// FailNext makes the next upload request fail with the status, which must
// be from 400 to 599, and, in Cloudinary's error format, the message. Calls
// queue up. It panics on another status.
func (s *Server) FailNext(status int, message string) {
	if status < 400 || status > 599 {
		panic(fmt.Sprintf("uploadsigntest: FailNext: status %d is not from 400 to 599", status))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = append(s.failing, failure{status: status, message: message})
}

// DropNext makes the server close the connection of the next upload
// request without answering. Calls queue up with FailNext's.
func (s *Server) DropNext() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = append(s.failing, failure{drop: true})
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
	up := Upload{Fields: map[string]string{}}
	status, resp, record := s.upload(r, &up, baseURL(r, prefix))
	if status == 0 { // dropped
		s.record(up)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	// Read what a refusal left of the request, within the limits, so that
	// the client, still sending, gets the answer rather than a reset.
	io.Copy(io.Discard, io.LimitReader(r.Body, maxFieldBytes+base64Len(s.maxRequest)))
	data, _ := json.Marshal(resp)
	if record {
		up.Status = status
		_ = json.Unmarshal(data, &up.Response)
		s.record(up)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if status >= 400 {
		if e, ok := resp["error"].(map[string]any); ok {
			w.Header().Set("X-Cld-Error", fmt.Sprint(e["message"]))
		}
	}
	w.WriteHeader(status)
	w.Write(data)
	if target := up.Fields["notification_url"]; status == http.StatusOK && record && target != "" {
		s.notify(target, resp)
	}
}

func (s *Server) record(up Upload) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploads = append(s.uploads, up)
}

func errorBody(msg string) map[string]any {
	return map[string]any{"error": map[string]any{"message": msg}}
}

// upload checks and stores one upload, or one chunk; status 0 means drop
// the connection. It reports whether to record the request: every request
// but an accepted chunk that is not the last.
func (s *Server) upload(r *http.Request, up *Upload, base string) (status int, resp map[string]any, record bool) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if r.Method != http.MethodPost || len(parts) != 4 || parts[0] != "v1_1" || parts[3] != "upload" {
		return http.StatusNotFound, errorBody("Not found: POST /v1_1/CLOUD_NAME/RESOURCE_TYPE/upload"), true
	}
	if parts[1] != s.cloud {
		return http.StatusUnauthorized, errorBody("Invalid cloud_name " + parts[1]), true
	}
	up.ResourceType = parts[2]
	if !cloudinary.IsUploadResourceType(up.ResourceType) {
		return http.StatusNotFound, errorBody("Invalid resource type " + up.ResourceType), true
	}
	var (
		cr contentRange
		p  *chunkedUpload // the upload a chunk belongs to, locked while the chunk is read
	)
	chunked := false
	if h := r.Header.Get("Content-Range"); h != "" {
		up.ContentRange, up.UploadID = h, r.Header.Get("X-Unique-Upload-Id")
		var err error
		if cr, err = parseContentRange(h); err != nil {
			return http.StatusBadRequest, errorBody(err.Error()), true
		}
		if up.UploadID == "" {
			return http.StatusBadRequest, errorBody("Missing X-Unique-Upload-Id header: every chunk of a file carries the same one"), true
		}
		chunked = true
		p = s.pendingUpload(up.UploadID, up.ResourceType)
		defer s.release(p)
	}
	file, err := s.readForm(r, up, p)
	if err != nil {
		return errorStatus(err), errorBody(err.Error()), true
	}
	refuse := func(status int, msg string) (int, map[string]any, bool) {
		if chunked {
			return s.refuseChunk(up, file, status, refusal(msg))
		}
		return status, errorBody(msg), true
	}
	if !chunked {
		s.attach(up, file)
	}

	s.mu.Lock()
	if len(s.failing) > 0 {
		f := s.failing[0]
		s.failing = s.failing[1:]
		s.mu.Unlock()
		if f.drop {
			if chunked {
				s.keepChunk(up, file)
			}
			return 0, nil, true
		}
		return refuse(f.status, f.message)
	}
	s.mu.Unlock()

	f := up.Fields
	switch {
	case f["api_key"] == "":
		return refuse(http.StatusUnauthorized, "Must supply api_key")
	case f["api_key"] != s.apiKey:
		return refuse(http.StatusUnauthorized, "Unknown API key "+f["api_key"])
	case f["signature"] == "":
		return refuse(http.StatusBadRequest, "Upload preset must be specified when using unsigned upload")
	case f["timestamp"] == "":
		return refuse(http.StatusBadRequest, "Missing required parameter - timestamp")
	}
	if !s.checkSignature(f) {
		msg := fmt.Sprintf("Invalid Signature %s. String to sign - '%s'.", f["signature"], stringToSign(f, 2))
		return refuse(http.StatusUnauthorized, msg)
	}
	ts, err := cloudinary.ParseTimestamp(f["timestamp"])
	if err != nil {
		return refuse(http.StatusBadRequest, "Invalid timestamp "+f["timestamp"])
	}
	if reported := time.Unix(ts, 0).UTC(); s.now().Sub(reported) > cloudinary.UploadValidity {
		return refuse(http.StatusBadRequest, fmt.Sprintf("Stale request - reported time is %s which is more than 1 hour ago",
			reported.Format("2006-01-02 15:04:05 -0700")))
	}
	if file == nil {
		return refuse(http.StatusBadRequest, "Missing required parameter - file")
	}
	if file.size == 0 {
		return refuse(http.StatusBadRequest, "Empty file")
	}
	if chunked {
		return s.chunk(up, cr, p, file, base)
	}
	if s.maxFile > 0 && file.size > s.maxFile {
		return refuse(http.StatusBadRequest, tooLarge(file.size, s.maxFile).Error())
	}
	status, resp = s.store(up, file, base)
	return status, resp, true
}

// attach gives a recorded upload its bytes.
func (s *Server) attach(up *Upload, b *blob) {
	if b == nil {
		return
	}
	up.Size, up.File, up.Path = b.size, b.data, b.path
}

// checkSignature accepts the signature in either algorithm (SHA-1 only if
// the account allows it) and either signature version (version 1 only when
// no signed value holds "&"), as Cloudinary does by default.
func (s *Server) checkSignature(f map[string]string) bool {
	versions := []int{2, 1}
	for k, x := range f {
		if !unsigned(k) && strings.ContainsRune(k+x, '&') {
			versions = []int{2}
		}
	}
	got := []byte(strings.ToLower(f["signature"]))
	for _, version := range versions {
		text := stringToSign(f, version)
		for _, useSHA256 := range []bool{false, true} {
			if !useSHA256 && s.sha256Only {
				continue
			}
			if subtle.ConstantTimeCompare(got, []byte(s.account.sign(text, useSHA256))) == 1 {
				return true
			}
		}
	}
	return false
}

// refusal is an error whose text is the message Cloudinary answers with,
// capitalized as Cloudinary writes it.
type refusal string

func (r refusal) Error() string { return string(r) }

func refusalf(format string, args ...any) error { return refusal(fmt.Sprintf(format, args...)) }

// store saves a checked upload and returns Cloudinary's response, whose
// URLs start with base.
func (s *Server) store(up *Upload, b *blob, base string) (int, map[string]any) {
	f := up.Fields
	format, width, height, kind, err := sniff(b, up.Filename)
	if err != nil {
		return http.StatusInternalServerError, errorBody(serverError{err}.Error())
	}
	resourceType := up.ResourceType
	if resourceType == "auto" {
		resourceType = kind
	}
	if resourceType == "image" && kind != "image" {
		return http.StatusBadRequest, errorBody("Invalid image file")
	}
	if f["format"] != "" {
		format = f["format"]
	}
	deliveryType := f["type"]
	if deliveryType == "" {
		deliveryType = "upload"
	}
	name := strings.TrimSuffix(path.Base(up.Filename), path.Ext(up.Filename))
	publicID := f["public_id"]
	if publicID == "" {
		switch {
		case truthy(f["use_filename"]) && name != "" && f["unique_filename"] != "" && !truthy(f["unique_filename"]):
			publicID = name
		case truthy(f["use_filename"]) && name != "":
			publicID = name + "_" + random.Alnum(6)
		default:
			publicID = random.Alnum(20)
		}
	}
	if folder := strings.Trim(f["folder"], "/"); folder != "" {
		publicID = folder + "/" + publicID
	}
	if resourceType == "raw" && format != "" && !strings.HasSuffix(publicID, "."+format) {
		publicID += "." + format
	}

	key := resourceType + "/" + deliveryType + "/" + publicID
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.assets[key]; ok && f["overwrite"] != "" && !truthy(f["overwrite"]) {
		resp := maps.Clone(old.response)
		resp["existing"] = true
		return http.StatusOK, resp
	}
	version := s.now().Unix()
	if old, ok := s.assets[key]; ok {
		if v, _ := old.response["version"].(int64); v >= version {
			version = v + 1
		}
	}
	delivery := fmt.Sprintf("%s/%s/%s/%s/v%d/%s", base, s.cloud, resourceType, deliveryType, version, escapePath(publicID))
	if resourceType != "raw" && format != "" {
		delivery += "." + format
	}
	resp := map[string]any{
		"asset_id":          random.Hex(16),
		"public_id":         publicID,
		"version":           version,
		"version_id":        random.Hex(16),
		"signature":         s.responseSignature(publicID, version),
		"resource_type":     resourceType,
		"type":              deliveryType,
		"created_at":        s.now().UTC().Format(time.RFC3339),
		"bytes":             b.size,
		"etag":              hex.EncodeToString(b.md5[:]),
		"placeholder":       false,
		"url":               delivery,
		"secure_url":        delivery,
		"original_filename": name,
		"api_key":           s.apiKey,
		"tags":              splitTags(f["tags"]),
	}
	if resourceType != "raw" { // a raw file's extension is in its public_id
		resp["format"] = format
	}
	if resourceType == "image" {
		resp["width"], resp["height"] = width, height
	}
	if folder := f["asset_folder"]; folder != "" {
		resp["asset_folder"] = folder
	} else if folder := f["folder"]; folder != "" {
		resp["asset_folder"] = strings.Trim(folder, "/")
	}
	if name := f["display_name"]; name != "" {
		resp["display_name"] = name
	}
	if ctx := f["context"]; ctx != "" {
		resp["context"] = map[string]any{"custom": cloudinary.ParseContext(ctx)}
	}
	s.assets[key] = &asset{response: resp, body: b, mimeType: mimeType(format)}
	return http.StatusOK, maps.Clone(resp)
}

// serveAsset answers GET of a url or secure_url the server returned.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	// /CLOUD/RESOURCE_TYPE/TYPE/vVERSION/PUBLIC_ID[.FORMAT]
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 5)
	if len(parts) == 5 && parts[0] == s.cloud && strings.HasPrefix(parts[3], "v") {
		publicID := parts[4]
		s.mu.Lock()
		a, ok := s.assets[parts[1]+"/"+parts[2]+"/"+publicID]
		if !ok && parts[1] != "raw" {
			a, ok = s.assets[parts[1]+"/"+parts[2]+"/"+strings.TrimSuffix(publicID, path.Ext(publicID))]
		}
		s.mu.Unlock()
		if ok {
			body, err := a.body.open()
			if err != nil {
				http.Error(w, "uploadsigntest: "+err.Error(), http.StatusInternalServerError)
				return
			}
			defer body.Close()
			w.Header().Set("Content-Type", a.mimeType)
			w.Header().Set("Access-Control-Allow-Origin", "*")
			http.ServeContent(w, r, "", time.Time{}, body)
			return
		}
	}
	http.NotFound(w, r)
}

// responseSignature is the signature Cloudinary returns with an upload:
// signature version 1 over public_id and version, with the account's
// algorithm (SHA-256 for an account that requires it, else SHA-1).
func (s *Server) responseSignature(publicID string, version int64) string {
	return s.account.sign("public_id="+publicID+"&version="+strconv.FormatInt(version, 10), s.sha256Only)
}

// escapePath escapes each "/"-separated segment of a public_id for a URL.
func escapePath(publicID string) string {
	segments := strings.Split(publicID, "/")
	for i, seg := range segments {
		segments[i] = url.PathEscape(seg)
	}
	return strings.Join(segments, "/")
}

func truthy(v string) bool { return v == "1" || v == "true" }

func splitTags(v string) []string {
	if v == "" {
		return []string{}
	}
	return strings.Split(v, ",")
}

// sniff reports the format, size and resource type of an upload, reading
// no more of it than its header.
func sniff(b *blob, filename string) (format string, width, height int, kind string, err error) {
	r, err := b.open()
	if err != nil {
		return "", 0, 0, "", err
	}
	defer r.Close()
	if cfg, f, err := image.DecodeConfig(io.NewSectionReader(r, 0, b.size)); err == nil {
		if f == "jpeg" {
			f = "jpg"
		}
		return f, cfg.Width, cfg.Height, "image", nil
	}
	head := make([]byte, 30)
	n, _ := r.ReadAt(head, 0)
	if w, h, ok := webpSize(head[:n]); ok {
		return "webp", w, h, "image", nil
	}
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(filename)), ".")
	switch ext {
	case "mp4", "mov", "webm", "ogv", "avi", "mkv", "mp3", "wav", "ogg":
		return ext, 0, 0, "video", nil
	}
	return ext, 0, 0, "raw", nil
}

// webpSize reads the canvas size from a WebP header (lossy, lossless or
// extended), which the standard library cannot decode.
func webpSize(b []byte) (w, h int, ok bool) {
	if len(b) < 30 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return 0, 0, false
	}
	switch string(b[12:16]) {
	case "VP8 ": // lossy: frame tag, start code, then 14-bit sizes
		if b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a {
			return 0, 0, false
		}
		return int(binary.LittleEndian.Uint16(b[26:]) & 0x3fff), int(binary.LittleEndian.Uint16(b[28:]) & 0x3fff), true
	case "VP8L": // lossless: signature 0x2f, then 14-bit sizes minus one
		if b[20] != 0x2f {
			return 0, 0, false
		}
		bits := binary.LittleEndian.Uint32(b[21:])
		return int(bits&0x3fff) + 1, int(bits>>14&0x3fff) + 1, true
	case "VP8X": // extended: 24-bit canvas sizes minus one
		w := int(b[24]) | int(b[25])<<8 | int(b[26])<<16
		h := int(b[27]) | int(b[28])<<8 | int(b[29])<<16
		return w + 1, h + 1, true
	}
	return 0, 0, false
}

func mimeType(format string) string {
	if t := mime.TypeByExtension("." + format); t != "" {
		return t
	}
	return "application/octet-stream"
}
