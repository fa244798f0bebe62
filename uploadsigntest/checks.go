package uploadsigntest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// take answers an upload or a chunk whose form is read: as FailNext or
// DropNext say, else after the checks of Cloudinary's upload endpoint. It
// keeps no bytes of a request it refuses.
func (s *Server) take(up *Upload, cr contentRange, p *chunkedUpload, file *blob, base string) (int, map[string]any, bool) {
	s.mu.Lock()
	if len(s.failing) > 0 {
		f := s.failing[0]
		s.failing = s.failing[1:]
		s.mu.Unlock()
		if f.drop {
			return 0, nil, true
		}
		return f.status, errorBody(f.message), true
	}
	s.mu.Unlock()

	if status, msg := s.checkFields(up.Fields); status != 0 {
		return status, errorBody(msg), true
	}
	switch {
	case file == nil:
		return http.StatusBadRequest, errorBody("Missing required parameter - file"), true
	case file.skipped:
		return http.StatusBadRequest, errorBody(skippedFile), true
	case file.size == 0:
		return http.StatusBadRequest, errorBody("Empty file"), true
	case p != nil:
		return s.chunk(up, cr, p, file, base)
	case s.maxFile > 0 && file.size > s.maxFile:
		return http.StatusBadRequest, errorBody(tooLarge(file.size, s.maxFile).Error()), true
	}
	status, resp := s.store(up, file, base)
	return status, resp, true
}

// skippedFile answers a request whose fields before its file were refused
// but whose fields after it make it acceptable: the fake did not keep the
// file, Cloudinary would have.
const skippedFile = "uploadsigntest: the fields posted before the file were refused, so the fake did not keep the file, " +
	"but the fields after it make the upload acceptable: post every field before the file, as Cloudinary's clients do"

// checkFields checks the fields of a request as Cloudinary does before it
// looks at the file: a known api_key, a signature, a timestamp, the
// signature of the fields by that key's secret, the timestamp within the
// hour. It returns 0 if they pass, else the status and message of the
// refusal.
func (s *Server) checkFields(f map[string]string) (status int, msg string) {
	key, known := s.key(f["api_key"])
	switch {
	case f["api_key"] == "":
		return http.StatusUnauthorized, "Must supply api_key"
	case !known:
		return http.StatusUnauthorized, "Unknown API key " + f["api_key"]
	case f["signature"] == "":
		return http.StatusBadRequest, "Upload preset must be specified when using unsigned upload"
	case f["timestamp"] == "":
		return http.StatusBadRequest, "Missing required parameter - timestamp"
	}
	if !s.checkSignature(f, key) {
		return http.StatusUnauthorized, fmt.Sprintf("Invalid Signature %s. String to sign - '%s'.", f["signature"], stringToSign(f, 2))
	}
	ts, err := cloudinary.ParseTimestamp(f["timestamp"])
	if err != nil {
		return http.StatusBadRequest, "Invalid timestamp " + f["timestamp"]
	}
	if reported := time.Unix(ts, 0).UTC(); s.now().Sub(reported) > cloudinary.UploadValidity {
		return http.StatusBadRequest, fmt.Sprintf("Stale request - reported time is %s which is more than 1 hour ago",
			reported.Format("2006-01-02 15:04:05 -0700"))
	}
	return 0, ""
}
