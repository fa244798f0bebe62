package uploadsignhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/bridge"
	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// MaxProposalBytes is the largest body the proposal handler reads: a
// widget's proposal can carry long context or eager lists.
const MaxProposalBytes = 64 << 10

// NewProposalHandler returns the signature endpoint of Cloudinary's Upload
// Widget and of next-cloudinary's CldUploadWidget (its signatureEndpoint):
// it signs the parameters the widget proposes, if they keep to the
// parameter set name at version and to what authorize binds for the
// request.
//
// It accepts POST with a body {"paramsToSign": {...}} (next-cloudinary,
// Cloudinary's examples) or {"params_to_sign": {...}}, labelled
// application/json (next-cloudinary 6), text/plain (next-cloudinary 5 sent
// no Content-Type, so the browser labelled it text/plain;charset=UTF-8) or
// not labelled, of at most [MaxProposalBytes]. It reads the proposal with
// [uploadsign.ParseProposal], calls authorize (the contract of
// [NewHandler]: it decides who may upload and returns the values this
// request binds, such as the user's public_id), signs with
// [uploadsign.Signer.SignProposed], and answers 200
// {"signature": "...", "api_key": "..."} with Cache-Control: no-store.
//
// Every failure answers JSON {"error": "..."} naming the parameter,
// without the secret: 405 with Allow for another method; 415 for another
// content type; 413 for a body over the limit; 400 for malformed JSON, a
// body without exactly one of the two keys, or a malformed value (a
// nested object, a timestamp that is not a number); the hook's
// [StatusError], or 401;
// 403 for a parameter the set does not let the browser choose, a bound or
// fixed value proposed differently, a timestamp outside Cloudinary's hour,
// or a browser-chosen public_id without overwrite false; 409 when the
// hook's values contradict the set; 410 Gone when the set is past its
// Sunset, naming the versions still served; 500, without details, when
// the hook's values cannot be encoded. A panic in the hook is not
// recovered. The 200 and 410 answers carry the Deprecation and Sunset
// headers of [NewHandler].
//
// NewProposalHandler panics when s has no such set and version, or when
// given [Sets]. The options add a log record per request ([WithLogger])
// and a hook after each signature ([OnSigned]). The handler is safe for
// concurrent use.
func NewProposalHandler(s *uploadsign.Signer, set string, version int, authorize func(*http.Request) (uploadsign.Request, error), opts ...HandlerOption) http.Handler {
	if s == nil || authorize == nil {
		panic("uploadsignhttp: NewProposalHandler needs a Signer and an authorize hook")
	}
	o := newHandlerOptions(opts)
	if o.sets != nil {
		panic("uploadsignhttp: NewProposalHandler serves the one parameter set it is given; Sets is for NewHandler")
	}
	// The Signer is immutable: the set's dates are read once.
	found, ok, err := allSets(s).lookup(set, version)
	if !ok {
		if err == nil {
			err = fmt.Errorf("%w: %q: the Signer has no parameter sets", uploadsign.ErrUnknownParamSet, set)
		}
		panic("uploadsignhttp: NewProposalHandler: " + err.Error())
	}
	return &proposalHandler{signer: s, set: set, version: version, authorize: authorize, opts: o,
		deprecated: found.Deprecated, sunset: found.Sunset}
}

type proposalHandler struct {
	signer             *uploadsign.Signer
	set                string
	version            int
	authorize          func(*http.Request) (uploadsign.Request, error)
	opts               handlerOptions
	deprecated, sunset time.Time
}

func (h *proposalHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.opts.start()
	res := h.serve(w, r)
	h.opts.log(r.Context(), "widget signature", start, h.set, h.version, res)
}

func (h *proposalHandler) serve(w http.ResponseWriter, r *http.Request) result {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return writeError(w, http.StatusMethodNotAllowed, "use POST")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" && mt != "text/plain" {
			return writeError(w, http.StatusUnsupportedMediaType, "send the JSON as application/json or text/plain")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxProposalBytes))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %d bytes", MaxProposalBytes))
		}
		return writeError(w, http.StatusBadRequest, "reading the request body failed")
	}
	proposed, err := readProposal(body)
	if err != nil {
		return writeError(w, http.StatusBadRequest, err.Error())
	}
	r = r.WithContext(&requestContext{r.Context(), ClientSet{ParamSet: h.set, Version: h.version}})
	bound, err := h.authorize(r)
	if err != nil {
		return writeHookError(w, err)
	}
	signature, err := h.signer.SignProposed(h.set, h.version, proposed, bound)
	if err != nil {
		return h.writeProposalError(w, err)
	}
	setLifecycleHeaders(w.Header(), h.deprecated, h.sunset)
	writeJSON(w, http.StatusOK, struct {
		APIKey    string `json:"api_key"`
		Signature string `json:"signature"`
	}{h.signer.APIKey(), signature})
	if h.opts.onSigned != nil {
		h.opts.onSigned(r, h.payload(proposed, signature))
	}
	return result{status: http.StatusOK, outcome: outcomeOf(http.StatusOK)}
}

// payload describes a signed proposal for OnSigned.
func (h *proposalHandler) payload(proposed url.Values, signature string) *uploadsign.Payload {
	p := &uploadsign.Payload{ParamSet: h.set, Version: h.version, Fields: make(map[string]string, len(proposed)+2)}
	for k, vs := range proposed {
		if len(vs) > 0 && vs[0] != "" {
			p.Fields[k] = vs[0]
		}
	}
	p.Fields["signature"] = signature
	p.Fields["api_key"] = h.signer.APIKey()
	p.Timestamp, _ = cloudinary.ParseTimestamp(p.Fields["timestamp"]) // SignProposed checked it
	if !h.deprecated.IsZero() {
		at := h.deprecated.UTC()
		p.DeprecatedAt = &at
		p.Deprecated = !time.Unix(p.Timestamp, 0).Before(at)
	}
	if !h.sunset.IsZero() {
		at := h.sunset.UTC()
		p.Sunset = &at
	}
	return p
}

// readProposal reads {"paramsToSign": {...}} or {"params_to_sign": {...}}.
func readProposal(body []byte) (url.Values, error) {
	const want = `want a JSON body like {"paramsToSign": {"timestamp": 1700000000, ...}}`
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New(want)
	}
	var inner json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", want, err)
		}
		switch key := tok.(string); {
		case key != "paramsToSign" && key != "params_to_sign":
			return nil, fmt.Errorf("%s: unknown field %.60q", want, key)
		case inner != nil:
			return nil, errors.New(`give "paramsToSign" or "params_to_sign" once`)
		}
		if err := dec.Decode(&inner); err != nil {
			return nil, fmt.Errorf("%s: %v", want, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s: %v", want, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: data after the JSON object", want)
	}
	if inner == nil {
		return nil, errors.New(`"paramsToSign" is missing`)
	}
	return uploadsign.ParseProposal(inner)
}

// writeProposalError answers a SignProposed error.
func (h *proposalHandler) writeProposalError(w http.ResponseWriter, err error) result {
	switch {
	case errors.Is(err, uploadsign.ErrSunset):
		setLifecycleHeaders(w.Header(), h.deprecated, h.sunset)
		return writeError(w, http.StatusGone, err.Error())
	case bridge.MalformedProposal(err):
		return writeError(w, http.StatusBadRequest, err.Error()) // a malformed value
	case errors.Is(err, uploadsign.ErrParamNotAllowed):
		res := writeError(w, http.StatusForbidden, err.Error())
		res.outcome = "not allowed"
		return res
	case errors.Is(err, uploadsign.ErrParamConflict):
		return writeError(w, http.StatusConflict, err.Error())
	}
	// The hook's values cannot be encoded, or the clock is broken: a bug
	// of the backend, whose details stay on the server.
	return writeServerError(w, err)
}
