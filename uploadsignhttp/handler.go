// Package uploadsignhttp serves uploadsign over HTTP: the endpoint a
// browser calls for an upload payload, the signature endpoint of
// Cloudinary's Upload Widget, and the check of Cloudinary's webhook
// notifications.
//
//	mux.Handle("POST /uploads/signature", uploadsignhttp.NewHandler(signer, authorize))
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
//		asset, err := signer.VerifyUpload(result)
//		if err != nil {
//			http.Error(w, "not a genuine upload", http.StatusBadRequest)
//			return
//		}
//		store(asset.URL) // never a URL from the report
//	})
package uploadsignhttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/uploadsign/uploadsign"
)

// MaxRequestBytes is the largest request body the handler reads; a
// payload request is a few dozen bytes.
const MaxRequestBytes = 4 << 10

// MaxNotificationBytes is the largest notification body
// VerifyNotificationRequest reads.
const MaxNotificationBytes = 1 << 20

// Request is the JSON body the handler expects: the parameter set the
// client was built for, and its version.
type Request struct {
	ParamSet string `json:"param_set"`
	Version  int    `json:"version"`
}

// StatusError is an error an authorize hook returns to choose the HTTP
// status (401 or 403, or another 4xx) and the message the client sees. Any
// other error from the hook answers 401 with a generic message, so that
// internal details do not reach the client.
type StatusError struct {
	Code    int    // an HTTP status, 400 to 499
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

// RequestFrom returns the parsed request of r, for authorize hooks that
// depend on the parameter set asked for. ok is false outside the handler.
func RequestFrom(r *http.Request) (req Request, ok bool) {
	req, ok = r.Context().Value(requestKey{}).(Request)
	return req, ok
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
// [StatusError], or 401; 404 for an unknown set or version, naming the
// known ones; 409 for a parameter that contradicts the set; 500, without
// details, when the hook's parameters cannot be encoded (test the hook's
// Params with [uploadsign.Signer.Sign]). A panic in the hook is not
// recovered. The handler is safe for concurrent use.
func NewHandler(s *uploadsign.Signer, authorize func(*http.Request) (uploadsign.Params, error)) http.Handler {
	if s == nil || authorize == nil {
		panic("uploadsignhttp: NewHandler needs a Signer and an authorize hook")
	}
	return &handler{s, authorize}
}

type handler struct {
	signer    *uploadsign.Signer
	authorize func(*http.Request) (uploadsign.Params, error)
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "send Content-Type: application/json")
		return
	}
	req, status, msg := readRequest(w, r)
	if status != 0 {
		writeError(w, status, msg)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), requestKey{}, req))
	params, err := h.authorize(r)
	if err != nil {
		writeHookError(w, err)
		return
	}
	payload, err := h.signer.Sign(req.ParamSet, req.Version, params)
	switch {
	case errors.Is(err, uploadsign.ErrUnknownParamSet):
		writeError(w, http.StatusNotFound, err.Error())
		return
	case errors.Is(err, uploadsign.ErrParamConflict):
		writeError(w, http.StatusConflict, err.Error())
		return
	case err != nil:
		// The hook's parameters cannot be encoded: a bug of the backend,
		// whose details stay on the server.
		writeError(w, http.StatusInternalServerError, "the server could not sign this upload")
		return
	}
	writeJSON(w, http.StatusOK, payload)
}

func readRequest(w http.ResponseWriter, r *http.Request) (req Request, status int, msg string) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(&req)
	if err == nil {
		switch _, next := dec.Token(); {
		case errors.As(next, new(*http.MaxBytesError)):
			err = next
		case next != io.EOF:
			err = errors.New("data after the JSON object")
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return req, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %d bytes", MaxRequestBytes)
	case err != nil:
		return req, http.StatusBadRequest, `want a JSON body like {"param_set": "avatar", "version": 1}: ` + err.Error()
	case strings.TrimSpace(req.ParamSet) == "":
		return req, http.StatusBadRequest, `"param_set" is missing`
	case req.Version < 1:
		return req, http.StatusBadRequest, `"version" is missing or below 1`
	}
	return req, 0, ""
}

// writeHookError answers the error of an authorize hook: its StatusError,
// or 401 with a generic message.
func writeHookError(w http.ResponseWriter, err error) {
	var se *StatusError
	if errors.As(err, &se) && se.Code >= 400 && se.Code <= 499 {
		writeError(w, se.Code, se.Message)
	} else {
		writeError(w, http.StatusUnauthorized, "not authorized to upload")
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
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
