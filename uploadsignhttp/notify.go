package uploadsignhttp

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/uploadsign/uploadsign"
)

// MaxNotificationBytes is the largest notification body
// VerifyNotificationRequest reads.
const MaxNotificationBytes = 1 << 20

// VerifyNotificationRequest reads and verifies a Cloudinary webhook
// notification with [uploadsign.Signer.VerifyNotification]: the
// X-Cld-Timestamp and X-Cld-Signature headers and the body, at most
// [MaxNotificationBytes]. Missing headers and a body over the limit wrap
// [uploadsign.ErrInvalidSignature]; a body that cannot be read is returned
// as its error.
func VerifyNotificationRequest(s *uploadsign.Signer, r *http.Request) (*uploadsign.Notification, error) {
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
	return s.VerifyNotification(body, timestamp, signature)
}

// NewNotificationHandler returns the webhook that Cloudinary notifies
// (the account's or an upload's notification_url): it verifies each
// notification with [VerifyNotificationRequest] and calls handle with it.
// It answers 401 for a forged or stale notification (handle is not
// called), 200 when handle returns nil, and 500 (or handle's
// [StatusError]) when it fails, so that Cloudinary delivers it again. An
// upload that fits no parameter set, or fails its set's checks, reaches
// handle with Upload nil and Problem saying why; a delivery may come
// again after handle succeeded, with the same Key.
//
// [WithDestroyViolations] destroys the uploads Cloudinary signed that no
// set allows, before handle; [WithLogger] adds a log record per
// notification. The handler is safe for concurrent use.
func NewNotificationHandler(s *uploadsign.Signer, handle func(*http.Request, *uploadsign.Notification) error, opts ...HandlerOption) http.Handler {
	if s == nil || handle == nil {
		panic("uploadsignhttp: NewNotificationHandler needs a Signer and a handle function")
	}
	o := newHandlerOptions("NewNotificationHandler", opts, takes{destroy: true})
	return &notificationHandler{s, handle, o}
}

type notificationHandler struct {
	signer *uploadsign.Signer
	handle func(*http.Request, *uploadsign.Notification) error
	opts   handlerOptions
}

func (h *notificationHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.opts.start()
	n, res := h.serve(w, r)
	var set string
	var version int
	if n != nil && n.Upload != nil {
		set, version = n.Upload.Set, n.Upload.Version
	}
	h.opts.log(r.Context(), "notification", start, set, version, res)
}

func (h *notificationHandler) serve(w http.ResponseWriter, r *http.Request) (*uploadsign.Notification, result) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, writeError(w, http.StatusMethodNotAllowed, "use POST")
	}
	n, err := VerifyNotificationRequest(h.signer, r)
	switch {
	case errors.Is(err, uploadsign.ErrInvalidSignature) || errors.Is(err, uploadsign.ErrExpired):
		return nil, writeLibraryError(w, http.StatusUnauthorized, err)
	case err != nil:
		return nil, writeError(w, http.StatusBadRequest, "reading the notification failed")
	}
	if h.opts.destroy && n.Upload == nil && n.Problem != nil && n.Asset != nil {
		n.DestroyErr = h.signer.Destroy(r.Context(), *n.Asset)
		n.Destroyed = n.DestroyErr == nil
		h.opts.logDestroy(r.Context(), n)
	}
	if err := h.handle(r, n); err != nil {
		return n, writeAppError(w, err)
	}
	if n.DestroyErr != nil {
		return n, writeServerError(w, n.DestroyErr) // Cloudinary delivers it again
	}
	writeJSON(w, http.StatusOK, struct {
		Key string `json:"key"`
	}{n.Key})
	return n, result{status: http.StatusOK, outcome: "handled"}
}
