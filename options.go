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

// WithSignatureVersion sets how upload parameters are joined before hashing:
// 2 (the default, as in the official SDKs) escapes "&" inside values as
// "%26" so that a value cannot smuggle in a second parameter; 1 is the
// original scheme, for code that must match an old SDK. Other values are an
// error.
func WithSignatureVersion(v int) Option {
	return func(s *settings) { s.signatureVersion = v }
}

// WithClock sets the clock that stamps payloads and judges the age of
// notifications. The default is [time.Now]; tests pass a fixed time.
func WithClock(now func() time.Time) Option {
	return func(s *settings) { s.now = now }
}

// WithUploadURL sets the base of the upload URL in payloads. The default is
// "https://api.cloudinary.com"; change it for a regional API host, or to
// point payloads at a fake upload endpoint in tests. It must be an absolute
// http or https URL with no query or fragment.
func WithUploadURL(base string) Option {
	return func(s *settings) { s.uploadURL = base }
}

// WithParamSets registers the parameter sets that [Signer.Sign] serves. It
// may be given more than once; each (Name, Version) pair may be registered
// only once.
func WithParamSets(sets ...ParamSet) Option {
	return func(s *settings) { s.sets = append(s.sets, sets...) }
}

// WithNotificationMaxAge sets how old a notification's X-Cld-Timestamp may
// be for [Signer.VerifyNotification] to accept it. The default is two hours,
// as in the official SDKs; it must be positive.
func WithNotificationMaxAge(d time.Duration) Option {
	return func(s *settings) { s.notificationMaxAge = d }
}

// WithPreviousKey adds a retired API key whose signatures of upload
// results and notifications still verify, for rotating a key; give it
// once per key. The Signer signs only with the key given to [New]. Keys are
// checked as New checks its own, and none may be given twice. To rotate:
// deploy the new key in New and the old one here, make the new key the
// account's notification key, and remove the old one after an hour of
// uploads and the notification age have passed.
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

// WithDeliveryURL sets the prefix of the delivery URLs that
// [Signer.VerifyUploadOf] builds: the part before /RESOURCE_TYPE/TYPE/...,
// given whole, as Cloudinary serves the account there. The default is
// "https://res.cloudinary.com/CLOUD_NAME"; change it for a private CDN
// ("https://mycloud-res.cloudinary.com") or a custom domain
// ("https://images.example.com"). It must be an absolute http or https URL
// without user information, query, fragment or trailing "/".
func WithDeliveryURL(prefix string) Option {
	return func(s *settings) { s.deliveryURL = prefix }
}

// WithHTTPClient sets the client of [Signer.Destroy], the one call the
// Signer makes. The default has a 30-second timeout; give one with a
// proxy, other timeouts or instrumentation. It must not be nil.
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) { s.client = c }
}
