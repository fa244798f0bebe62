package uploadsigntest

import (
	"fmt"
	"time"
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

// mustNotBeNegative panics, naming the option, on a negative size.
func mustNotBeNegative(option string, n int64) {
	if n < 0 {
		panic(fmt.Sprintf("uploadsigntest: %s(%d): a size cannot be negative", option, n))
	}
}
