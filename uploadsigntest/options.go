package uploadsigntest

import (
	"cmp"
	"fmt"
	"net/url"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// ServerOption configures a Server.
type ServerOption func(*Server)

// WithSHA256Only makes the server refuse SHA-1 signatures, as an account
// does that asked for SHA-256 only.
func WithSHA256Only() ServerOption {
	return func(s *Server) { s.sha256Only = true }
}

// WithClock sets the server's clock, which judges the age of timestamps
// and stamps versions. The default is time.Now.
func WithClock(now func() time.Time) ServerOption {
	return func(s *Server) { s.now = now }
}

// WithMaxRequestBytes sets the largest file one request may carry, whole
// or as a chunk; 0 removes the limit. The default is Cloudinary's,
// [DefaultMaxRequestBytes]. A larger file is refused with status 400 and
// "File size too large. Got N. Maximum is M." NewServer panics if n is
// negative.
func WithMaxRequestBytes(n int64) ServerOption {
	return func(s *Server) {
		mustNotBeNegative("WithMaxRequestBytes", n)
		s.maxRequest = n
	}
}

// WithMinChunkBytes sets the smallest chunk but the last of a chunked
// upload; 0 removes the minimum. The default is Cloudinary's,
// [DefaultMinChunkBytes]; set a small one to test chunked uploads with
// small files. A smaller chunk is refused with status 400 and "All parts
// except EOF-chunk must be larger than 5mb" (the size in bytes, with
// another minimum). NewServer panics if n is negative.
func WithMinChunkBytes(n int64) ServerOption {
	return func(s *Server) {
		mustNotBeNegative("WithMinChunkBytes", n)
		s.minChunk = n
	}
}

// WithMaxFileBytes sets the largest file, in one request or assembled from
// chunks, as a Cloudinary plan limits the size of an image or video; 0,
// the default, sets no limit beyond [WithMaxRequestBytes] for one request.
// A chunked upload is refused as soon as a chunk's Content-Range shows it
// is larger, with status 400 and "File size too large. Got N. Maximum is
// M.", N the total or the end of the chunk. NewServer panics if n is
// negative.
func WithMaxFileBytes(n int64) ServerOption {
	return func(s *Server) {
		mustNotBeNegative("WithMaxFileBytes", n)
		s.maxFile = n
	}
}

// WithKey makes the server accept uploads signed with another API key of
// the account and its secret, as Cloudinary accepts any of an account's
// keys, for a key rotation's tests. An upload's answer carries the api_key
// that signed it and a response signature by that key's secret. Repeat it
// for more keys. NewServer panics if the key or secret is one
// uploadsign.New refuses, or the key is one the server has already.
func WithKey(apiKey, secret string) ServerOption {
	return func(s *Server) {
		for _, err := range []error{cloudinary.CheckCredential("API key", apiKey), cloudinary.CheckCredential("API secret", secret)} {
			if err != nil {
				s.badOption = cmp.Or(s.badOption, "WithKey: "+err.Error())
				return
			}
		}
		if _, ok := s.key(apiKey); ok {
			s.badOption = cmp.Or(s.badOption, fmt.Sprintf("WithKey(%q, ...): the server has that API key already", apiKey))
			return
		}
		s.keys = append(s.keys, newCredential(apiKey, secret))
	}
}

// WithNotificationKey chooses the API key whose secret signs the server's
// upload notifications and [Server.NotificationRequest], as Cloudinary
// signs them with the key the account names for notifications. It is
// NewServer's key by default; set it to test a webhook handler across a
// key rotation. NewServer panics if the server has no such key (give it
// with [WithKey]).
func WithNotificationKey(apiKey string) ServerOption {
	return func(s *Server) { s.notifyKey = apiKey }
}

// WithNotificationURL sets the account's notification URL, as the Upload
// settings of Cloudinary's Console do: an upload or destroy request that
// posts no notification_url is notified there. There is none by default.
// Notifications go only to this machine; NewServer panics if u is not an
// absolute http URL.
func WithNotificationURL(u string) ServerOption {
	return func(s *Server) {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			s.badOption = cmp.Or(s.badOption, fmt.Sprintf("WithNotificationURL(%q): not an absolute http URL", u))
			return
		}
		s.notifyURL = u
	}
}

// mustNotBeNegative panics, naming the option, on a negative size.
func mustNotBeNegative(option string, n int64) {
	if n < 0 {
		panic(fmt.Sprintf("uploadsigntest: %s(%d): a size cannot be negative", option, n))
	}
}
