// Package encode writes upload parameters as the official Node SDK's
// build_upload_params writes them, and refuses values Cloudinary would
// read otherwise than meant. Each function returns the encoded value and,
// for a refused one, an error whose text says why (the caller names the
// parameter).
package encode

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// Text refuses what Cloudinary cannot take as text: invalid UTF-8 and NUL.
func Text(v string) error {
	switch {
	case !utf8.ValidString(v):
		return fmt.Errorf("%.80q is not valid UTF-8", v)
	case strings.IndexByte(v, 0) >= 0:
		return fmt.Errorf("%.80q holds a NUL byte", v)
	}
	return nil
}

// Transformation percent-decodes an incoming transformation as the SDK
// does (decodeURIComponent), refusing what that function throws on: a
// malformed escape, or escapes that are not UTF-8.
func Transformation(t string) (string, error) {
	if !strings.ContainsRune(t, '%') {
		return t, Text(t)
	}
	decoded, err := url.PathUnescape(t)
	if err != nil || !utf8.ValidString(decoded) {
		return "", fmt.Errorf("%.80q has a malformed percent-escape", t)
	}
	return decoded, Text(decoded)
}

// List joins items with ",", refusing items that are empty or hold a comma.
func List(items []string) (string, error) {
	for i, item := range items {
		switch {
		case item == "":
			return "", fmt.Errorf("item %d is empty", i)
		case strings.ContainsRune(item, ','):
			return "", fmt.Errorf("item %d (%q) holds a comma", i, item)
		}
		if err := Text(item); err != nil {
			return "", err
		}
	}
	return strings.Join(items, ","), nil
}

// KeyValues writes a map as key=value pairs in JavaScript's key order
// ([Keys]) joined with "|", with "=" and "|" in values escaped by a
// backslash, as the SDK's encode_context does. It refuses keys that are
// empty or hold "=", "|" or "\" (which cannot be escaped), and a value
// with a backslash Cloudinary would read as part of an escape.
func KeyValues(m map[string]string) (string, error) {
	var b []byte
	for i, k := range Keys(m) {
		v := m[k]
		switch {
		case k == "":
			return "", errors.New("a key is empty")
		case strings.ContainsAny(k, "=|\\"):
			return "", fmt.Errorf("key %.80q holds \"=\", \"|\" or \"\\\", which cannot be escaped", k)
		case ambiguousBackslash(v):
			return "", fmt.Errorf("the value of %.80q has \"\\\" before \"=\", \"|\" or its end, which Cloudinary would read as an escape", k)
		}
		if err := first(Text(k), Text(v)); err != nil {
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

// first returns the first error that is not nil.
func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
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

// Headers writes HTTP headers as "Name:value" lines, refusing names and
// values that would break the lines.
func Headers(h map[string]string) (string, error) {
	var b []byte
	for i, k := range Keys(h) {
		v := h[k]
		switch {
		case k == "" || strings.ContainsAny(k, ":\r\n"):
			return "", fmt.Errorf("header name %q is empty or holds \":\" or a line break", k)
		case strings.ContainsAny(v, "\r\n"):
			return "", fmt.Errorf("the value of %q holds a line break", k)
		}
		if err := first(Text(k), Text(v)); err != nil {
			return "", err
		}
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return string(b), nil
}

// EagerItem is one eager transformation, with an optional format.
type EagerItem struct{ Transformation, Format string }

// Eager joins transformations with "|", each followed by "/format" if set.
func Eager(list []EagerItem) (string, error) {
	var b []byte
	for i, t := range list {
		switch {
		case t.Transformation == "":
			return "", fmt.Errorf("item %d has no transformation", i)
		case strings.ContainsRune(t.Transformation, '|') || strings.ContainsAny(t.Format, "|/"):
			return "", fmt.Errorf("item %d holds \"|\" in its transformation or \"|\" or \"/\" in its format", i)
		}
		if err := first(Text(t.Transformation), Text(t.Format)); err != nil {
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

// Rects writes rectangles, x, y, width and height, as x,y,w,h joined with
// "|".
func Rects(rs [][4]int) (string, error) {
	var b []byte
	for i, r := range rs {
		if i > 0 {
			b = append(b, '|')
		}
		for j, n := range r {
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

// AutoTagging writes a confidence threshold in (0, 1].
func AutoTagging(v float64) (string, error) {
	if math.IsNaN(v) || v <= 0 || v > 1 {
		return "", fmt.Errorf("%v is not a confidence in (0, 1]", v)
	}
	return JSNumber(v), nil
}

// JSNumber writes v as JavaScript's Number.prototype.toString does: the
// shortest digits that read back as v, without an exponent from 1e-7 up to
// 1e21, and -0 as "0".
func JSNumber(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	case v < 0:
		return "-" + JSNumber(-v)
	}
	// d.ddde±x: the digits, and n, the position of the decimal point
	// after the first digit as ECMAScript's Number::toString counts it.
	mant, exp, _ := strings.Cut(strconv.FormatFloat(v, 'e', -1, 64), "e")
	digits := strings.Replace(mant, ".", "", 1)
	e, _ := strconv.Atoi(exp)
	k, n := len(digits), e+1
	switch {
	case k <= n && n <= 21:
		return digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return "0." + strings.Repeat("0", -n) + digits
	}
	out := digits[:1]
	if k > 1 {
		out += "." + digits[1:]
	}
	if n-1 < 0 {
		return out + "e-" + strconv.Itoa(1-n)
	}
	return out + "e+" + strconv.Itoa(n-1)
}

// jsDate is how JavaScript's JSON.stringify writes a Date.
const jsDate = "2006-01-02T15:04:05.000Z"

// AccessRule is one entry of access_control; zero times are left out.
type AccessRule struct {
	AccessType string
	Start, End time.Time
}

// AccessControl writes the rules as the JSON array the SDK's
// jsonArrayParam writes.
func AccessControl(rules []AccessRule) (string, error) {
	b := []byte{'['}
	for i, r := range rules {
		if r.AccessType == "" {
			return "", fmt.Errorf("rule %d has no access type", i)
		}
		if err := Text(r.AccessType); err != nil {
			return "", err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendJSString(append(b, `{"access_type":`...), r.AccessType)
		if !r.Start.IsZero() {
			b = AppendJSString(append(b, `,"start":`...), r.Start.UTC().Format(jsDate))
		}
		if !r.End.IsZero() {
			b = AppendJSString(append(b, `,"end":`...), r.End.UTC().Format(jsDate))
		}
		b = append(b, '}')
	}
	return string(append(b, ']')), nil
}

// Breakpoint is one responsive_breakpoints setting; zero numbers and empty
// strings are left out.
type Breakpoint struct {
	CreateDerived                            bool
	Format, Transformation                   string
	MinWidth, MaxWidth, BytesStep, MaxImages int
}

// Breakpoints writes the settings as the JSON array the SDK's
// generate_responsive_breakpoints_string writes.
func Breakpoints(list []Breakpoint) (string, error) {
	b := []byte{'['}
	for i, r := range list {
		if err := first(Text(r.Format), Text(r.Transformation)); err != nil {
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
			b = AppendJSString(append(b, `,"format":`...), r.Format)
		}
		if r.Transformation != "" {
			b = AppendJSString(append(b, `,"transformation":`...), r.Transformation)
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

// AppendJSString appends s quoted as JavaScript's JSON.stringify quotes
// it: only '"', '\\' and control characters are escaped.
func AppendJSString(b []byte, s string) []byte {
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

// Keys returns m's keys in the order JavaScript enumerates an object whose
// keys were inserted in byte order, the order the SDKs' encoders then
// write: keys that are array indices ("0", "9", "10") first, by number,
// then the others in byte order.
func Keys(m map[string]string) []string {
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
