// Package jsonenc appends JSON values to a byte slice without reflection,
// byte for byte as encoding/json's Marshal writes them (Go 1.22 on): strings
// HTML-escaped, map keys sorted, times as time.Time's MarshalJSON. The
// payload endpoint's answers are written with it.
package jsonenc

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// safe holds the bytes that encoding/json writes as they are inside a
// string: printable ASCII, except '"', '\\' and the HTML-sensitive '<',
// '>', '&'. Bytes from 0x80 on start UTF-8 sequences, checked one by one.
var safe = func() (t [256]bool) {
	for b := ' '; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// String appends s as a JSON string, as encoding/json writes it: '"' and
// '\\' escaped with a backslash; \b, \f, \n, \r and \t by name; other
// control bytes and '<', '>', '&' as \u00XX; U+2028 and U+2029 as \u2028
// and \u2029; each byte of invalid UTF-8 as \ufffd.
func String(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && safe[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		b := s[i]
		if b < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Member appends the object member "key":"value", both strings as String
// writes them.
func Member(dst []byte, key, value string) []byte {
	dst = String(dst, key)
	dst = append(dst, ':')
	return String(dst, value)
}

// StringMap appends m as a JSON object with its keys sorted in byte
// order, or null when m is nil.
func StringMap(dst []byte, m map[string]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	type pair struct{ k, v string }
	var arr [32]pair
	pairs := arr[:0]
	for k, v := range m {
		pairs = append(pairs, pair{k, v})
	}
	if len(pairs) <= len(arr) {
		// Insertion sort: the fastest for the dozen fields of an upload.
		for i := 1; i < len(pairs); i++ {
			for j := i; j > 0 && pairs[j].k < pairs[j-1].k; j-- {
				pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
			}
		}
	} else {
		slices.SortFunc(pairs, func(a, b pair) int { return strings.Compare(a.k, b.k) })
	}
	dst = append(dst, '{')
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = Member(dst, p.k, p.v)
	}
	return append(dst, '}')
}

// Time appends t as time.Time's MarshalJSON writes it: RFC 3339 with the
// nanoseconds it has, quoted. The times MarshalJSON refuses (a year outside
// 0 to 9999, a zone offset of a day or more) are left to it, so that the
// error is its own; dst is then returned unchanged. A UTC time in whole
// seconds, as a payload's are, is written digit by digit, which takes
// half the time of formatting it.
func Time(dst []byte, t time.Time) ([]byte, error) {
	if t.Location() == time.UTC && t.Nanosecond() == 0 {
		if year, month, day := t.Date(); 0 <= year && year <= 9999 {
			hour, minute, second := t.Clock()
			dst = append(dst, '"')
			dst = twoDigits(twoDigits(dst, year/100), year%100)
			dst = twoDigits(append(dst, '-'), int(month))
			dst = twoDigits(append(dst, '-'), day)
			dst = twoDigits(append(dst, 'T'), hour)
			dst = twoDigits(append(dst, ':'), minute)
			dst = twoDigits(append(dst, ':'), second)
			return append(dst, 'Z', '"'), nil
		}
	}
	_, offset := t.Zone()
	if y := t.Year(); y < 0 || y > 9999 || offset <= -24*60*60 || offset >= 24*60*60 {
		b, err := t.MarshalJSON()
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	}
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"'), nil
}

// twoDigits appends n, from 0 to 99, as two decimal digits.
func twoDigits(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}
