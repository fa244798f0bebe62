package uploadsign

import "errors"

// Errors returned by the package, for use with [errors.Is]. Returned errors
// wrap one of these and say which parameter, field or option was wrong;
// network failures ([Signer.Destroy]'s, a body's read) wrap none.
var (
	// ErrInvalidSignature: a signature is malformed or not the secret's.
	ErrInvalidSignature = errors.New("uploadsign: invalid signature")
	// ErrExpired: a genuine signature's timestamp is outside its window.
	ErrExpired = errors.New("uploadsign: expired")
	// ErrUnknownParamSet: no parameter set of that name and version.
	ErrUnknownParamSet = errors.New("uploadsign: unknown parameter set")
	// ErrParamConflict: a Request contradicts a value its set fixes.
	ErrParamConflict = errors.New("uploadsign: parameter conflicts with its parameter set")
	// ErrParamNotAllowed: the browser would choose what it may not (see
	// [Signer.SignProposed]).
	ErrParamNotAllowed = errors.New("uploadsign: parameter not allowed")
	// ErrInvalidParam: a value Cloudinary would misread or that cannot be
	// encoded.
	ErrInvalidParam = errors.New("uploadsign: invalid parameter")
	// ErrInvalidConfig: New or FromURL got invalid credentials or options.
	ErrInvalidConfig = errors.New("uploadsign: invalid configuration")
	// ErrSunset: the set's version is past its Sunset.
	ErrSunset = errors.New("uploadsign: parameter set past its sunset")
	// ErrUploadMismatch: a genuine upload that no payload of the set for
	// the request could have made.
	ErrUploadMismatch = errors.New("uploadsign: upload does not match its request")
	// ErrLimitExceeded: an upload over its set's [Limits], or not shown within.
	ErrLimitExceeded = errors.New("uploadsign: upload exceeds its set's limits")
	// ErrMalformedProposal, which wraps [ErrInvalidParam], is a browser's
	// malformed proposal (answer 400), where ErrInvalidParam alone is the
	// backend's own value.
	ErrMalformedProposal error = &childError{"uploadsign: malformed proposal", ErrInvalidParam}
	// ErrMalformedResult, which wraps [ErrInvalidParam], is an upload
	// result or notification not in Cloudinary's shape (answer 400).
	ErrMalformedResult error = &childError{"uploadsign: malformed upload result", ErrInvalidParam}
)

// childError is a sentinel error that wraps another.
type childError struct {
	msg    string
	parent error
}

func (e *childError) Error() string { return e.msg }
func (e *childError) Unwrap() error { return e.parent }
