package uploadsign

import (
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The delivery URL of a verified upload is built byte for byte as the
// official Node SDK (cloudinary 2.11.0) builds it with
//
//	cloudinary.url(public_id, {secure: true, urlAnalytics: false, version,
//		resource_type, type, format, sign_url: true}) // sign_url for authenticated and private
//
// The URL is
//
//	PREFIX/RESOURCE_TYPE/TYPE[/s--SIGNATURE--]/vVERSION/PUBLIC_ID[.FORMAT]
//
// where, as the SDK's url and finalize_source (lib/utils/index.js) make it:
//
//   - PREFIX is "https://res.cloudinary.com/CLOUD_NAME" (defaultPrefix) or
//     a custom one given whole, which stands for the SDK's private_cdn with
//     secure_distribution (https) or cname (http).
//   - PUBLIC_ID is escaped as encodeURIComponent escapes it, then ":" and
//     "/" are put back: every UTF-8 byte other than the letters, digits,
//     "-", "_", ".", "!", "~", "*", "'", "(", ")", ":" and "/" becomes %XX
//     with upper-case hex.
//   - FORMAT is appended after a "." for images and videos when it is not
//     empty. Raw files carry their extension in the public_id: no format is
//     appended to them.
//   - The version is always there: the caller has a verified one.
//   - The authenticated and private types are signed: SIGNATURE is the first
//     8 characters of the base64 of SHA-1(ESCAPED_PUBLIC_ID[.FORMAT] +
//     api_secret), with "+" and "/" turned into "-" and "_". The signed text
//     is the escaped source, without the version and without the prefix.
//
// Golden cases from the SDK pin all of this: testdata/golden/urls.json, made
// by testdata/generate.js.
// The functions hold no secret: the caller passes a function that hashes.

// deliveryError is what deliveryURL and checkPrefix return when they
// refuse an input. Its message never quotes a prefix, which could hold
// credentials by mistake.
type deliveryError struct {
	// Field names the refused input: "prefix", "resource_type", "type",
	// "public_id", "version", "format" or "digest".
	Field string
	// Reason says why, in a few words.
	Reason string
}

// Error returns "FIELD: REASON".
func (e *deliveryError) Error() string { return e.Field + ": " + e.Reason }

// defaultPrefix returns the prefix of Cloudinary's shared delivery domain
// for cloudName: "https://res.cloudinary.com/" + cloudName.
func defaultPrefix(cloudName string) string {
	return "https://res.cloudinary.com/" + cloudName
}

// deliveryURL returns the delivery URL of a under prefix, the part of the
// URL before "/RESOURCE_TYPE/TYPE/" (defaultPrefix, or checkPrefix's).
// For the authenticated and private types it calls digest once with the
// text to sign, which must return the SHA-1 of that text followed by the
// secret (the SDK's default for URLs, whatever the account signs uploads
// with). It refuses, with a *deliveryError, what checkPrefix and
// checkAsset refuse: the public_ids the SDK would turn into the URL of
// something else are those pathProblem refuses, and those with "%", which
// the SDK percent-decodes first.
func deliveryURL(prefix string, a *Asset, digest func(toSign string) []byte) (string, error) {
	if err := checkPrefix(prefix); err != nil {
		return "", err
	}
	if err := checkAsset(a); err != nil {
		return "", err
	}
	source := escapePublicID(a.PublicID)
	if a.ResourceType != "raw" && a.Format != "" {
		source += "." + a.Format
	}
	parts := []string{prefix, a.ResourceType, a.Type}
	if signed(a.Type) {
		sig, err := signature(source, digest)
		if err != nil {
			return "", err
		}
		parts = append(parts, sig)
	}
	parts = append(parts, "v"+strconv.FormatInt(a.Version, 10), source)
	return strings.Join(parts, "/"), nil
}

// checkPrefix reports, with a *deliveryError, whether deliveryURL refuses prefix. A
// prefix is an absolute URL used as given, with no cloud name added:
//
//   - "https://" or "http://", then a host (ASCII letters, digits, "-",
//     "." and "_", or an IPv6 address in brackets), an optional port and an
//     optional path;
//   - no user information, query, fragment or trailing "/";
//   - no empty, "." or ".." path segment, escaped or not, and no escaped
//     "/" ("%2F");
//   - printable ASCII only, without space and the bytes " < > \ ^ ` { | }.
//
// Prefixes are not secret, but the error never quotes one: a prefix with
// user information could carry a password.
func checkPrefix(prefix string) error {
	refuse := func(reason string) error { return &deliveryError{Field: "prefix", Reason: reason} }
	rest, ok := strings.CutPrefix(prefix, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(prefix, "http://")
	}
	if !ok {
		return refuse(`does not start with "https://" or "http://"`)
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
			return refuse("has a space, a control or non-ASCII byte, or one of \"<>\\^`{|}")
		}
	}
	if strings.ContainsAny(prefix, "?#") {
		return refuse("has a query or fragment")
	}
	if strings.HasSuffix(prefix, "/") {
		return refuse(`ends with "/"`)
	}
	u, err := url.Parse(prefix)
	if err != nil { // err quotes the prefix
		return refuse("is not a valid URL")
	}
	if u.User != nil {
		return refuse("has user information")
	}
	if u.Hostname() == "" {
		return refuse("has no host")
	}
	authority, path, _ := strings.Cut(rest, "/")
	for i := 0; i < len(authority); i++ {
		if c := authority[i]; !isAlnum(c) && strings.IndexByte("-._:[]", c) < 0 {
			return refuse("has a host or port with a byte other than ASCII letters, digits and -._:[]")
		}
	}
	if path != "" {
		for _, seg := range strings.Split(path, "/") {
			if seg == "" {
				return refuse(`has an empty path segment ("//")`)
			}
			if s, err := url.PathUnescape(seg); err == nil && (s == "." || s == ".." || strings.Contains(s, "/")) {
				return refuse(`has a "." or ".." path segment, or an escaped "/"`)
			}
		}
	}
	return nil
}

// checkAsset refuses, with a *deliveryError, what deliveryURL cannot build
// a URL of: the refusals its doc lists, but for the prefix.
func checkAsset(a *Asset) error {
	switch a.ResourceType {
	case "image", "video", "raw":
	default:
		return &deliveryError{Field: "resource_type", Reason: `is not "image", "video" or "raw"`}
	}
	switch a.Type {
	case "upload", "authenticated", "private":
	default:
		return &deliveryError{Field: "type", Reason: `is not "upload", "authenticated" or "private"`}
	}
	if a.Version < 1 {
		return &deliveryError{Field: "version", Reason: "is below 1"}
	}
	if !allAlnum(a.Format) {
		return &deliveryError{Field: "format", Reason: "has a byte other than an ASCII letter or digit"}
	}
	return checkURLPublicID(a.PublicID)
}

// checkURLPublicID refuses the public_ids the SDK reads specially: those the
// path rule of signing refuses (pathProblem), and those with "%", whose
// URL the SDK builds as that of another public_id.
func checkURLPublicID(id string) error {
	refuse := func(reason string) error { return &deliveryError{Field: "public_id", Reason: reason} }
	switch {
	case id == "":
		return refuse("is empty")
	case !utf8.ValidString(id):
		return refuse("is not valid UTF-8")
	case strings.Contains(id, "%"):
		return refuse(`has "%", whose escapes the SDK decodes`)
	}
	if why := pathProblem("public_id", id); why != "" {
		return refuse(why)
	}
	return nil
}

// escapePublicID escapes id as the SDK's finalize_source does:
// encodeURIComponent, then "%3A" and "%2F" back to ":" and "/". (The SDK
// decodes id first; checkURLPublicID refuses "%", so decoding is the identity.)
func escapePublicID(id string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(id))
	for i := 0; i < len(id); i++ {
		c := id[i]
		if isAlnum(c) || strings.IndexByte("-_.!~*'():/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// signed reports whether URLs of the delivery type typ carry a signature.
func signed(typ string) bool { return typ == "authenticated" || typ == "private" }

// signature returns the path segment "s--XXXXXXXX--" for toSign: the first
// 8 characters of the URL-safe base64 of digest(toSign), which are those of
// its first 6 bytes.
func signature(toSign string, digest func(string) []byte) (string, error) {
	if digest == nil {
		return "", &deliveryError{Field: "digest", Reason: "is nil, and this delivery type is signed"}
	}
	d := digest(toSign)
	if len(d) != sha1.Size {
		return "", &deliveryError{Field: "digest", Reason: "did not return a 20-byte SHA-1 digest"}
	}
	return "s--" + base64.RawURLEncoding.EncodeToString(d[:6]) + "--", nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// allAlnum reports whether s is ASCII letters and digits only.
func allAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}
