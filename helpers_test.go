package uploadsign

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net/url"
	"testing"
	"time"
)

// What the package's tests share; each test file is named for what it
// tests.

const (
	testCloud  = "demo"
	testKey    = "123456789012345"
	testSecret = "s3cr3t-Value_With-Enough-Length"
)

// testTime is the fixed clock of the tests.
var testTime = time.Unix(1700000000, 0)

// sha1Hex is SHA-1 in hex, written here rather than taken from the code
// under test.
func sha1Hex(text string) string {
	sum := sha1.Sum([]byte(text))
	return hex.EncodeToString(sum[:])
}

func fixedClock(t time.Time) Option { return WithClock(func() time.Time { return t }) }

func newSigner(tb testing.TB, secret string, opts ...Option) *Signer {
	tb.Helper()
	s, err := New(testCloud, testKey, secret, append([]Option{fixedClock(testTime)}, opts...)...)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string{}, vs...)
	}
	return c
}

// sentinels counts the package's sentinel errors err wraps: each error
// wraps one.
func sentinels(err error) int {
	n := 0
	for _, s := range []error{ErrInvalidSignature, ErrExpired, ErrUnknownParamSet, ErrParamConflict, ErrParamNotAllowed,
		ErrInvalidParam, ErrInvalidConfig, ErrSunset, ErrUploadMismatch, ErrLimitExceeded} {
		if errors.Is(err, s) {
			n++
		}
	}
	return n
}

// wantSignature is the signature of fields by the rules of the package
// doc, computed here (referenceStringToSign, signature version 2, and
// crypto/sha1) rather than by the code under test.
func wantSignature(fields map[string]string, secret string) string {
	v := url.Values{}
	for k, f := range fields {
		v.Set(k, f)
	}
	return sha1Hex(referenceStringToSign(v, 2) + secret)
}

// testOwner returns the owner "42" for a set whose version has "{owner}",
// else "".
func testOwner(s *Signer, set string, version int) string {
	if cs, err := s.lookup(set, version); err == nil && cs.owner != nil {
		return "42"
	}
	return ""
}
