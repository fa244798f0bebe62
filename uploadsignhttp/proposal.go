package uploadsignhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/bridge"
)

// MaxProposalBytes is the largest body the proposal handler reads: a
// widget's proposal can carry long context or eager lists.
const MaxProposalBytes = 64 << 10

// NewProposalHandler returns the signature endpoint of Cloudinary's Upload
// Widget and of next-cloudinary's CldUploadWidget (its signatureEndpoint):
// it signs the parameters the widget proposes if they keep to the
// parameter set name at version and to what authorize binds for the
// request ([uploadsign.Signer.SignProposed]).
//
// It accepts POST with a body {"paramsToSign": {...}} (next-cloudinary,
// Cloudinary's examples) or {"params_to_sign": {...}} of at most
// [MaxProposalBytes], labelled application/json (next-cloudinary 6),
// text/plain (next-cloudinary 5 sent no Content-Type, so browsers label it
// text/plain;charset=UTF-8) or not labelled. It calls authorize before it
// reads the body, so that a request the hook refuses costs nothing more,
// and answers 200 {"signature": "...", "api_key": "..."}. A malformed
// proposal ([uploadsign.ErrMalformedProposal]) answers 400, one the set
// does not allow 403; the package doc lists the other answers, and the
// 200 and 410 answers carry the Deprecation and Sunset headers.
//
// NewProposalHandler panics when s has no such set and version, or when
// given [Sets]. [WithLogger] and [OnSigned] add a log record and a hook
// per request. The handler is safe for concurrent use.
func NewProposalHandler(s *uploadsign.Signer, set string, version int, authorize func(*http.Request) (uploadsign.Request, error), opts ...HandlerOption) http.Handler {
	if s == nil || authorize == nil {
		panic("uploadsignhttp: NewProposalHandler needs a Signer and an authorize hook")
	}
	o := newHandlerOptions("NewProposalHandler", opts, takes{onSigned: true})
	// The Signer is immutable: the set is read once.
	found, err := bridge.Lookup(s, nil, set, version)
	if err != nil {
		panic("uploadsignhttp: NewProposalHandler: " + err.Error())
	}
	return &proposalHandler{signer: s, set: found, authorize: authorize, opts: o}
}

type proposalHandler struct {
	signer    *uploadsign.Signer
	set       bridge.Set
	authorize func(*http.Request) (uploadsign.Request, error)
	opts      handlerOptions
}

func (h *proposalHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.opts.start()
	res := h.serve(w, r)
	h.opts.log(r.Context(), "widget signature", start, h.set.Name, h.set.Version, res)
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
	r = r.WithContext(&requestContext{r.Context(), ClientSet{ParamSet: h.set.Name, Version: h.set.Version}})
	bound, err := h.authorize(r)
	if err != nil {
		return writeHookError(w, err)
	}
	body, status, msg := readBody(w, r, MaxProposalBytes)
	if status != 0 {
		return writeError(w, status, msg)
	}
	proposed, err := readProposal(body)
	if err != nil {
		return writeLibraryError(w, http.StatusBadRequest, err)
	}
	signature, err := h.signer.SignProposed(h.set.Name, h.set.Version, proposed, bound)
	if err != nil {
		return writeSignerError(w, err, h.set)
	}
	setLifecycleHeaders(w.Header(), h.set.Deprecated, h.set.Sunset)
	writeJSON(w, http.StatusOK, struct {
		APIKey    string         `json:"api_key"`
		Signature string         `json:"signature"`
		Limits    json.Marshaler `json:"limits,omitempty"` // for the page to refuse a larger file first
	}{h.signer.APIKey(), signature, h.set.Limits})
	if h.opts.onSigned != nil {
		h.opts.onSigned(r, h.payload(proposed, signature))
	}
	return result{status: http.StatusOK, outcome: outcomeOf(http.StatusOK)}
}

// payload describes a signed proposal for OnSigned.
func (h *proposalHandler) payload(proposed url.Values, signature string) *uploadsign.Payload {
	fields := make(map[string]string, len(proposed)+2)
	for k, vs := range proposed {
		if len(vs) > 0 && vs[0] != "" {
			fields[k] = vs[0]
		}
	}
	fields["signature"] = signature
	fields["api_key"] = h.signer.APIKey()
	p, _ := bridge.ProposalPayload(h.signer, h.set.Name, h.set.Version, fields) // SignProposed checked the set and timestamp
	return p.(*uploadsign.Payload)
}

// readProposal reads {"paramsToSign": {...}} or {"params_to_sign": {...}}.
func readProposal(body []byte) (url.Values, error) {
	var env struct {
		Camel json.RawMessage `json:"paramsToSign"`
		Snake json.RawMessage `json:"params_to_sign"`
	}
	if err := readObject(body, &env); err != nil {
		return nil, fmt.Errorf(`want a JSON body like {"paramsToSign": {"timestamp": 1700000000, ...}}: %v`, err)
	}
	camel, snake := env.Camel, env.Snake
	switch {
	case camel != nil && snake != nil:
		return nil, errors.New(`give "paramsToSign" or "params_to_sign", not both`)
	case camel == nil && snake == nil:
		return nil, errors.New(`"paramsToSign" is missing`)
	}
	if camel == nil {
		camel = snake
	}
	return uploadsign.ParseProposal(camel)
}
