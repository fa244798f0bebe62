package uploadsign

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// The encoders of single parameter values write them as the official Node
// SDK's build_upload_params writes them, and refuse values Cloudinary
// would read otherwise than meant. Each returns the encoded value and, for
// a refused one, an error whose text says why (the caller names the
// parameter).

// checkText refuses what Cloudinary cannot take as text: invalid UTF-8 and NUL.
func checkText(v string) error {
	switch {
	case !utf8.ValidString(v):
		return fmt.Errorf("%.80q is not valid UTF-8", v)
	case strings.IndexByte(v, 0) >= 0:
		return fmt.Errorf("%.80q holds a NUL byte", v)
	}
	return nil
}

// encodeTransformation percent-decodes an incoming transformation as the SDK
// does (decodeURIComponent), refusing what that function throws on: a
// malformed escape, or escapes that are not UTF-8.
func encodeTransformation(t string) (string, error) {
	if !strings.ContainsRune(t, '%') {
		return t, checkText(t)
	}
	decoded, err := url.PathUnescape(t)
	if err != nil || !utf8.ValidString(decoded) {
		return "", fmt.Errorf("%.80q has a malformed percent-escape", t)
	}
	return decoded, checkText(decoded)
}

// encodeList joins items with ",", refusing items that are empty or hold a comma.
func encodeList(items []string) (string, error) {
	for i, item := range items {
		switch {
		case item == "":
			return "", fmt.Errorf("item %d is empty", i)
		case strings.ContainsRune(item, ','):
			return "", fmt.Errorf("item %d (%q) holds a comma", i, item)
		}
		if err := checkText(item); err != nil {
			return "", err
		}
	}
	return strings.Join(items, ","), nil
}

// encodeKeyValues writes a map as key=value pairs in JavaScript's key order
// (jsKeys) joined with "|", with "=" and "|" in values escaped by a
// backslash, as the SDK's encode_context does. It refuses keys that are
// empty or hold "=", "|" or "\" (which cannot be escaped), and a value
// with a backslash Cloudinary would read as part of an escape.
func encodeKeyValues(m map[string]string) (string, error) {
	var b []byte
	for i, k := range jsKeys(m) {
		v := m[k]
		switch {
		case k == "":
			return "", errors.New("a key is empty")
		case strings.ContainsAny(k, "=|\\"):
			return "", fmt.Errorf("key %.80q holds \"=\", \"|\" or \"\\\", which cannot be escaped", k)
		case ambiguousBackslash(v):
			return "", fmt.Errorf("the value of %.80q has \"\\\" before \"=\", \"|\" or its end, which Cloudinary would read as an escape", k)
		}
		if err := cmp.Or(checkText(k), checkText(v)); err != nil {
			return "", err
		}
		if i > 0 {
			b = append(b, '|')
		}
		b = append(append(b, k...), '=')
		b = cloudinary.AppendContextValue(b, v)
	}
	return string(b), nil
}

// ambiguousBackslash reports whether v has a backslash that, once "=" and
// "|" are escaped, Cloudinary would read as part of an escape: one before
// "=", "|" or the end of the value.
func ambiguousBackslash(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && (i+1 == len(v) || v[i+1] == '=' || v[i+1] == '|') {
			return true
		}
	}
	return false
}

// encodeHeaders writes HTTP headers as "Name:value" lines, refusing names and
// values that would break the lines.
func encodeHeaders(h map[string]string) (string, error) {
	var b []byte
	for i, k := range jsKeys(h) {
		v := h[k]
		switch {
		case k == "" || strings.ContainsAny(k, ":\r\n"):
			return "", fmt.Errorf("header name %q is empty or holds \":\" or a line break", k)
		case strings.ContainsAny(v, "\r\n"):
			return "", fmt.Errorf("the value of %q holds a line break", k)
		}
		if err := cmp.Or(checkText(k), checkText(v)); err != nil {
			return "", err
		}
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return string(b), nil
}

// encodeEager joins transformations with "|", each followed by "/format" if set.
func encodeEager(list []Eager) (string, error) {
	var b []byte
	for i, t := range list {
		switch {
		case t.Transformation == "":
			return "", fmt.Errorf("item %d has no transformation", i)
		case strings.ContainsRune(t.Transformation, '|') || strings.ContainsAny(t.Format, "|/"):
			return "", fmt.Errorf("item %d holds \"|\" in its transformation or \"|\" or \"/\" in its format", i)
		}
		if err := cmp.Or(checkText(t.Transformation), checkText(t.Format)); err != nil {
			return "", err
		}
		if i > 0 {
			b = append(b, '|')
		}
		b = append(b, t.Transformation...)
		if t.Format != "" {
			b = append(append(b, '/'), t.Format...)
		}
	}
	return string(b), nil
}

// encodeRects writes rectangles as x,y,w,h joined with "|".
func encodeRects(rs []Rect) (string, error) {
	var b []byte
	for i, r := range rs {
		if i > 0 {
			b = append(b, '|')
		}
		for j, n := range [4]int{r.X, r.Y, r.Width, r.Height} {
			if n < 0 {
				return "", fmt.Errorf("rectangle %d has a negative value", i)
			}
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(n), 10)
		}
	}
	return string(b), nil
}

// encodeAutoTagging writes a confidence threshold in (0, 1].
func encodeAutoTagging(v float64) (string, error) {
	if math.IsNaN(v) || v <= 0 || v > 1 {
		return "", fmt.Errorf("%v is not a confidence in (0, 1]", v)
	}
	return jsNumber(v), nil
}

// jsNumber writes v as JavaScript's Number.prototype.toString does, which
// is how encoding/json writes a float64 (its ES6 rule): the shortest
// digits that read back as v, with an exponent below 1e-6 and from 1e21
// on, and -0 as "0". v is finite.
func jsNumber(v float64) string {
	if v == 0 {
		return "0"
	}
	format := byte('f')
	if abs := math.Abs(v); abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	b := strconv.AppendFloat(nil, v, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b = append(b[:n-2], b[n-1]) // e-07 as e-7
	}
	return string(b)
}

// jsDate is how JavaScript's JSON.stringify writes a Date.
const jsDate = "2006-01-02T15:04:05.000Z"

// encodeAccessControl writes the rules as the JSON array the SDK's
// jsonArrayParam writes; zero times are left out.
func encodeAccessControl(rules []AccessRule) (string, error) {
	b := []byte{'['}
	for i, r := range rules {
		if r.AccessType == "" {
			return "", fmt.Errorf("rule %d has no access type", i)
		}
		if err := checkText(r.AccessType); err != nil {
			return "", err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSString(append(b, `{"access_type":`...), r.AccessType)
		if !r.Start.IsZero() {
			b = appendJSString(append(b, `,"start":`...), r.Start.UTC().Format(jsDate))
		}
		if !r.End.IsZero() {
			b = appendJSString(append(b, `,"end":`...), r.End.UTC().Format(jsDate))
		}
		b = append(b, '}')
	}
	return string(append(b, ']')), nil
}

// encodeBreakpoints writes the settings as the JSON array the SDK's
// generate_responsive_breakpoints_string writes; zero numbers and empty
// strings are left out.
func encodeBreakpoints(list []ResponsiveBreakpoint) (string, error) {
	b := []byte{'['}
	for i, r := range list {
		if err := cmp.Or(checkText(r.Format), checkText(r.Transformation)); err != nil {
			return "", err
		}
		if r.MinWidth < 0 || r.MaxWidth < 0 || r.BytesStep < 0 || r.MaxImages < 0 {
			return "", fmt.Errorf("item %d has a negative number", i)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendBool(append(b, `{"create_derived":`...), r.CreateDerived)
		if r.Format != "" {
			b = appendJSString(append(b, `,"format":`...), r.Format)
		}
		if r.Transformation != "" {
			b = appendJSString(append(b, `,"transformation":`...), r.Transformation)
		}
		for _, n := range [...]struct {
			name string
			v    int
		}{{"min_width", r.MinWidth}, {"max_width", r.MaxWidth}, {"bytes_step", r.BytesStep}, {"max_images", r.MaxImages}} {
			if n.v != 0 {
				b = append(append(append(b, `,"`...), n.name...), `":`...)
				b = strconv.AppendInt(b, int64(n.v), 10)
			}
		}
		b = append(b, '}')
	}
	return string(append(b, ']')), nil
}

// appendJSString appends s quoted as JavaScript's JSON.stringify quotes
// it: only '"', '\\' and control characters are escaped.
func appendJSString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// jsKeys returns m's keys in the order JavaScript enumerates an object whose
// keys were inserted in byte order, the order the SDKs' encoders then
// write: keys that are array indices ("0", "9", "10") first, by number,
// then the others in byte order.
func jsKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, aIndex := arrayIndex(a)
		ib, bIndex := arrayIndex(b)
		switch {
		case aIndex && bIndex:
			return cmp.Compare(ia, ib)
		case aIndex:
			return -1
		case bIndex:
			return 1
		}
		return strings.Compare(a, b)
	})
	return keys
}

// arrayIndex reports whether k is a JavaScript array index: the canonical
// decimal form of an integer from 0 to 2^32-2.
func arrayIndex(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return n, err == nil && n < 1<<32-1
}
