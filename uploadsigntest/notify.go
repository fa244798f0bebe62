package uploadsigntest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign/internal/random"
)

// Delivery is one upload notification the server sent to an upload's
// notification_url, as Cloudinary sends them after answering the upload.
type Delivery struct {
	URL    string      // the notification_url
	Body   []byte      // the JSON sent
	Header http.Header // the headers sent: Content-Type, X-Cld-Timestamp, X-Cld-Signature
	Status int         // the receiver's HTTP status; 0 if the request failed
	Err    error       // why the request failed, if it did
}

// Deliveries returns the notifications sent so far, in the order they were
// answered.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// AwaitDeliveries waits until at least n notifications have been answered
// (or failed) and returns them all, or returns ctx's error with those sent
// so far. Tests use it instead of sleeping.
func (s *Server) AwaitDeliveries(ctx context.Context, n int) ([]Delivery, error) {
	for {
		s.mu.Lock()
		if len(s.deliveries) >= n {
			defer s.mu.Unlock()
			return append([]Delivery(nil), s.deliveries...), nil
		}
		changed := s.delivered
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return s.Deliveries(), ctx.Err()
		}
	}
}

// NotificationRequest returns a POST to target carrying body, signed as
// Cloudinary signs notifications: the X-Cld-Timestamp header is the
// server's clock in Unix seconds, and X-Cld-Signature the hex hash of
// body, the timestamp and the secret of the notification key
// ([WithNotificationKey]; NewServer's by default), with
// SHA-1 (SHA-256 with [WithSHA256Only]). target is an absolute URL, for
// an [http.Client], or a path, for a handler's ServeHTTP. It panics if
// target is not a URL, as [httptest.NewRequest] does.
func (s *Server) NotificationRequest(target string, body []byte) *http.Request {
	r, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		panic("uploadsigntest: NotificationRequest: " + err.Error())
	}
	s.signNotification(r.Header, body)
	return r
}

func (s *Server) signNotification(h http.Header, body []byte) {
	ts := strconv.FormatInt(s.now().Unix(), 10)
	h.Set("Content-Type", "application/json")
	h.Set("X-Cld-Timestamp", ts)
	key, _ := s.key(s.notifyKey) // NewServer checked it
	h.Set("X-Cld-Signature", key.sign(string(body)+ts, s.sha256Only))
}

// notificationTime is how Cloudinary writes a notification's timestamp,
// in UTC: "2021-04-15T16:45:47+00:00".
const notificationTime = "2006-01-02T15:04:05-07:00"

// uploadNotification is Cloudinary's upload notification of an upload
// answered with resp: the answer but its signature (a notification is
// signed as a whole), with the fields Cloudinary adds (see the fidelity
// table).
func (s *Server) uploadNotification(resp map[string]any) map[string]any {
	now := s.now().UTC().Format(notificationTime)
	body := map[string]any{"notification_type": "upload", "timestamp": now, "request_id": random.Hex(16),
		"access_mode": "public", "signature_key": s.notifyKey,
		"notification_context": map[string]any{"triggered_at": now,
			"triggered_by": map[string]any{"source": "api", "id": resp["api_key"]}}}
	for k, v := range resp {
		if k != "signature" {
			body[k] = v
		}
	}
	return body
}

// deleteNotification is Cloudinary's notification of a destroyed asset,
// whose upload answer was resp.
func deleteNotification(resp map[string]any) map[string]any {
	resource := map[string]any{}
	for _, k := range []string{"resource_type", "type", "asset_id", "public_id", "version"} {
		resource[k] = resp[k]
	}
	return map[string]any{"notification_type": "delete", "resources": []any{resource}}
}

// notificationTarget is where the notification of a request that posted
// fields goes: its notification_url, else the account's
// ([WithNotificationURL]); "" for none.
func (s *Server) notificationTarget(fields map[string]string) string {
	if u := fields["notification_url"]; u != "" {
		return u
	}
	return s.notifyURL
}

// notify sends a notification to target, in the background; Close waits
// for it.
func (s *Server) notify(target string, body map[string]any) {
	data, _ := json.Marshal(body)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.sending.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.sending.Done()
		d := Delivery{URL: target, Body: data, Header: http.Header{}}
		r, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(data))
		if err == nil && !loopback(r.URL.Hostname()) {
			err = fmt.Errorf("uploadsigntest: notifications go only to this machine (localhost or a loopback address), not to %q", r.URL.Hostname())
		}
		if err == nil {
			s.signNotification(r.Header, data)
			d.Header = r.Header.Clone()
			var resp *http.Response
			if resp, err = notificationClient.Do(r); err == nil {
				io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
				resp.Body.Close()
				d.Status = resp.StatusCode
			}
		}
		d.Err = err
		s.mu.Lock()
		defer s.mu.Unlock()
		s.deliveries = append(s.deliveries, d)
		close(s.delivered)
		s.delivered = make(chan struct{})
	}()
}

// notificationClient sends notifications; a receiver that does not answer
// within its timeout is a failed delivery. It follows no redirect, which
// could lead a notification off this machine: a redirect is the answer.
var notificationClient = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Mount returns the server's handler for serving it under prefix of
// another server, such as an application's own, so that one address
// serves both: mux.Handle(prefix+"/", srv.Mount(prefix)). Sign payloads
// for it with uploadsign.WithUploadURL(thatAddress + prefix); its answers'
// url and secure_url then point at the request's host under prefix, where
// it serves the uploaded bytes. The server's own URL keeps working.
func (s *Server) Mount(prefix string) http.Handler {
	for len(prefix) > 0 && prefix[len(prefix)-1] == '/' {
		prefix = prefix[:len(prefix)-1]
	}
	return http.StripPrefix(prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, prefix) }))
}

// baseURL is the URL the server is reached at by r, under prefix.
func baseURL(r *http.Request, prefix string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + prefix
}

// loopback reports whether host names this machine: "localhost" or a
// loopback address. The fake sends notifications nowhere else, so that a
// fake served on a public address cannot be made to post to other hosts.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
