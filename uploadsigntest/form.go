package uploadsigntest

import (
	"crypto/md5"
	"encoding/base64"
	"errors"
	"hash"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
)

const (
	// maxFieldBytes bounds the form fields of one request, the file aside,
	// as net/http bounds a form it parses.
	maxFieldBytes = 10 << 20
	// maxParts bounds the parts of one multipart form, as mime/multipart
	// does by default.
	maxParts = 1000
)

// tempFile creates a temporary file in the server's directory, which it
// creates on first use.
func (s *Server) tempFile(pattern string) (*os.File, error) {
	s.mu.Lock()
	if s.dir == "" {
		dir, err := os.MkdirTemp("", "uploadsigntest-")
		if err != nil {
			s.mu.Unlock()
			return nil, failed(err)
		}
		s.dir = dir
	}
	dir := s.dir
	s.mu.Unlock()
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, failed(err)
	}
	return f, nil
}

// spill keeps what is written to it in memory up to limit bytes, then in a
// temporary file.
type spill struct {
	s     *Server
	limit int64
	buf   []byte
	f     *os.File
	n     int64
}

func (w *spill) Write(p []byte) (int, error) {
	if w.f == nil && w.n+int64(len(p)) <= w.limit {
		w.buf = append(w.buf, p...)
		w.n += int64(len(p))
		return len(p), nil
	}
	if w.f == nil {
		f, err := w.s.tempFile("file-*")
		if err != nil {
			return 0, err
		}
		w.f = f
		if _, err := f.Write(w.buf); err != nil {
			return 0, failed(err)
		}
		w.buf = nil
	}
	n, err := w.f.Write(p)
	w.n += int64(n)
	if err != nil {
		return n, failed(err)
	}
	return n, nil
}

// finish closes the temporary file, if any, and returns the blob, with
// the sum of h (if not nil) as its MD5.
func (w *spill) finish(h hash.Hash) (*blob, error) {
	b := &blob{data: w.buf, size: w.n}
	if w.f == nil {
		if b.data == nil {
			b.data = []byte{}
		}
	} else {
		if err := w.f.Close(); err != nil {
			os.Remove(w.f.Name())
			return nil, failed(err)
		}
		b.data, b.path = nil, w.f.Name()
	}
	if h != nil {
		h.Sum(b.md5[:0])
	}
	return b, nil
}

func (w *spill) abort() {
	if w.f != nil {
		w.f.Close()
		os.Remove(w.f.Name())
	}
}

// counter counts the bytes of a file the server does not keep: one whose
// request is refused by the fields before it.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error)     { c.n += int64(len(p)); return len(p), nil }
func (c *counter) finish(hash.Hash) (*blob, error) { return &blob{size: c.n, skipped: true}, nil }
func (c *counter) abort()                          {}

// sink is where receive writes a file.
type sink interface {
	io.Writer
	finish(h hash.Hash) (*blob, error) // the blob written, h its MD5
	abort()                            // forget what was written
}

// receive reads a file of at most the server's request limit into w,
// hashing it with h. A larger file is read to its end, to name its size,
// and refused.
func (s *Server) receive(r io.Reader, w sink, h hash.Hash) (*blob, error) {
	src := r
	if s.maxRequest > 0 {
		src = io.LimitReader(r, s.maxRequest+1)
	}
	n, err := io.Copy(io.MultiWriter(w, h), src)
	if err != nil {
		w.abort()
		if errors.As(err, new(*refusal)) {
			return nil, err
		}
		return nil, badRequest("Malformed multipart form: %v", err)
	}
	if s.maxRequest > 0 && n > s.maxRequest {
		w.abort()
		rest, err := io.Copy(io.Discard, r)
		if err != nil {
			return nil, badRequest("Malformed multipart form: %v", err)
		}
		return nil, tooLarge(n+rest, s.maxRequest)
	}
	return w.finish(h)
}

// readForm reads a multipart or url-encoded form: the fields into
// up.Fields and up.Filename, the file into the blob it returns (nil
// without a file). The file of a chunk of p goes to p's file; another file
// stays in memory up to MaxUploadBytes, then goes to a temporary file.
func (s *Server) readForm(r *http.Request, up *Upload, p *chunkedUpload) (*blob, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var (
		values url.Values
		file   *blob
		err    error
	)
	switch mt {
	case "multipart/form-data":
		values, file, err = s.readMultipart(r, up, p)
	case "application/x-www-form-urlencoded":
		values, err = s.readURLEncoded(r)
	default:
		return nil, badRequest("Unsupported content type %q: post multipart/form-data or application/x-www-form-urlencoded", mt)
	}
	if err != nil {
		return nil, err
	}
	maps.Copy(up.Fields, fieldsOf(values))
	if vs := values["file"]; file == nil && len(vs) > 0 {
		if s.checkFields(up.Fields) != nil {
			return nil, nil // refused whatever the file: not decoded
		}
		if file, err = s.readFileField(vs[0], up); err != nil {
			return nil, err
		}
	}
	return file, nil
}

// refusedBeforeFile reports whether the fields posted before the file,
// api_key, signature and timestamp among them, are refused: then the
// server counts the file's bytes but keeps none. A client that posts
// those fields after the file has its file kept until the request is
// judged.
func (s *Server) refusedBeforeFile(values url.Values) bool {
	f := fieldsOf(values)
	if f["api_key"] == "" || f["signature"] == "" || f["timestamp"] == "" {
		return false
	}
	return s.checkFields(f) != nil
}

// fieldsOf turns a form's values into fields, each name once: a repeated
// name's values joined with ",", as Cloudinary reads an array. The file
// is not a field.
func fieldsOf(values url.Values) map[string]string {
	f := make(map[string]string, len(values))
	for k, vs := range values {
		if k != "file" {
			f[k] = strings.Join(vs, ",")
		}
	}
	return f
}

// readMultipart streams a multipart form: fields into memory, within
// maxFieldBytes, and the first part named file that has a filename into a
// blob, in p's file for a chunk of p.
func (s *Server) readMultipart(r *http.Request, up *Upload, p *chunkedUpload) (url.Values, *blob, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, badRequest("Malformed multipart form: %v", err)
	}
	values := url.Values{}
	var file *blob
	fail := func(err error) (url.Values, *blob, error) {
		file.discard()
		return nil, nil, err
	}
	fieldBytes := int64(0)
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return values, file, nil
		}
		if err != nil {
			return fail(badRequest("Malformed multipart form: %v", err))
		}
		if parts == maxParts {
			return fail(badRequest("Malformed multipart form: more than %d parts", maxParts))
		}
		name := part.FormName()
		switch {
		case name == "":
			continue
		case name == "file" && part.FileName() != "":
			if file != nil {
				continue // only the first file counts
			}
			if s.refusedBeforeFile(values) {
				file, err = s.receive(part, &counter{}, md5.New())
			} else if p != nil {
				file, err = s.receive(part, &chunkWriter{s: s, p: p}, p.hashClone())
			} else {
				file, err = s.receive(part, &spill{s: s, limit: MaxUploadBytes}, md5.New())
			}
			if err != nil {
				return fail(err)
			}
			up.Filename = part.FileName()
		default:
			limit := maxFieldBytes - fieldBytes
			if name == "file" { // a data URI
				limit += base64Len(s.maxRequest)
			}
			v, err := io.ReadAll(io.LimitReader(part, limit+1))
			if err != nil {
				return fail(badRequest("Malformed multipart form: %v", err))
			}
			if int64(len(v)) > limit {
				if name == "file" {
					rest, _ := io.Copy(io.Discard, part)
					return fail(tooLarge((int64(len(v))+rest)*3/4, s.maxRequest))
				}
				return fail(badRequest("Malformed multipart form: the fields are larger than %d bytes", maxFieldBytes))
			}
			if name != "file" {
				fieldBytes += int64(len(v))
			}
			values.Add(name, string(v))
		}
	}
}

// readURLEncoded reads a url-encoded form, which holds its file (a data
// URI) in memory. A form too large for the request limit is read to its
// end and refused with about the size its file would have.
func (s *Server) readURLEncoded(r *http.Request) (url.Values, error) {
	limit := maxFieldBytes + base64Len(s.maxRequest)
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, badRequest("Malformed form: %v", err)
	}
	if int64(len(body)) > limit {
		rest, _ := io.Copy(io.Discard, r.Body)
		return nil, tooLarge((int64(len(body))+rest)*3/4, s.maxRequest)
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badRequest("Malformed form: %v", err)
	}
	return values, nil
}

// base64Len is the length of n bytes in base64, with room for a data URI's
// header; MaxInt64/2 when n is 0 (no limit).
func base64Len(n int64) int64 {
	if n <= 0 || n > math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return (n+2)/3*4 + 1024
}

// readFileField reads a file given as a form value: a data URI. A remote
// URL is not fetched.
func (s *Server) readFileField(v string, up *Upload) (*blob, error) {
	if !strings.HasPrefix(v, "data:") {
		return nil, badRequest("the fake upload endpoint does not fetch remote files; post the file itself or a data URI")
	}
	meta, data, ok := strings.Cut(strings.TrimPrefix(v, "data:"), ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return nil, badRequest("Invalid file data URI: want data:TYPE;base64,DATA")
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, badRequest("Invalid file data URI: %v", err)
	}
	if s.maxRequest > 0 && int64(len(b)) > s.maxRequest {
		return nil, tooLarge(int64(len(b)), s.maxRequest)
	}
	up.Filename = "file"
	return &blob{data: b, size: int64(len(b)), md5: md5.Sum(b)}, nil
}
