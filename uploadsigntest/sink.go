package uploadsigntest

import (
	"crypto/md5"
	"errors"
	"hash"
	"io"
	"os"
)

// spillBytes is how much of a file the server holds in memory while it
// reads it; the rest goes to a temporary file. A file that is accepted
// and holds at most MaxUploadBytes is then read back into memory
// ([blob.settle]): a request cannot make the fake hold more than this of
// a file it may refuse.
const spillBytes = 1 << 20

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

// sinkFor returns where a file goes, and the hash of its MD5, when values
// are the fields posted before it: a counter when they are refused
// already, the upload's file for a chunk of p, else a spill.
func (s *Server) sinkFor(values map[string][]string, p *chunkedUpload) (sink, hash.Hash) {
	switch {
	case s.refusedBeforeFile(values):
		return &counter{}, md5.New()
	case p != nil:
		return &chunkWriter{s: s, p: p}, p.hashClone()
	}
	return &spill{s: s, limit: spillBytes}, md5.New()
}

// receive reads a file of at most the server's request limit into w,
// hashing it with h. A larger file is read to its end, to name its size,
// and refused. An error reading r is refused with malformed, the name of
// what r reads, before it.
func (s *Server) receive(r io.Reader, w sink, h hash.Hash, malformed string) (*blob, error) {
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
		return nil, badRequest("%s: %v", malformed, err)
	}
	if s.maxRequest > 0 && n > s.maxRequest {
		w.abort()
		rest, err := io.Copy(io.Discard, r)
		if err != nil {
			return nil, badRequest("%s: %v", malformed, err)
		}
		return nil, tooLarge(n+rest, s.maxRequest)
	}
	return w.finish(h)
}
