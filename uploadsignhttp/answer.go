package uploadsignhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/bridge"
)

// StatusError is an error a hook returns to choose the HTTP status and
// the message the client sees: 401 or 403, another 4xx, or a 5xx when the
// hook cannot decide (say 503 while the session store is down, so that
// the frontend retries instead of logging its user out). The hook may
// wrap it (fmt.Errorf("sessions: %w", err)); [WithLogger] logs the whole
// error of a 5xx at level Error. An empty Message answers the status's
// text. Any other error from an authorize hook, and a StatusError whose
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

// readJSONPost reads a POST with Content-Type application/json and a body
// of at most limit bytes, or answers why not (res is then not nil).
func readJSONPost(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, res *result) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		res := writeError(w, http.StatusMethodNotAllowed, "use POST")
		return nil, &res
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		res := writeError(w, http.StatusUnsupportedMediaType, "send Content-Type: application/json")
		return nil, &res
	}
	body, status, msg := readBody(w, r, limit)
	if status != 0 {
		res := writeError(w, status, msg)
		return nil, &res
	}
	return body, nil
}

// readBody reads a request body of at most limit bytes, or says why not
// with the status to answer.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, status int, msg string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	switch {
	case errors.As(err, new(*http.MaxBytesError)):
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %d bytes", limit)
	case err != nil:
		return nil, http.StatusBadRequest, "reading the request body failed"
	}
	return body, 0, ""
}

// readObject decodes body, one JSON object and white space, into v, a
// pointer to a struct whose json tags name the keys allowed: each exactly
// as written there (encoding/json would also take other cases and Unicode
// foldings) and at most once (encoding/json keeps the last).
func readObject(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	if len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		return errors.New("data after the JSON object")
	}
	t := reflect.TypeOf(v).Elem()
	var seen uint64 // by field index
	return objectKeys(body, func(key []byte) error {
		i := fieldOf(t, key)
		switch {
		case i < 0:
			return fmt.Errorf("unknown field %s", clip(strconv.Quote(string(key)), 64))
		case seen&(1<<i) != 0:
			return fmt.Errorf("field %q given twice", key)
		}
		seen |= 1 << i
		return nil
	})
}

// fieldOf returns the index of the field of struct type t whose json tag
// names key, or -1.
func fieldOf(t reflect.Type, key []byte) int {
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name == string(key) {
			return i
		}
	}
	return -1
}

// objectKeys calls f with each key of the JSON object body as it is
// written, escapes and all, for a body encoding/json has accepted as one
// object, and returns f's first error. encoding/json reads keys folded and
// keeps only the last of a repeated one; its Token reads them as sent at
// the cost of 19 more allocations a request (BenchmarkServeHTTP, 55
// against 36), which this small walk saves.
func objectKeys(body []byte, f func(key []byte) error) error {
	depth, key := 0, false // key: a string here would be a key of the object
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '{', '[':
			depth++
			key = depth == 1 && body[i] == '{'
		case '}', ']':
			depth--
		case ',':
			key = depth == 1
		case '"':
			end := i + 1
			for end < len(body) && body[end] != '"' {
				if body[end] == '\\' {
					end++
				}
				end++
			}
			if key {
				if err := f(body[i+1 : min(end, len(body))]); err != nil {
					return err
				}
				key = false
			}
			i = end
		}
	}
	return nil
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
	return writeStatusError(w, se, err)
}

// writeStatusError answers a StatusError se found in err.
func writeStatusError(w http.ResponseWriter, se *StatusError, err error) result {
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

// writeSignerError answers an error of the Signer's methods with the
// status the package doc lists for it (set's dates go in the headers of a
// 410); an error of no sentinel below is the backend's own, and answers
// 500 without details.
func writeSignerError(w http.ResponseWriter, err error, set bridge.Set) result {
	status, outcome := http.StatusInternalServerError, ""
	switch {
	case errors.Is(err, uploadsign.ErrUnknownParamSet):
		status = http.StatusNotFound
	case errors.Is(err, uploadsign.ErrSunset):
		status = http.StatusGone
		setLifecycleHeaders(w.Header(), set.Deprecated, set.Sunset)
	case errors.Is(err, uploadsign.ErrParamConflict):
		status = http.StatusConflict
	case errors.Is(err, uploadsign.ErrParamNotAllowed):
		status, outcome = http.StatusForbidden, "not allowed"
	case errors.Is(err, uploadsign.ErrUploadMismatch):
		status, outcome = http.StatusForbidden, "mismatch"
	case errors.Is(err, uploadsign.ErrLimitExceeded):
		status, outcome = http.StatusForbidden, "over limit"
	case errors.Is(err, uploadsign.ErrMalformedProposal), errors.Is(err, uploadsign.ErrMalformedResult),
		errors.Is(err, uploadsign.ErrInvalidSignature):
		status = http.StatusBadRequest
	default:
		return writeServerError(w, err)
	}
	res := writeLibraryError(w, status, err)
	if outcome != "" {
		res.outcome = outcome
	}
	return res
}

// writeAppError answers the error of the application's save or handle:
// its StatusError, or 500 without details.
func writeAppError(w http.ResponseWriter, err error) result {
	var se *StatusError
	if errors.As(err, &se) && se.Code >= 400 && se.Code <= 599 {
		return writeStatusError(w, se, err)
	}
	return writeServerError(w, err)
}

// writeServerError answers 500 without details; the log gets err.
func writeServerError(w http.ResponseWriter, err error) result {
	res := writeError(w, http.StatusInternalServerError, "the server could not do this")
	res.err = err
	return res
}

// writeLibraryError answers an error of the uploadsign package with
// status: the client reads the error without the package's prefix, and
// the log names the error and the parameter, not the values the client
// sent.
func writeLibraryError(w http.ResponseWriter, status int, err error) result {
	res := writeError(w, status, strings.ReplaceAll(err.Error(), "uploadsign: ", ""))
	res.msg = logMessage(err)
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

// sentinels are the errors of the uploadsign package that logMessage
// names, the more specific first.
var sentinels = []error{uploadsign.ErrMalformedProposal, uploadsign.ErrMalformedResult, uploadsign.ErrInvalidParam, uploadsign.ErrInvalidSignature,
	uploadsign.ErrExpired, uploadsign.ErrUnknownParamSet, uploadsign.ErrParamConflict, uploadsign.ErrParamNotAllowed,
	uploadsign.ErrSunset, uploadsign.ErrUploadMismatch, uploadsign.ErrLimitExceeded}

// logMessage describes an error of the uploadsign package for the log
// without a value the client sent: the sentinel's text and the name that
// follows it (a parameter, a set), such as "parameter not allowed:
// overwrite".
func logMessage(err error) string {
	text := err.Error()
	for _, s := range sentinels {
		if !errors.Is(err, s) {
			continue
		}
		_, after, found := strings.Cut(text, s.Error()+": ")
		what := strings.TrimPrefix(s.Error(), "uploadsign: ")
		if !found {
			return what
		}
		if name := leadingName(after); name != "" {
			return what + ": " + name
		}
		return what
	}
	return "refused"
}

// leadingName returns the parameter or set name s starts with: a quoted
// string, or lower-case letters, digits and "_".
func leadingName(s string) string {
	if strings.HasPrefix(s, `"`) {
		if q, err := strconv.QuotedPrefix(s); err == nil {
			name, _ := strconv.Unquote(q)
			return clip(strconv.Quote(name), 66)
		}
		return ""
	}
	n := 0
	for n < len(s) && ('a' <= s[n] && s[n] <= 'z' || '0' <= s[n] && s[n] <= '9' || s[n] == '_') {
		n++
	}
	return clip(s[:n], 64)
}
