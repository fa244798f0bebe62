package uploadsigntest

import (
	"bufio"
	"encoding/base64"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

const (
	// maxFieldBytes bounds the form fields of one request, the file aside,
	// as net/http bounds a form it parses.
	maxFieldBytes = 10 << 20
	// maxParts bounds the parts (or url-encoded fields) of one form, as
	// mime/multipart does by default.
	maxParts = 1000
	// maxDataURIHead bounds a data URI's head, "data:TYPE;base64,".
	maxDataURIHead = 256
)

// readForm streams a multipart or url-encoded form: the fields into
// up.Fields, within maxFieldBytes, and the file, a part or a data URI,
// into the blob it returns (nil without a file), in p's file for a chunk
// of p. No field and no file is ever read whole into memory before it
// is checked against its limit.
func (s *Server) readForm(r *http.Request, up *Upload, p *chunkedUpload) (*blob, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	f := form{s: s, up: up, p: p, values: url.Values{}}
	var err error
	switch mt {
	case "multipart/form-data":
		f.malformed = "Malformed multipart form"
		err = f.readMultipart(r)
	case "application/x-www-form-urlencoded":
		f.malformed = "Malformed form"
		err = f.readURLEncoded(r.Body)
	default:
		return nil, badRequest("Unsupported content type %q: post multipart/form-data or application/x-www-form-urlencoded", mt)
	}
	if err != nil {
		f.file.discard()
		return nil, err
	}
	maps.Copy(up.Fields, fieldsOf(f.values))
	return f.file, nil
}

// fieldsOf turns the values of a form into fields, one value a name: an
// array, posted as NAME[] (as the Python and Ruby SDKs post lists) or as
// a name repeated, is its values joined with ",", as Cloudinary signs an
// array.
func fieldsOf(values url.Values) map[string]string {
	names := slices.Sorted(maps.Keys(values)) // "tags" before "tags[]"
	arrays := map[string][]string{}
	for _, k := range names {
		name := strings.TrimSuffix(k, "[]")
		arrays[name] = append(arrays[name], values[k]...)
	}
	f := make(map[string]string, len(arrays))
	for name, vs := range arrays {
		f[name] = strings.Join(vs, ",")
	}
	return f
}

// form is a form being read.
type form struct {
	s          *Server
	up         *Upload
	p          *chunkedUpload
	malformed  string     // how a refusal of the form's syntax starts
	values     url.Values // the fields read so far, the file aside
	fieldBytes int64      // their size
	file       *blob      // the first file, once read
}

// field adds a field whose value r reads, within what is left of
// maxFieldBytes.
func (f *form) field(name string, r io.Reader) error {
	v, err := f.bounded(r)
	if err != nil {
		return err
	}
	f.values.Add(name, v)
	return nil
}

// bounded reads a name or value within what is left of maxFieldBytes, a
// piece at a time: a value over the limit costs no more memory than the
// limit, and one within it twice its size at most.
func (f *form) bounded(r io.Reader) (string, error) {
	limit := maxFieldBytes - f.fieldBytes
	var (
		pieces [][]byte
		size   int64
	)
	for {
		piece := make([]byte, min(max(512, size), 32<<10, limit+1-size))
		n, err := io.ReadFull(r, piece)
		pieces, size = append(pieces, piece[:n]), size+int64(n)
		if size > limit {
			return "", badRequest("%s: the fields are larger than %d bytes", f.malformed, maxFieldBytes)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return "", badRequest("%s: %v", f.malformed, err)
		}
	}
	f.fieldBytes += size
	var v strings.Builder
	v.Grow(int(size))
	for _, piece := range pieces {
		v.Write(piece)
	}
	return v.String(), nil
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

// readMultipart streams a multipart form: the fields, and the first part
// named file, with a file name or a data URI as its value.
func (f *form) readMultipart(r *http.Request) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return badRequest("%s: %v", f.malformed, err)
	}
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return badRequest("%s: %v", f.malformed, err)
		}
		if parts == maxParts {
			return badRequest("%s: more than %d parts", f.malformed, maxParts)
		}
		name := part.FormName()
		switch {
		case name == "" || (name == "file" && f.file != nil):
			continue // only the first file counts
		case name == "file" && part.FileName() != "":
			w, h := f.s.sinkFor(f.values, f.p)
			if f.file, err = f.s.receive(part, w, h, f.malformed); err != nil {
				return err
			}
			f.up.Filename = part.FileName()
		case name == "file":
			if err := f.dataURI(part); err != nil {
				return err
			}
		default:
			if err := f.field(name, part); err != nil {
				return err
			}
		}
	}
}

// dataURI reads a file given as a form value, decoding it as it reads: a
// data URI, data:TYPE;base64,DATA. A remote URL is not fetched.
func (f *form) dataURI(r io.Reader) error {
	br := bufio.NewReaderSize(r, maxDataURIHead)
	if scheme, _ := br.Peek(len("data:")); string(scheme) != "data:" {
		return badRequest("the fake upload endpoint does not fetch remote files; post the file itself or a data URI")
	}
	head, err := br.ReadSlice(',')
	if err != nil || !strings.HasSuffix(string(head), ";base64,") {
		return badRequest("Invalid file data URI: want data:TYPE;base64,DATA")
	}
	w, h := f.s.sinkFor(f.values, f.p)
	f.file, err = f.s.receive(base64.NewDecoder(base64.StdEncoding, br), w, h, "Invalid file data URI")
	if err == nil {
		f.up.Filename = "file"
	}
	return err
}

// base64Len is the length of n bytes in base64, with room for a data URI's
// header; MaxInt64/2 when n is 0 (no limit).
func base64Len(n int64) int64 {
	if n <= 0 || n > math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return (n+2)/3*4 + 1024
}
