package uploadsign

import "errors"

// Errors returned by the package, for use with [errors.Is]. Returned errors
// wrap one of these and say which parameter, field or option was wrong.
var (
	// ErrInvalidSignature: a signature does not match what the secret
	// gives, or is malformed (wrong length, not hex, malformed timestamp).
	ErrInvalidSignature = errors.New("uploadsign: invalid signature")
	// ErrExpired: a signature was genuine but its timestamp is outside the
	// window in which it is accepted.
	ErrExpired = errors.New("uploadsign: expired")
	// ErrUnknownParamSet: no parameter set with that name and version is
	// registered.
	ErrUnknownParamSet = errors.New("uploadsign: unknown parameter set")
	// ErrParamConflict: a request's parameter contradicts a value its
	// parameter set fixes.
	ErrParamConflict = errors.New("uploadsign: parameter conflicts with its parameter set")
	// ErrParamNotAllowed: the browser would choose what it may not: a
	// parameter the set does not let it propose, a bound value proposed
	// otherwise, a timestamp outside Cloudinary's hour, a proposal to a
	// single-use set, or an upload's name without overwrite false (see the
	// naming rule in the package doc).
	ErrParamNotAllowed = errors.New("uploadsign: parameter not allowed")
	// ErrInvalidParam: a value Cloudinary would read otherwise than
	// meant, or that cannot be encoded, or a malformed upload result.
	ErrInvalidParam = errors.New("uploadsign: invalid parameter")
	// ErrInvalidConfig: New or FromURL was given invalid credentials or
	// options.
	ErrInvalidConfig = errors.New("uploadsign: invalid configuration")
	// ErrSunset: the parameter set is registered but past its Sunset; the
	// message names the versions of the set still served.
	ErrSunset = errors.New("uploadsign: parameter set past its sunset")
	// ErrUploadMismatch: an upload result is genuine, but not one that a
	// payload of the parameter set for the request could have made: the
	// asset is not where the request was allowed to upload.
	ErrUploadMismatch = errors.New("uploadsign: upload does not match its request")
	// ErrLimitExceeded: an upload is larger than its set's [Limits]: by
	// what Cloudinary signed in a notification, or by what the browser
	// reports.
	ErrLimitExceeded = errors.New("uploadsign: upload exceeds its set's limits")
	// ErrMalformedProposal: a browser proposed a value Cloudinary would
	// read otherwise than meant (a boolean, a path, a timestamp), or a
	// params_to_sign that is not a flat JSON object. It wraps
	// [ErrInvalidParam]; an error wrapping it is the browser's (answer 400),
	// where ErrInvalidParam alone is the backend's own value.
	ErrMalformedProposal error = &childError{"uploadsign: malformed proposal", ErrInvalidParam}
	// ErrMalformedResult: an upload result or notification is not in the
	// shape Cloudinary answers (no public_id, a version below 1, an
	// unknown resource type or type, a format or public_id no URL can
	// hold). It wraps [ErrInvalidParam]; an error wrapping it is the
	// report's (answer 400), where ErrInvalidParam alone is the backend's
	// own Request.
	ErrMalformedResult error = &childError{"uploadsign: malformed upload result", ErrInvalidParam}
)

// childError is a sentinel error that wraps another.
type childError struct {
	msg    string
	parent error
}

func (e *childError) Error() string { return e.msg }
func (e *childError) Unwrap() error { return e.parent }
