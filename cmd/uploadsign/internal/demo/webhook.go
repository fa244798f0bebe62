package demo

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
)

// The webhook: Cloudinary (or the fake) notifies it after each upload and
// destroy. It is the one place where the backend learns what Cloudinary
// says of a file (its bytes, dimensions, duration: the notification's body
// is signed), so it is where an upload over its set's limits, sent by a
// script that skipped the page's check, is destroyed. The demo keeps a
// short log of what it did, which the page reads.

// webhookPath is the webhook's route, on the demo's address and, with the
// fake, on the loopback port the fake notifies.
const webhookPath = "/api/webhook"

// maxEvents is how many of the webhook's events the demo keeps.
const maxEvents = 50

// event is what the webhook did with one notification, as the page reads
// it from /api/webhook-log.
type event struct {
	At           time.Time          `json:"at"`
	Type         string             `json:"type"` // Cloudinary's notification_type: upload, delete, ...
	PublicID     string             `json:"public_id,omitempty"`
	ResourceType string             `json:"resource_type,omitempty"`
	Set          string             `json:"param_set,omitempty"` // the demo's set of the upload's kind
	Outcome      string             `json:"outcome"`
	Limit        string             `json:"limit,omitempty"`  // the set's limit the file exceeds: max_bytes, max_width, max_height or max_duration
	Limits       *uploadsign.Limits `json:"limits,omitempty"` // the set's limits
	File         *fileFacts         `json:"file,omitempty"`   // what Cloudinary says of the file
	Problem      string             `json:"problem,omitempty"`
	Error        string             `json:"error,omitempty"` // why destroying failed
}

// The outcomes of an event.
const (
	outcomeKept      = "kept"           // an upload of a set, within its limits
	outcomeDestroyed = "destroyed"      // an upload the sets refuse, destroyed
	outcomeFailed    = "destroy failed" // one that could not be destroyed: Cloudinary delivers the notification again
	outcomeLeft      = "left"           // one the demo leaves alone (an account's upload of no demo set)
	outcomeNoted     = "noted"          // a notification of another type
)

// fileFacts are what an upload notification says of the file, in the
// units of the payload's limits (seconds for the duration).
type fileFacts struct {
	Bytes    int64   `json:"bytes"`
	Width    int     `json:"width,omitempty"`
	Height   int     `json:"height,omitempty"`
	Duration float64 `json:"duration,omitempty"`
}

// notified is the part of a notification's body the log shows.
type notified struct {
	PublicID     string `json:"public_id"`
	ResourceType string `json:"resource_type"`
	fileFacts
	Resources []struct {
		PublicID string `json:"public_id"`
	} `json:"resources"` // a delete notification's
}

// newWebhook returns the webhook that verifies notifications for s and
// logs them. With the fake it destroys every upload that fits no set or
// breaks its set's limits (uploadsignhttp.WithDestroyViolations): every
// upload to the fake comes through the demo's sets, or is a script's. A
// real account holds uploads of other applications and of its Media
// Library, which fit no set of the demo: there it destroys only an upload
// of a demo set over that set's limits.
func (d *Demo) newWebhook(s *uploadsign.Signer) http.Handler {
	if d.fake != nil {
		return uploadsignhttp.NewNotificationHandler(s, d.logNotification, uploadsignhttp.WithDestroyViolations())
	}
	return uploadsignhttp.NewNotificationHandler(s, func(r *http.Request, n *uploadsign.Notification) error {
		if n.Upload == nil && n.Asset != nil && errors.Is(n.Problem, uploadsign.ErrLimitExceeded) {
			n.DestroyErr = s.Destroy(r.Context(), *n.Asset)
			n.Destroyed = n.DestroyErr == nil
		}
		_ = d.logNotification(r, n)
		return n.DestroyErr // 500: Cloudinary delivers it again
	})
}

// listenForNotifications listens on a loopback port of the demo's own,
// where the fake sends its notifications (notificationURL): the fake
// notifies only this machine, and the demo's own address may be another
// (--addr with an address of the machine's network), or not be known yet.
func (d *Demo) listenForNotifications() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listening for the fake's notifications: %w", err)
	}
	d.notificationURL = "http://" + ln.Addr().String() + webhookPath
	return ln, nil
}

// serveNotifications serves webhook on ln until Close.
func (d *Demo) serveNotifications(ln net.Listener, webhook http.Handler) {
	d.webhook = webhook
	mux := http.NewServeMux()
	mux.Handle(webhookPath, webhook)
	d.webhookServer = &http.Server{Handler: d.guard(mux), ReadHeaderTimeout: d.timeouts.readHeader,
		ReadTimeout: d.timeouts.read, IdleTimeout: d.timeouts.idle}
	go func() { _ = d.webhookServer.Serve(ln) }()
}

// logNotification keeps what the webhook did with n (it never fails).
func (d *Demo) logNotification(_ *http.Request, n *uploadsign.Notification) error {
	var body notified
	_ = json.Unmarshal(n.Body, &body) // a verified notification: what it lacks stays empty
	e := event{At: d.now().UTC(), Type: n.Type, PublicID: body.PublicID, ResourceType: body.ResourceType, Outcome: outcomeNoted}
	if n.Type == "upload" {
		facts := body.fileFacts
		e.File = &facts
		// The set of an upload that is one, or that breaks its limits (the
		// demo's sets differ by resource type); none for one that fits no
		// set.
		if set, ok := setOfKind(body.ResourceType); ok && (n.Upload != nil || errors.Is(n.Problem, uploadsign.ErrLimitExceeded)) {
			e.Set, e.Limits = set.Name, &set.Limits
		}
		switch {
		case n.Upload != nil:
			e.Outcome = outcomeKept
		case n.Destroyed:
			e.Outcome = outcomeDestroyed
		case n.DestroyErr != nil:
			e.Outcome, e.Error = outcomeFailed, n.DestroyErr.Error()
		default:
			e.Outcome = outcomeLeft
		}
		if n.Problem != nil {
			e.Problem = strings.ReplaceAll(n.Problem.Error(), "uploadsign: ", "")
			if e.Limits != nil {
				e.Limit = exceeded(*e.Limits, facts)
			}
		}
	}
	if len(body.Resources) > 0 { // a delete notification names what was deleted
		ids := make([]string, len(body.Resources))
		for i, r := range body.Resources {
			ids[i] = r.PublicID
		}
		e.PublicID = strings.Join(ids, ", ")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.events) == maxEvents {
		d.events = append(d.events[:0], d.events[1:]...)
	}
	d.events = append(d.events, e)
	return nil
}

// setOfKind returns the demo's set for a resource type: the sets differ
// by it.
func setOfKind(resourceType string) (uploadsign.ParamSet, bool) {
	for _, s := range demoSets {
		if cmp.Or(s.ResourceType, "image") == resourceType {
			return s, true
		}
	}
	return uploadsign.ParamSet{}, false
}

// exceeded names the first of the limits l that the file f exceeds, by
// its name in the payload's JSON, or "" for none.
func exceeded(l uploadsign.Limits, f fileFacts) string {
	switch {
	case l.MaxBytes > 0 && f.Bytes > l.MaxBytes:
		return "max_bytes"
	case l.MaxWidth > 0 && f.Width > l.MaxWidth:
		return "max_width"
	case l.MaxHeight > 0 && f.Height > l.MaxHeight:
		return "max_height"
	case l.MaxDuration > 0 && f.Duration > l.MaxDuration.Seconds():
		return "max_duration"
	}
	return ""
}

// webhookLog answers the webhook's events, newest first.
func (d *Demo) webhookLog(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	events := make([]event, len(d.events))
	for i, e := range d.events {
		events[len(events)-1-i] = e
	}
	d.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"events": events})
}
