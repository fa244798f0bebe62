package uploadsign

import (
	"net/http"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// Algorithm is the hash a signature uses. Cloudinary accepts both unless the
// account asked for SHA-256 only.
type Algorithm string

// The algorithms Cloudinary accepts.
const (
	SHA1   Algorithm = "sha1" // the default, as in every official SDK
	SHA256 Algorithm = "sha256"
)

// Option configures a [Signer] in [New] or [FromURL]. Options are checked
// when the Signer is made: an invalid one makes New return an error wrapping
// [ErrInvalidConfig] that names the option.
type Option func(*settings)

// settings collects what the options ask for; New validates it.
type settings struct {
	algorithm          Algorithm
	signatureVersion   int
	now                func() time.Time
	uploadURL          string
	sets               []ParamSet
	notificationMaxAge time.Duration
	previousKeys       []previousKey
	deliveryURL        string
	client             *http.Client
}

func defaultSettings() settings {
	return settings{
		algorithm:          SHA1,
		signatureVersion:   2,
		now:                time.Now,
		uploadURL:          "https://api.cloudinary.com",
		notificationMaxAge: cloudinary.NotificationMaxAge,
		client:             defaultHTTPClient,
	}
}

// WithAlgorithm sets the hash of every signature the Signer makes or checks.
// The default is [SHA1]; use [SHA256] when the Cloudinary account requires
// it (Settings > Security).
func WithAlgorithm(a Algorithm) Option {
	return func(s *settings) { s.algorithm = a }
}

// WithSignatureVersion sets how parameters are joined before hashing: 2
// (the default, as in the SDKs) escapes "&" in values as "%26", so that a
// value cannot smuggle in a parameter; 1 is the original scheme.
func WithSignatureVersion(v int) Option {
	return func(s *settings) { s.signatureVersion = v }
}

// WithClock sets the clock that stamps payloads and judges the age of
// notifications. The default is [time.Now]; tests pass a fixed time.
func WithClock(now func() time.Time) Option {
	return func(s *settings) { s.now = now }
}

// WithUploadURL sets the base of the upload URL in payloads:
// "https://api.cloudinary.com" by default, a regional API host or a fake
// endpoint in tests otherwise. It must be an absolute http or https URL
// without query or fragment.
func WithUploadURL(base string) Option {
	return func(s *settings) { s.uploadURL = base }
}

// WithParamSets registers parameter sets; each name and version once.
func WithParamSets(sets ...ParamSet) Option {
	return func(s *settings) { s.sets = append(s.sets, sets...) }
}

// WithNotificationMaxAge sets how old a notification may be: two hours by
// default, as in the SDKs.
func WithNotificationMaxAge(d time.Duration) Option {
	return func(s *settings) { s.notificationMaxAge = d }
}

// WithPreviousKey adds a retired API key whose results and notifications
// still verify; the Signer signs with [New]'s key only. To rotate: deploy
// the new key in New and the old one here, make the new key the account's
// notification key, and drop the old one once an hour of uploads and the
// notification age have passed. No key may be given twice.
func WithPreviousKey(apiKey, secret string) Option {
	k := previousKey{key: newKey(apiKey, secret), err: cloudinary.CheckCredential("API key", apiKey)}
	if k.err == nil {
		k.err = cloudinary.CheckCredential("API secret", secret)
	}
	return func(s *settings) { s.previousKeys = append(s.previousKeys, k) }
}

// previousKey is a key of WithPreviousKey, its secret held by its hash
// function only, or why it is malformed.
type previousKey struct {
	key key
	err error
}

// WithDeliveryURL sets the prefix of the delivery URLs the Signer builds,
// the part before /RESOURCE_TYPE/TYPE/: "https://res.cloudinary.com/CLOUD"
// by default, a private CDN or custom domain otherwise. It must be an
// absolute http or https URL without user information, query, fragment or
// trailing "/".
func WithDeliveryURL(prefix string) Option {
	return func(s *settings) { s.deliveryURL = prefix }
}

// WithHTTPClient sets the client of [Signer.Destroy], the one call the
// Signer makes: by default one with a 30-second timeout.
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) { s.client = c }
}
