// Package cloudinary holds the facts about Cloudinary's upload endpoint
// that the library, its fake endpoint and its command share, each in one
// place. It signs nothing.
package cloudinary

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// UploadValidity is how long Cloudinary accepts a signed upload after its
// timestamp. Later it answers "Stale request - reported time is ... which
// is more than 1 hour ago".
const UploadValidity = time.Hour

// NotificationMaxAge is how old a notification may be by default, as in
// every official SDK (valid_for, 7200 seconds).
const NotificationMaxAge = 2 * time.Hour

// MaxClockSkew is how far ahead of the clock a timestamp may be: a
// proposal's or a notification's.
const MaxClockSkew = 5 * time.Minute

// UploadResourceTypes are the resource types of an upload URL,
// /v1_1/CLOUD/RESOURCE_TYPE/upload.
var UploadResourceTypes = []string{"image", "video", "raw", "auto"}

// IsUploadResourceType reports whether t is one of [UploadResourceTypes].
func IsUploadResourceType(t string) bool { return slices.Contains(UploadResourceTypes, t) }

// UnsignedKeys are the fields of an upload that the endpoint leaves out of
// the string it hashes, in byte order.
var UnsignedKeys = []string{"api_key", "cloud_name", "file", "resource_type", "signature"}

// Unsigned reports whether key is one of [UnsignedKeys].
func Unsigned(key string) bool { return slices.Contains(UnsignedKeys, key) }

// Pairs splits a string to sign into its keys, in order, and their values.
// A piece without "=" (an "&" that was not escaped inside a value) is
// joined back to the value before it. Values are cut from s, so the work
// is linear in its length.
func Pairs(s string) (keys []string, values map[string]string) {
	values = map[string]string{}
	if s == "" {
		return nil, values
	}
	key, start := "", -1 // the current key, and where its value starts in s
	for pos := 0; pos <= len(s); {
		end := strings.IndexByte(s[pos:], '&')
		if end < 0 {
			end = len(s)
		} else {
			end += pos
		}
		k, _, ok := strings.Cut(s[pos:end], "=")
		if ok || start < 0 {
			if start >= 0 {
				values[key] = s[start : pos-1]
			}
			if _, dup := values[k]; !dup {
				keys = append(keys, k)
			}
			key, start = k, min(pos+len(k)+1, end)
		}
		pos = end + 1
	}
	values[key] = s[start:]
	return keys, values
}

// ParseTimestamp reads Unix seconds as Cloudinary's timestamps are written:
// decimal digits only, no sign, space or fraction, at most 18 of them.
func ParseTimestamp(s string) (int64, error) {
	if s == "" || len(s) > 18 || strings.Trim(s, "0123456789") != "" {
		return 0, errors.New("not decimal Unix seconds")
	}
	return strconv.ParseInt(s, 10, 64)
}

// AppendContextValue appends a context or metadata value escaped as the
// SDKs' encode_context escapes it: "=" and "|" get a backslash before them.
func AppendContextValue(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if v[i] == '=' || v[i] == '|' {
			b = append(b, '\\')
		}
		b = append(b, v[i])
	}
	return b
}

// ParseContext reads a context or metadata parameter, key=value pairs
// joined with "|" whose values escape "=" and "|" with a backslash, as
// Cloudinary reads it.
func ParseContext(v string) map[string]string {
	out := map[string]string{}
	var key, cur strings.Builder
	inValue := false
	flush := func() {
		if key.Len() > 0 || cur.Len() > 0 {
			out[key.String()] = cur.String()
		}
		key.Reset()
		cur.Reset()
		inValue = false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v) && (v[i+1] == '=' || v[i+1] == '|'):
			i++
			cur.WriteByte(v[i])
		case c == '=' && !inValue:
			key.WriteString(cur.String())
			cur.Reset()
			inValue = true
		case c == '|':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

// CheckCloudName refuses a cloud name Cloudinary would not have: empty,
// longer than 128 bytes, or with anything but ASCII letters, digits, "-"
// and "_" (which keeps "/", ".." and spaces out of URLs). The message names
// the position, never the value, which may be a pasted credential.
func CheckCloudName(name string) error {
	if name == "" {
		return errors.New("the cloud name is empty")
	}
	if len(name) > 128 {
		return fmt.Errorf("the cloud name is %d bytes long; at most 128", len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("the cloud name may hold only letters, digits, \"-\" and \"_\" (byte %d is none of them)", i)
		}
	}
	return nil
}

// CheckCredential refuses an empty key or secret (what says which), or
// one with a space, control or non-ASCII byte, the usual trace of a
// copy-paste accident. The message names the position, never the value.
func CheckCredential(what, v string) error {
	if v == "" {
		return fmt.Errorf("the %s is empty", what)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("the %s has a space, control or non-ASCII byte at position %d", what, i)
		}
	}
	return nil
}
