package uploadsigntest

import (
	"errors"
	"fmt"
	"net/http"
)

// refusal is the server's one way to turn a request down: the HTTP
// status and the message, in Cloudinary's words where Cloudinary has
// them, answered as {"error": {"message": ...}} and in the X-Cld-Error
// header. Status 0 drops the connection without an answer (DropNext); a
// failure of the fake itself (a temporary file it could not write) is a
// refusal with status 500.
type refusal struct {
	status  int
	message string
}

func (r *refusal) Error() string { return r.message }

// refuse returns the refusal with the status and the message, formatted
// as fmt.Sprintf does.
func refuse(status int, format string, args ...any) *refusal {
	return &refusal{status: status, message: fmt.Sprintf(format, args...)}
}

// badRequest refuses with status 400, Cloudinary's for most refusals.
func badRequest(format string, args ...any) *refusal {
	return refuse(http.StatusBadRequest, format, args...)
}

// failed is the refusal of a request the fake could not serve: status 500.
func failed(err error) *refusal {
	return refuse(http.StatusInternalServerError, "uploadsigntest: %v", err)
}

// tooLarge is Cloudinary's refusal of a file over a limit.
func tooLarge(got, max int64) *refusal {
	return badRequest("File size too large. Got %d. Maximum is %d.", got, max)
}

// refusalOf returns err as a refusal: itself, or, for an error that is
// not one, a failure of the fake.
func refusalOf(err error) *refusal {
	var r *refusal
	if errors.As(err, &r) {
		return r
	}
	return failed(err)
}

// body is Cloudinary's JSON answer of the refusal.
func (r *refusal) body() map[string]any {
	return map[string]any{"error": map[string]any{"message": r.message}}
}
