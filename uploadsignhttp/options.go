package uploadsignhttp

import (
	"context"
	"log/slog"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/uploadsign/uploadsign"
)

// HandlerOption configures the handlers of the package. Without options a
// handler logs nothing and calls no hook but its own; the answers,
// headers included, are the same with or without [WithLogger] and
// [OnSigned]. A handler that an option does not concern panics when
// given it (each option's doc says which handlers take it).
type HandlerOption func(*handlerOptions)

type handlerOptions struct {
	logger   *slog.Logger
	onSigned func(*http.Request, *uploadsign.Payload)
	sets     []string // Sets, nil when not given
	destroy  bool     // WithDestroyViolations
}

// newHandlerOptions applies opts for the handler who, and panics on an
// option the handler does not take: Sets, OnSigned or
// WithDestroyViolations where can says no.
func newHandlerOptions(who string, opts []HandlerOption, can takes) handlerOptions {
	var o handlerOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	refuse := func(option, use string) {
		panic("uploadsignhttp: " + who + " does not take " + option + "; it is for " + use)
	}
	switch {
	case o.sets != nil && !can.sets:
		refuse("Sets", "NewHandler and NewReportHandler (NewProposalHandler serves the one set it is given)")
	case o.onSigned != nil && !can.onSigned:
		refuse("OnSigned", "NewHandler and NewProposalHandler")
	case o.destroy && !can.destroy:
		refuse("WithDestroyViolations", "NewNotificationHandler")
	}
	return o
}

// takes says which options a handler takes besides WithLogger.
type takes = struct{ sets, onSigned, destroy bool }

// WithLogger makes a handler write one record to l per request, when the
// answer is written, with the message "upload payload" ([NewHandler]),
// "widget signature" ([NewProposalHandler]), "upload report"
// ([NewReportHandler]) or "notification" ([NewNotificationHandler]), and
// these attributes:
//
//   - set, version: the parameter set and version asked for, or of the
//     notified upload (empty and 0 when unknown; a set name is cut to 64
//     bytes);
//   - status and outcome: the HTTP status answered, and the outcome the
//     package doc lists with it;
//   - duration: from the start of ServeHTTP to the record;
//   - error: for a client error, what the client was told, with the
//     names of parameters and sets but no value the client sent; for a
//     server error, the internal error (the hook's error, wrapped
//     StatusError included, or why the request could not be signed or
//     saved), cut to 512 bytes. A hook's error other than a StatusError
//     answers 401 and is not logged: log it in the hook if you want it.
//
// The level is Info for 2xx, Warn for 4xx and Error for 5xx. A handler
// with [WithDestroyViolations] also writes "upload destroyed" (Info) or
// "upload not destroyed" (Error) per asset, with its resource_type, type,
// public_id, the reason and the error. No record holds the API secret, a
// signature or the request body. A nil l logs nothing (the default).
func WithLogger(l *slog.Logger) HandlerOption {
	return func(o *handlerOptions) { o.logger = l }
}

// OnSigned makes [NewHandler] or [NewProposalHandler] call f after each
// successful signature, once
// the response is written, and never for a failed request: the place to
// count which set versions clients use, before retiring one. f runs on
// the request's goroutine, so it must be quick and safe for concurrent
// use; r is the request as the authorize hook saw it ([ClientSetFrom] works),
// and p must not be kept after f returns.
//
// [NewHandler] passes the payload it answered. [NewProposalHandler] passes
// a Payload with the handler's set and version, the proposal's timestamp,
// the lifecycle fields (Deprecated judged at that timestamp) and as Fields
// the proposal plus signature and api_key; URL and ExpiresAt are zero.
//
// With expvar, for /debug/vars:
//
//	var signed = expvar.NewMap("uploads_signed") // keys like "avatar/v1"
//	opt := uploadsignhttp.OnSigned(func(r *http.Request, p *uploadsign.Payload) {
//		signed.Add(p.ParamSet+"/v"+strconv.Itoa(p.Version), 1)
//	})
//
// With an OpenTelemetry counter (go.opentelemetry.io/otel/metric):
//
//	counter, _ := meter.Int64Counter("uploads.signed")
//	opt := uploadsignhttp.OnSigned(func(r *http.Request, p *uploadsign.Payload) {
//		counter.Add(r.Context(), 1, metric.WithAttributes(
//			attribute.String("set", p.ParamSet), attribute.Int("version", p.Version)))
//	})
//
// A nil f is no hook (the default). The other handlers panic when given
// it.
func OnSigned(f func(r *http.Request, p *uploadsign.Payload)) HandlerOption {
	return func(o *handlerOptions) { o.onSigned = f }
}

// result is how a request ended, for the log.
type result struct {
	status  int
	outcome string
	msg     string // what the client was told, for a client error
	err     error  // the internal error, for a server error
}

// WithDestroyViolations makes [NewNotificationHandler] destroy, with
// [uploadsign.Signer.Destroy], each uploaded asset whose notification
// has no Upload: one that fits no parameter set, breaks its set's checks
// or exceeds its [uploadsign.Limits]. It destroys before it calls handle,
// and sets the Notification's Destroyed, or DestroyErr and then answers
// 500 so that Cloudinary delivers the notification again. An upload that
// met an existing asset (overwrite false) destroys nothing: the asset is
// another upload's. Use it only when every upload to the account comes
// through this Signer's sets: an upload from the Media Library or another
// application fits no set either. The other handlers panic when given it.
func WithDestroyViolations() HandlerOption {
	return func(o *handlerOptions) { o.destroy = true }
}

// outcomeOf names the outcome of a status, for the log.
func outcomeOf(status int) string {
	switch {
	case status < 300:
		return "signed"
	case status == http.StatusUnauthorized:
		return "unauthorized"
	case status == http.StatusForbidden:
		return "forbidden"
	case status == http.StatusNotFound:
		return "not found"
	case status == http.StatusConflict:
		return "conflict"
	case status == http.StatusGone:
		return "gone"
	case status == http.StatusBadRequest, status == http.StatusMethodNotAllowed,
		status == http.StatusRequestEntityTooLarge, status == http.StatusUnsupportedMediaType:
		return "bad request"
	case status >= 500:
		return "error"
	}
	return "refused"
}

// start returns the time a request started, when it will be logged.
func (o *handlerOptions) start() time.Time {
	if o.logger == nil {
		return time.Time{}
	}
	return time.Now()
}

// log writes the record of one request. It hands a record to the
// logger's handler directly: slog.Logger's methods would look up the
// caller's source location, the handler's own.
func (o *handlerOptions) log(ctx context.Context, msg string, start time.Time, set string, version int, res result) {
	if o.logger == nil {
		return
	}
	level := slog.LevelInfo
	switch {
	case res.status >= 500:
		level = slog.LevelError
	case res.status >= 400:
		level = slog.LevelWarn
	}
	h := o.logger.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	now := time.Now()
	rec := slog.NewRecord(now, level, msg, 0)
	rec.AddAttrs(
		slog.String("set", clip(set, 64)),
		slog.Int("version", version),
		slog.Int("status", res.status),
		slog.String("outcome", res.outcome),
		slog.Duration("duration", now.Sub(start)),
	)
	switch {
	case res.err != nil:
		rec.AddAttrs(slog.String("error", clip(res.err.Error(), 512)))
	case res.msg != "":
		rec.AddAttrs(slog.String("error", clip(res.msg, 512)))
	}
	_ = h.Handle(ctx, rec) // a failing log handler does not fail the request
}

// logDestroy writes the record of the destruction WithDestroyViolations
// made, or tried, for n.
func (o *handlerOptions) logDestroy(ctx context.Context, n *uploadsign.Notification) {
	level, msg := slog.LevelInfo, "upload destroyed"
	if n.DestroyErr != nil {
		level, msg = slog.LevelError, "upload not destroyed"
	}
	if o.logger == nil || !o.logger.Handler().Enabled(ctx, level) {
		return
	}
	rec := slog.NewRecord(time.Now(), level, msg, 0)
	rec.AddAttrs(
		slog.String("resource_type", n.Asset.ResourceType),
		slog.String("type", n.Asset.Type),
		slog.String("public_id", clip(n.Asset.PublicID, 256)),
		slog.String("reason", clip(n.Problem.Error(), 512)),
	)
	if n.DestroyErr != nil {
		rec.AddAttrs(slog.String("error", clip(n.DestroyErr.Error(), 512)))
	}
	_ = o.logger.Handler().Handle(ctx, rec)
}

// clip cuts s to at most n bytes, on a UTF-8 boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
