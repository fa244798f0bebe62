package uploadsigntest

import (
	"net/http"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// take answers an upload or a chunk whose form is read: as FailNext or
// DropNext say, else after the checks of Cloudinary's upload endpoint. It
// keeps no bytes of a request it refuses.
func (s *Server) take(up *Upload, cr contentRange, p *chunkedUpload, file *blob, base string) (map[string]any, error) {
	if f := s.nextFailure(); f != nil {
		return nil, f
	}
	if err := s.checkFields(up.Fields); err != nil {
		return nil, err
	}
	switch {
	case file == nil:
		return nil, badRequest("Missing required parameter - file")
	case file.skipped:
		return nil, badRequest("%s", skippedFile)
	case file.size == 0:
		return nil, badRequest("Empty file")
	case p != nil:
		return s.chunk(up, cr, p, file, base)
	case s.maxFile > 0 && file.size > s.maxFile:
		return nil, tooLarge(file.size, s.maxFile)
	}
	return s.store(up, file, base)
}

// nextFailure returns the refusal FailNext or DropNext queued next, and
// takes it from the queue; nil if none is.
func (s *Server) nextFailure() *refusal {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failing) == 0 {
		return nil
	}
	f := s.failing[0]
	s.failing = s.failing[1:]
	return f
}

// skippedFile answers a request whose fields before its file were refused
// but whose fields after it make it acceptable: the fake did not keep the
// file, Cloudinary would have.
const skippedFile = "uploadsigntest: the fields posted before the file were refused, so the fake did not keep the file, " +
	"but the fields after it make the upload acceptable: post every field before the file, as Cloudinary's clients do"

// checkFields checks the fields of a request as Cloudinary does before it
// looks at the file: a known api_key, a signature, a timestamp, the
// signature of the fields by that key's secret, the timestamp within the
// hour. It returns nil if they pass, else the refusal.
func (s *Server) checkFields(f map[string]string) error {
	key, known := s.key(f["api_key"])
	switch {
	case f["api_key"] == "":
		return refuse(http.StatusUnauthorized, "Must supply api_key")
	case !known:
		return refuse(http.StatusUnauthorized, "Unknown API key %s", f["api_key"])
	case f["signature"] == "":
		return badRequest("Upload preset must be specified when using unsigned upload")
	case f["timestamp"] == "":
		return badRequest("Missing required parameter - timestamp")
	}
	if !s.checkSignature(f, key) {
		return refuse(http.StatusUnauthorized, "Invalid Signature %s. String to sign - '%s'.", f["signature"], stringToSign(f, 2))
	}
	ts, err := cloudinary.ParseTimestamp(f["timestamp"])
	if err != nil {
		return badRequest("Invalid timestamp %s", f["timestamp"])
	}
	if reported := time.Unix(ts, 0).UTC(); s.now().Sub(reported) > cloudinary.UploadValidity {
		return badRequest("Stale request - reported time is %s which is more than 1 hour ago",
			reported.Format("2006-01-02 15:04:05 -0700"))
	}
	return nil
}
