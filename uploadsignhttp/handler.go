// Package uploadsignhttp serves uploadsign over HTTP: the endpoint a
// browser asks for an upload payload, the signature endpoint of
// Cloudinary's Upload Widget, the route a browser reports an upload back
// to, and the webhook Cloudinary notifies. The three a browser calls ask
// the application's authorize hook who the request is for; each has an
// Example.
//
//	signer, _ := uploadsign.FromURL(os.Getenv("CLOUDINARY_URL"), uploadsign.WithParamSets(
//		uploadsign.ParamSet{Name: "avatar", Version: 1,
//			Params: uploadsign.Params{PublicID: "avatars/user_{owner}"}}))
//	authorize := func(r *http.Request) (uploadsign.Request, error) {
//		user, err := currentUser(r) // the application's session lookup
//		if err != nil {
//			return uploadsign.Request{}, err // answers 401
//		}
//		return uploadsign.Request{Owner: user.ID}, nil
//	}
//	save := func(r *http.Request, u *uploadsign.Upload) error {
//		return db.SetAvatar(u.Owner, u.Asset.URL) // the URL the Signer built
//	}
//	avatar := uploadsignhttp.Sets("avatar")
//	mux.Handle("POST /uploads/signature", uploadsignhttp.NewHandler(signer, authorize, avatar))
//	mux.Handle("POST /uploads/done", uploadsignhttp.NewReportHandler(signer, authorize, save, avatar))
//	mux.Handle("POST /cloudinary/webhook", uploadsignhttp.NewNotificationHandler(signer,
//		func(r *http.Request, n *uploadsign.Notification) error {
//			if n.Upload == nil {
//				return nil // not an upload of a set: n.Problem says why
//			}
//			return save(r, n.Upload)
//		}))
//
// # Answers
//
// Every answer is JSON with Cache-Control: no-store and
// X-Content-Type-Options: nosniff; a failure is {"error": "..."}, which
// never holds the secret. The statuses, each with the outcome [WithLogger]
// records:
//
//   - 200 "signed" (or "stored", "handled"): done;
//   - 400, 405, 413, 415 "bad request": a malformed body or proposal, a
//     forged report, another method (with Allow: POST), a body over the
//     limit, another content type;
//   - 401 "unauthorized": the authorize hook refused (any error but a
//     [StatusError]), or a notification is forged or stale;
//   - 403 "forbidden" from the hook's StatusError, "not allowed" for a
//     proposed parameter the set does not allow, "mismatch" for a
//     genuine upload that is not the request's, "over limit" for a
//     report of a file larger than the set's limits;
//   - 404 "not found": a set or version this endpoint does not serve,
//     named as if the Signer had no other;
//   - 409 "conflict": what the hook binds contradicts the set;
//   - 410 "gone": a version past its Sunset, naming those still served;
//   - another 4xx "refused", from the hook's StatusError;
//   - 5xx "error": the hook's or save's StatusError, or a 500 without
//     details for what the backend got wrong (an unencodable Request, a
//     failed save or handle).
//
// For a set with a Deprecated date, the 200 and 410 answers carry the
// header Deprecation: @UNIX_SECONDS (RFC 9745; a date still to come
// announces it), and for a set with a Sunset, Sunset: HTTP-DATE (RFC
// 8594); payloads carry the same dates. A panic in a hook is not
// recovered.
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
// type that NewHandler and NewReportHandler require makes every
// cross-origin request go through the preflight, so other origins cannot
// post with the user's cookie. NewProposalHandler accepts text/plain, as
// next-cloudinary sends it, which browsers post across sites without a
// preflight: a page on another site can make a logged-in user's browser
// call it, though it cannot read the signature answered. If that must not
// reach the hook, OnSigned or the log, refuse requests whose
// Sec-Fetch-Site header is "cross-site" in the hook or a middleware.
package uploadsignhttp

import (
	"context"
	"net/http"
	"strings"

	"github.com/uploadsign/uploadsign"
)

// MaxRequestBytes is the largest request body the handler reads; a
// payload request is a few dozen bytes.
const MaxRequestBytes = 4 << 10

// ClientSet is the parameter set and version a client asks for: the JSON
// body of [NewHandler], and what [ClientSetFrom] gives a hook.
type ClientSet struct {
	ParamSet string `json:"param_set"`
	Version  int    `json:"version"`
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
// upload payload: POST, Content-Type application/json, a body like
// {"param_set": "avatar", "version": 2} of at most [MaxRequestBytes]. It
// checks that the endpoint serves the set, calls authorize for the
// request's [uploadsign.Request], and answers the [uploadsign.Payload] of
// [uploadsign.Signer.Sign]; the package doc lists the other answers.
//
// The handler signs only the sets [Sets] names; NewHandler panics when
// Sets names a set s lacks, or when Sets is not given and s holds more
// than one set name, so that an endpoint never signs a set it was not
// meant for. [WithLogger] and [OnSigned] add a log record and a hook per
// request. The handler is safe for concurrent use.
func NewHandler(s *uploadsign.Signer, authorize func(*http.Request) (uploadsign.Request, error), opts ...HandlerOption) http.Handler {
	if s == nil || authorize == nil {
		panic("uploadsignhttp: NewHandler needs a Signer and an authorize hook")
	}
	o := newHandlerOptions("NewHandler", opts, takes{sets: true, onSigned: true})
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
	body, res := readJSONPost(w, r, MaxRequestBytes)
	if res != nil {
		return ClientSet{}, *res
	}
	req, msg := readClientSet(body)
	if msg != "" {
		return req, writeError(w, http.StatusBadRequest, msg)
	}
	set, err := h.sets.lookup(req.ParamSet, req.Version)
	if err != nil {
		return req, writeLibraryError(w, http.StatusNotFound, err)
	}
	r = r.WithContext(&requestContext{r.Context(), req})
	bound, err := h.authorize(r)
	if err != nil {
		return req, writeHookError(w, err)
	}
	payload, err := h.signer.Sign(req.ParamSet, req.Version, bound)
	if err != nil {
		return req, writeSignerError(w, err, set)
	}
	setLifecycleHeaders(w.Header(), set.Deprecated, set.Sunset)
	writeJSON(w, http.StatusOK, payload)
	if h.opts.onSigned != nil {
		h.opts.onSigned(r, payload)
	}
	return req, result{status: http.StatusOK, outcome: outcomeOf(http.StatusOK)}
}

// readClientSet reads {"param_set": "avatar", "version": 1}, or says why
// not.
func readClientSet(body []byte) (req ClientSet, msg string) {
	err := readObject(body, &req)
	switch {
	case err != nil:
		return ClientSet{}, `want a JSON body like {"param_set": "avatar", "version": 1}: ` + clip(err.Error(), 120)
	case strings.TrimSpace(req.ParamSet) == "":
		return req, `"param_set" is missing`
	case req.Version < 1:
		return req, `"version" is missing or below 1`
	}
	return req, ""
}
