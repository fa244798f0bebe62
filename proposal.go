package uploadsign

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// SignProposed returns the signature of parameters a browser proposes
// (the Upload Widget's params_to_sign; see [ParseProposal]), exactly as
// proposed, if they keep to the parameter set name at version and to req:
// every value the set or req binds proposed as bound (booleans by meaning),
// any other parameter listed in ClientParams (overwrite false is always
// allowed), a timestamp at most an hour (or ValidFor: the signature still
// lives an hour) old and five minutes ahead, and the package's naming rule. Refusals wrap
// [ErrParamNotAllowed] (a single-use set refuses all), malformed values
// [ErrMalformedProposal]; the set's and req's errors are Sign's.
func (s *Signer) SignProposed(set string, version int, proposed url.Values, req Request) (string, error) {
	cs, err := s.liveSet(set, version, s.now())
	if err != nil {
		return "", err
	}
	if cs.SingleUse {
		return "", fmt.Errorf("%w: the single-use set %q makes its own public_id; use Sign", ErrParamNotAllowed, set)
	}
	keys, err := s.proposedKeys(proposed)
	if err != nil {
		return "", err
	}
	if err := s.checkProposedTimestamp(cs, proposed["timestamp"]); err != nil {
		return "", err
	}
	bound, err := cs.bind(&req)
	if err != nil {
		return "", err
	}
	if err := cs.checkProposal(keys, proposed, bound); err != nil {
		return "", err
	}
	if err := checkNaming(proposed, bound); err != nil {
		return "", err
	}
	return s.SignValues(proposed), nil
}

// proposedKeys returns the keys of the proposal that are signed (not empty,
// not left out by the upload endpoint), sorted, refusing a key given more
// than once and, under signature version 1, an "&".
func (s *Signer) proposedKeys(proposed url.Values) ([]string, error) {
	keys := make([]string, 0, len(proposed))
	for k, vs := range proposed {
		if !cloudinary.Unsigned(k) && len(vs) > 0 && !(len(vs) == 1 && vs[0] == "") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys) // the first refusal is the same every time
	for _, k := range keys {
		vs := proposed[k]
		if len(vs) > 1 {
			return nil, fmt.Errorf("%w: %.60q is proposed %d times; a parameter is posted once", ErrParamNotAllowed, k, len(vs))
		}
		if why := s.version1Problem([]field{{k, vs[0]}}); why != "" {
			return nil, fmt.Errorf("%w: %s", ErrMalformedProposal, why)
		}
		if boolean(k) && !isTrue(vs[0]) && !isFalse(vs[0]) {
			return nil, fmt.Errorf("%w: %s: %.20q is not true, false, 1 or 0", ErrMalformedProposal, k, vs[0])
		}
		if slices.Contains(pathParams, k) {
			if err := checkPath(k, vs[0]); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrMalformedProposal, k, err)
			}
		}
	}
	return keys, nil
}

// checkProposedTimestamp accepts decimal Unix seconds from an hour (or the
// set's ValidFor) before the Signer's clock to five minutes after it.
func (s *Signer) checkProposedTimestamp(cs *compiledSet, values []string) error {
	now, err := s.timestamp()
	if err != nil {
		return err
	}
	if len(values) == 0 || values[0] == "" {
		return fmt.Errorf("%w: timestamp: the proposal has none", ErrParamNotAllowed)
	}
	ts, err := cloudinary.ParseTimestamp(values[0])
	switch {
	case err != nil:
		return fmt.Errorf("%w: timestamp: %.40q is not decimal Unix seconds", ErrMalformedProposal, values[0])
	case ts < cs.oldestProposal(now):
		return fmt.Errorf("%w: timestamp: %d is %v old; the set accepts %v", ErrParamNotAllowed, ts, time.Duration(now-ts)*time.Second,
			cmp.Or(cs.ValidFor, cloudinary.UploadValidity))
	case ts > now+int64(cloudinary.MaxClockSkew/time.Second):
		return fmt.Errorf("%w: timestamp: %d is %v ahead of the server's clock; at most %v", ErrParamNotAllowed, ts, time.Duration(ts-now)*time.Second, cloudinary.MaxClockSkew)
	}
	return nil
}

// checkProposal requires every bound parameter in the proposal with its
// value, and every other proposed key to be one the set lets a browser
// choose.
func (cs *compiledSet) checkProposal(keys []string, proposed url.Values, bound map[string]string) error {
	for _, k := range jsKeys(bound) {
		got := proposed.Get(k)
		switch {
		case got == "":
			return fmt.Errorf("%w: %s: the proposal leaves it out; the %s %.80q", ErrParamNotAllowed, k, cs.binder(k, bound[k]), bound[k])
		case !sameValue(k, bound[k], got) && boolean(k):
			return fmt.Errorf("%w: %s must be %t (the %s it), the proposal has %.20q", ErrParamNotAllowed, k, isTrue(bound[k]), cs.binder(k, bound[k]), got)
		case !sameValue(k, bound[k], got):
			return fmt.Errorf("%w: %s: the %s %.80q, the proposal has %.80q", ErrParamNotAllowed, k, cs.binder(k, bound[k]), bound[k], got)
		}
	}
	for _, k := range keys {
		_, isBound := bound[k]
		switch {
		case isBound || k == "timestamp" || slices.Contains(cs.ClientParams, k):
		case k == "overwrite" && isFalse(proposed.Get(k)):
			// Protects, whoever chooses it.
		default:
			return fmt.Errorf("%w: %.60q: neither the set nor the request binds it, and ClientParams does not list it", ErrParamNotAllowed, k)
		}
	}
	return nil
}

// binder says who bound key to value: "set fixes", "request binds", or
// "owner's" for the set's "{owner}".
func (cs *compiledSet) binder(key, value string) string {
	switch fixed, ok := cs.template[key]; {
	case ok && fixed == value:
		return "set fixes"
	case cs.owner != nil && key == cs.owner.key:
		return "owner's"
	}
	return "request binds"
}

// checkNaming refuses a proposal in which the browser decides the
// public_id, or places a bound one, without signing overwrite false (see
// overwriteProblem): what the proposal carries and the set and request do
// not bind, the browser chose.
func checkNaming(proposed url.Values, bound map[string]string) error {
	chosen := func(k string) bool {
		_, isBound := bound[k]
		return !isBound
	}
	if why := checkPlacement(proposed.Get, chosen); why != "" {
		return fmt.Errorf("%w: %s", ErrParamNotAllowed, why)
	}
	if why := overwriteProblem(proposed.Get, chosen, "the proposal"); why != "" {
		return fmt.Errorf("%w: %s", ErrParamNotAllowed, why)
	}
	return nil
}

// ParseProposal reads a JSON object of upload parameters, such as the
// Upload Widget's params_to_sign, into the values Cloudinary signs, each
// written as the Node SDK's api_sign_request writes it (numbers as
// JavaScript writes them, arrays joined with ",", nulls dropped). It
// refuses, wrapping [ErrMalformedProposal], anything but a JSON object of
// strings, numbers, booleans and flat arrays, duplicate keys, invalid
// UTF-8 and NUL bytes.
func ParseProposal(paramsToSign []byte) (url.Values, error) {
	values, err := parseProposal(paramsToSign)
	if err != nil {
		return nil, fmt.Errorf("%w: params_to_sign: %w", ErrMalformedProposal, err)
	}
	return values, nil
}

// parseProposal reads a JSON object into one value per key, each the
// string JavaScript's String makes of the JSON value (see ParseProposal).
func parseProposal(paramsToSign []byte) (url.Values, error) {
	bad := func(format string, args ...any) (url.Values, error) {
		return nil, fmt.Errorf(format, args...)
	}
	if !utf8.Valid(paramsToSign) {
		return bad("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(paramsToSign))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return bad("not a JSON object")
	}
	out := url.Values{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return bad("malformed JSON: %v", err)
		}
		key := tok.(string) // object keys are strings
		if _, dup := out[key]; dup {
			return bad("%.60q is given twice", key)
		}
		value, present, err := proposalValue(dec, false)
		if err != nil {
			return bad("%.60q: %v", key, err)
		}
		if strings.IndexByte(key, 0) >= 0 || strings.IndexByte(value, 0) >= 0 {
			return bad("%.60q holds a NUL byte", key)
		}
		if present {
			out[key] = []string{value}
		} else {
			out[key] = nil // seen, for the duplicate check; dropped below
		}
	}
	if _, err := dec.Token(); err != nil {
		return bad("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("data after the JSON object")
	}
	for k, v := range out {
		if v == nil {
			delete(out, k)
		}
	}
	return out, nil
}

// proposalValue reads one JSON value and writes it as JavaScript's String
// would, arrays joined with ","; present is false for null at the top.
func proposalValue(dec *json.Decoder, inArray bool) (value string, present bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return "", false, fmt.Errorf("malformed JSON: %v", err)
	}
	switch v := tok.(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	case bool:
		return strconv.FormatBool(v), true, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return "", false, fmt.Errorf("the number %.40s is beyond what JavaScript can hold", v)
		}
		return jsNumber(f), true, nil
	case json.Delim:
		if v == '{' {
			return "", false, errors.New("a nested object is not an upload parameter")
		}
		if inArray {
			return "", false, errors.New("an array inside an array is not an upload parameter")
		}
		var b strings.Builder
		for i := 0; dec.More(); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			s, _, err := proposalValue(dec, true)
			if err != nil {
				return "", false, err
			}
			b.WriteString(s)
		}
		if _, err := dec.Token(); err != nil { // ]
			return "", false, fmt.Errorf("malformed JSON: %v", err)
		}
		return b.String(), true, nil
	}
	return "", false, fmt.Errorf("unexpected JSON %v", tok)
}
