// Package uploadsignhttp serves uploadsign over HTTP: the endpoint a
// browser calls for an upload payload, the signature endpoint of
// Cloudinary's Upload Widget, and the check of Cloudinary's webhook
// notifications.
//
//	mux.Handle("POST /uploads/signature", uploadsignhttp.NewHandler(signer, authorize, uploadsignhttp.Sets("avatar")))
//	mux.Handle("POST /api/sign-widget", uploadsignhttp.NewProposalHandler(signer, "avatar-widget", 1, authorize))
//	mux.HandleFunc("POST /cloudinary/webhook", func(w http.ResponseWriter, r *http.Request) {
//		body, err := uploadsignhttp.VerifyNotificationRequest(signer, r)
//		...
//	})
//
// The browser reports Cloudinary's answer back to a route of the
// application, which stores only what it verified, with the URL the
// Signer builds:
//
//	mux.HandleFunc("POST /uploads/done", func(w http.ResponseWriter, r *http.Request) {
//		var result uploadsign.UploadResult
//		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&result); err != nil {
//			http.Error(w, "want Cloudinary's upload answer", http.StatusBadRequest)
//			return
//		}
//		req, err := authorize(r) // what this user's payload was signed for
//		if err != nil {
//			http.Error(w, "log in first", http.StatusUnauthorized)
//			return
//		}
//		asset, err := signer.VerifyUploadOf("avatar", 1, req, result)
//		switch {
//		case errors.Is(err, uploadsign.ErrUploadMismatch): // genuine, but not this user's
//			http.Error(w, "not your upload", http.StatusForbidden)
//			return
//		case err != nil:
//			http.Error(w, "not a genuine upload", http.StatusBadRequest)
//			return
//		}
//		store(asset.URL) // never a URL from the report
//	})
//
// # Operating versioned sets
//
// [OnSigned] counts which set versions clients still use (it runs after
// successful signatures only), [WithLogger] writes one record per request,
// and the handlers tell clients of a deprecated version with the
// Deprecation and Sunset headers, then answer 410 Gone after its Sunset
// (see [uploadsign.ParamSet]).
//
// # CORS
//
// The handlers answer POST and nothing else (OPTIONS gets 405). When the
// page that uploads is on another origin than the handler, the browser
// asks first with a CORS preflight: answering it is the job of the
// application's middleware (github.com/rs/cors, or a wrapper like this
// one), which also exposes the Deprecation and Sunset headers to the
// page's script:
//
//	func allowOrigin(origin string, h http.Handler) http.Handler {
//		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			w.Header().Add("Vary", "Origin")
//			if r.Header.Get("Origin") == origin {
//				w.Header().Set("Access-Control-Allow-Origin", origin)
//				w.Header().Set("Access-Control-Expose-Headers", "Deprecation, Sunset")
//				if r.Method == http.MethodOptions { // the preflight
//					w.Header().Set("Access-Control-Allow-Methods", "POST")
//					w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
//					w.WriteHeader(http.StatusNoContent)
//					return
//				}
//			}
//			h.ServeHTTP(w, r)
//		})
//	}
//
// Allow only the origins of your own pages. If the hook reads a session
// cookie, also set Access-Control-Allow-Credentials: true and have the
// page fetch with credentials: "include"; the application/json content
// type that NewHandler requires makes every cross-origin request go
// through the preflight, so other origins cannot post with the user's
// cookie. NewProposalHandler accepts text/plain, as next-cloudinary sends
// it, which browsers post across sites without a preflight: a page on
// another site can make a logged-in user's browser call it, though it
// cannot read the signature answered. If that must not reach the hook,
// OnSigned or the log, refuse requests whose Sec-Fetch-Site header is
// "cross-site" in the hook or a middleware.
package uploadsignhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign"
)

// MaxRequestBytes is the largest request body the handler reads; a
// payload request is a few dozen bytes.
const MaxRequestBytes = 4 << 10

// MaxNotificationBytes is the largest notification body
// VerifyNotificationRequest reads.
const MaxNotificationBytes = 1 << 20

// ClientSet is the parameter set and version a client asks for: the JSON
// body of [NewHandler], and what [ClientSetFrom] gives a hook.
type ClientSet struct {
	ParamSet string `json:"param_set"`
	Version  int    `json:"version"`
}

// StatusError is an error an authorize hook returns to choose the HTTP
// status and the message the client sees: 401 or 403, another 4xx, or a
// 5xx when the hook cannot decide (say 503 while the session store is
// down, so that the frontend retries instead of logging its user out). The
// hook may wrap it (fmt.Errorf("sessions: %w", err)); [WithLogger] logs the
// whole error of a 5xx at level Error. An empty Message answers the
// status's text. Any other error from the hook, and a StatusError whose
// Code is not 400 to 599, answers 401 with a generic message, so that
// internal details do not reach the client.
type StatusError struct {
	Code    int    // an HTTP status, 400 to 599
	Message string // shown to the client
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("uploadsignhttp: %d %s", e.Code, e.Message)
}

// Forbidden returns a StatusError with status 403 and the message.
func Forbidden(message string) error {
	return &StatusError{Code: http.StatusForbidden, Message: message}
}

type requestKey struct{}

// requestContext carries the parsed request to the authorize hook: one
// allocation, where context.WithValue would box the ClientSet in a second.
type requestContext struct {
	context.Context
	req ClientSet
}

func (c *requestContext) Value(key any) any {
	if key == (requestKey{}) {
		return c.req
	}
	return c.Context.Value(key)
}

// ClientSetFrom returns the parameter set and version a request to one of
// the handlers asks for, for authorize hooks that depend on it. ok is
// false outside the handlers.
func ClientSetFrom(r *http.Request) (set ClientSet, ok bool) {
	set, ok = r.Context().Value(requestKey{}).(ClientSet)
	return set, ok
}

// NewHandler returns the handler that answers a browser's request for an
// upload payload. It accepts POST with Content-Type application/json and a
// body like {"param_set": "avatar", "version": 2}, calls authorize (which
// decides who may upload and returns the per-request parameters, such as a
// public_id derived from the user), signs with s, and answers 200 with the
// [uploadsign.Payload] as JSON and Cache-Control: no-store.
//
// Every failure answers JSON {"error": "..."} without the secret: 405 with
// Allow for another method; 415 for another content type (which also keeps
// cross-site HTML forms out); 400 for malformed JSON, unknown fields or a
// missing set; 413 for a body over [MaxRequestBytes]; the hook's
// [StatusError], or 401; 404 for an unknown set or version, or a set this
// endpoint does not serve, naming this endpoint's sets or versions; 409 for a parameter that contradicts the set; 410 Gone for a
// set past its [uploadsign.ParamSet] Sunset, naming the versions still
// served; 500, without details, when the hook's parameters cannot be
// encoded (test the hook's Params with [uploadsign.Signer.Sign]). A panic
// in the hook is not recovered.
//
// For a set with a Deprecated date, the 200 and 410 answers carry the
// header Deprecation: @UNIX_SECONDS (RFC 9745; a date still to come
// announces it), and for a set with a Sunset, Sunset: HTTP-DATE (RFC
// 8594); the payload carries the same dates. A browser reads them across
// origins only if CORS exposes them (see the package documentation).
//
// The handler signs only the sets [Sets] names, and any other set of s
// answers 404 as an unknown one does; NewHandler panics when Sets names a
// set s lacks, or when Sets is not given and s holds more than one set
// name. The other options add a log record per request ([WithLogger]) and
// a hook after each signature ([OnSigned]). The handler is safe for
// concurrent use.
func NewHandler(s *uploadsign.Signer, authorize func(*http.Request) (uploadsign.Request, error), opts ...HandlerOption) http.Handler {
	if s == nil || authorize == nil {
		panic("uploadsignhttp: NewHandler needs a Signer and an authorize hook")
	}
	o := newHandlerOptions(opts)
	return &handler{s, authorize, o, newEndpoint(s, o.sets, "NewHandler")}
}

type handler struct {
	signer    *uploadsign.Signer
	authorize func(*http.Request) (uploadsign.Request, error)
	opts      handlerOptions
	sets      *endpoint
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.opts.start()
	req, res := h.serve(w, r)
	h.opts.log(r.Context(), "upload payload", start, req.ParamSet, req.Version, res)
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request) (ClientSet, result) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return ClientSet{}, writeError(w, http.StatusMethodNotAllowed, "use POST")
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		return ClientSet{}, writeError(w, http.StatusUnsupportedMediaType, "send Content-Type: application/json")
	}
	req, status, msg := readRequest(w, r)
	if status != 0 {
		return req, writeError(w, status, msg)
	}
	set, _, err := h.sets.lookup(req.ParamSet, req.Version)
	if err != nil {
		return req, writeError(w, http.StatusNotFound, err.Error())
	}
	r = r.WithContext(&requestContext{r.Context(), req})
	bound, err := h.authorize(r)
	if err != nil {
		return req, writeHookError(w, err)
	}
	payload, err := h.signer.Sign(req.ParamSet, req.Version, bound)
	switch {
	case errors.Is(err, uploadsign.ErrUnknownParamSet):
		return req, writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, uploadsign.ErrSunset):
		setLifecycleHeaders(w.Header(), set.Deprecated, set.Sunset)
		return req, writeError(w, http.StatusGone, err.Error())
	case errors.Is(err, uploadsign.ErrParamConflict):
		return req, writeError(w, http.StatusConflict, err.Error())
	case err != nil:
		// The hook's parameters cannot be encoded: a bug of the backend,
		// whose details stay on the server.
		return req, writeServerError(w, err)
	}
	setLifecycleHeaders(w.Header(), set.Deprecated, set.Sunset)
	writeJSON(w, http.StatusOK, payload)
	if h.opts.onSigned != nil {
		h.opts.onSigned(r, payload)
	}
	return req, result{status: http.StatusOK, outcome: outcomeOf(http.StatusOK)}
}

// isJSON reports whether a Content-Type is application/json, with the
// usual spellings checked before the general parser.
func isJSON(contentType string) bool {
	switch contentType {
	case "application/json", "application/json; charset=utf-8", "application/json;charset=utf-8",
		"application/json; charset=UTF-8", "application/json;charset=UTF-8":
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// readRequest reads the JSON body, at most MaxRequestBytes: one object
// with the fields of ClientSet, unknown fields refused, nothing after it but
// white space.
func readRequest(w http.ResponseWriter, r *http.Request) (req ClientSet, status int, msg string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return req, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %d bytes", MaxRequestBytes)
	case err != nil:
		return req, http.StatusBadRequest, "reading the request body failed"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(&req)
	if err == nil && len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		err = errors.New("data after the JSON object")
	}
	switch {
	case err != nil:
		return ClientSet{}, http.StatusBadRequest, `want a JSON body like {"param_set": "avatar", "version": 1}: ` + clip(strings.TrimPrefix(err.Error(), "json: "), 120)
	case strings.TrimSpace(req.ParamSet) == "":
		return req, http.StatusBadRequest, `"param_set" is missing`
	case req.Version < 1:
		return req, http.StatusBadRequest, `"version" is missing or below 1`
	}
	return req, 0, ""
}

// setLifecycleHeaders sets Deprecation (RFC 9745) and Sunset (RFC 8594)
// for the dates that are not zero.
func setLifecycleHeaders(h http.Header, deprecated, sunset time.Time) {
	if !deprecated.IsZero() {
		h.Set("Deprecation", "@"+strconv.FormatInt(deprecated.Unix(), 10))
	}
	if !sunset.IsZero() {
		h.Set("Sunset", sunset.UTC().Format(http.TimeFormat))
	}
}

// writeHookError answers the error of an authorize hook: its StatusError,
// or 401 with a generic message.
func writeHookError(w http.ResponseWriter, err error) result {
	var se *StatusError
	if !errors.As(err, &se) || se.Code < 400 || se.Code > 599 {
		return writeError(w, http.StatusUnauthorized, "not authorized to upload")
	}
	msg := se.Message
	if msg == "" {
		msg = http.StatusText(se.Code)
	}
	res := writeError(w, se.Code, msg)
	if se.Code >= 500 {
		res.err = err
	}
	return res
}

// writeServerError answers 500 without details; the log gets err.
func writeServerError(w http.ResponseWriter, err error) result {
	res := writeError(w, http.StatusInternalServerError, "the server could not sign this upload")
	res.err = err
	return res
}

// writeError answers {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) result {
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{msg})
	return result{status: status, outcome: outcomeOf(status), msg: msg}
}

// writeJSON answers v as JSON, with the headers every answer has.
func writeJSON(w http.ResponseWriter, status int, v any) {
	// The three values share one allocation; each slice is capped, so an
	// Add to one header cannot write into the next.
	values := &[3]string{"application/json; charset=utf-8", "no-store", "nosniff"}
	h := w.Header()
	h["Content-Type"] = values[0:1:1]
	h["Cache-Control"] = values[1:2:2]
	h["X-Content-Type-Options"] = values[2:3:3]
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // an error means the client went away
}

// VerifyNotificationRequest reads and verifies a Cloudinary webhook
// notification: the X-Cld-Timestamp and X-Cld-Signature headers and the
// body, at most [MaxNotificationBytes]. It returns the body when the
// notification is genuine and fresh, and otherwise an error wrapping
// [uploadsign.ErrInvalidSignature] (missing or wrong headers, a body over
// the limit) or [uploadsign.ErrExpired], or the error of reading the body.
func VerifyNotificationRequest(s *uploadsign.Signer, r *http.Request) ([]byte, error) {
	timestamp := r.Header.Get("X-Cld-Timestamp")
	signature := r.Header.Get("X-Cld-Signature")
	if timestamp == "" || signature == "" {
		return nil, fmt.Errorf("%w: the X-Cld-Timestamp or X-Cld-Signature header is missing", uploadsign.ErrInvalidSignature)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxNotificationBytes+1))
	if err != nil {
		return nil, fmt.Errorf("uploadsignhttp: reading the notification: %w", err)
	}
	if len(body) > MaxNotificationBytes {
		return nil, fmt.Errorf("%w: the notification body is over %d bytes", uploadsign.ErrInvalidSignature, MaxNotificationBytes)
	}
	if err := s.VerifyNotification(body, timestamp, signature); err != nil {
		return nil, err
	}
	return body, nil
}
