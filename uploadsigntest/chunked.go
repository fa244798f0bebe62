package uploadsigntest

import (
	"crypto/md5"
	"encoding"
	"hash"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// contentRange is a chunk's Content-Range header, bytes first-last/total,
// with total -1 when the client does not give it ("-1" or "*").
type contentRange struct {
	first, last, total int64
}

func parseContentRange(h string) (contentRange, error) {
	bad := badRequest("Invalid Content-Range header %q: want bytes START-END/TOTAL", h)
	spec, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return contentRange{}, bad
	}
	span, total, ok := strings.Cut(spec, "/")
	if !ok {
		return contentRange{}, bad
	}
	first, last, ok := strings.Cut(span, "-")
	if !ok {
		return contentRange{}, bad
	}
	var cr contentRange
	var err1, err2, err3 error
	cr.first, err1 = strconv.ParseInt(first, 10, 64)
	cr.last, err2 = strconv.ParseInt(last, 10, 64)
	if total == "*" {
		cr.total = -1
	} else {
		cr.total, err3 = strconv.ParseInt(total, 10, 64)
	}
	if err1 != nil || err2 != nil || err3 != nil || cr.first < 0 || cr.last < cr.first || cr.total < -1 {
		return contentRange{}, bad
	}
	if cr.total >= 0 && cr.last >= cr.total {
		return contentRange{}, badRequest("Invalid Content-Range header %q: the chunk ends past the total", h)
	}
	return cr, nil
}

// chunkedUpload is a file whose chunks are arriving, assembled in a
// temporary file. A chunk is written after the bytes received, and counts
// once it is accepted; a refused one is cut off again.
type chunkedUpload struct {
	mu           sync.Mutex // held while a chunk is read, checked and added
	id           string
	resourceType string
	total        int64 // -1 until a chunk gives it
	received     int64
	chunks       int
	file         *os.File
	md5          hash.Hash // of the bytes received
	next         hash.Hash // of those and the chunk being read
	done         bool      // completed or dropped, and no longer pending
	touched      time.Time // when the last chunk was accepted, or the upload began
}

// hashClone returns a copy of the upload's MD5 state, to hash a chunk with.
func (p *chunkedUpload) hashClone() hash.Hash {
	c := md5.New()
	state, err := p.md5.(encoding.BinaryMarshaler).MarshalBinary()
	if err == nil {
		err = c.(encoding.BinaryUnmarshaler).UnmarshalBinary(state)
	}
	if err != nil {
		panic("uploadsigntest: cannot copy an MD5 state: " + err.Error()) // the standard library's md5 can
	}
	return c
}

// chunkWriter writes a chunk into its upload's file, after the bytes
// received.
type chunkWriter struct {
	s *Server
	p *chunkedUpload
	n int64
}

func (w *chunkWriter) Write(b []byte) (int, error) {
	if w.p.file == nil {
		f, err := w.s.tempFile("chunked-*")
		if err != nil {
			return 0, err
		}
		w.p.file = f
	}
	n, err := w.p.file.WriteAt(b, w.p.received+w.n)
	w.n += int64(n)
	if err != nil {
		return n, failed(err)
	}
	return n, nil
}

func (w *chunkWriter) finish(h hash.Hash) (*blob, error) {
	w.p.next = h
	if w.p.file == nil {
		return &blob{data: []byte{}}, nil
	}
	return &blob{path: w.p.file.Name(), at: w.p.received, shared: true, size: w.n}, nil
}

func (w *chunkWriter) abort() { w.p.cut() }

// cut drops what was written after the bytes received.
func (p *chunkedUpload) cut() {
	if p.file != nil && !p.done {
		p.file.Truncate(p.received)
	}
	p.next = nil
}

// minChunkMessage is Cloudinary's refusal of a small chunk that is not the
// last, in its words with the default minimum.
func (s *Server) minChunkMessage() string {
	if s.minChunk == DefaultMinChunkBytes {
		return "All parts except EOF-chunk must be larger than 5mb"
	}
	return "All parts except EOF-chunk must be larger than " + strconv.FormatInt(s.minChunk, 10) + " bytes"
}

// pendingUpload returns the upload of the id, locked, starting one if
// none is pending. Release it with release.
func (s *Server) pendingUpload(id, resourceType string) *chunkedUpload {
	for {
		s.mu.Lock()
		p := s.pending[id]
		if p == nil {
			s.expireLocked()
			p = &chunkedUpload{id: id, resourceType: resourceType, total: -1, md5: md5.New(), touched: s.now()}
			s.pending[id] = p
		}
		s.mu.Unlock()
		p.mu.Lock()
		if !p.done {
			return p
		}
		p.mu.Unlock() // finished meanwhile: look again
	}
}

// expireLocked drops the uploads whose last chunk came more than an hour
// ago, after which Cloudinary would refuse the next one anyway, so that
// abandoned uploads do not pile up in a long-running server. s.mu is
// held; an upload busy with a chunk is left alone.
func (s *Server) expireLocked() {
	for id, p := range s.pending {
		if s.now().Sub(p.touched) <= cloudinary.UploadValidity || !p.mu.TryLock() {
			continue
		}
		p.done = true
		delete(s.pending, id)
		if p.file != nil {
			p.file.Close()
			os.Remove(p.file.Name())
			p.file = nil
		}
		p.mu.Unlock()
	}
}

// release unlocks an upload after a request, cutting off a chunk that was
// not accepted, and drops the upload if it has no chunk.
func (s *Server) release(p *chunkedUpload) {
	p.cut()
	if p.chunks == 0 && !p.done {
		s.drop(p)
	}
	p.mu.Unlock()
}

// drop ends a pending upload and removes its file. p.mu is held.
func (s *Server) drop(p *chunkedUpload) {
	p.done = true
	s.mu.Lock()
	delete(s.pending, p.id)
	s.mu.Unlock()
	if p.file != nil {
		p.file.Close()
		os.Remove(p.file.Name())
		p.file = nil
	}
}

// check refuses a chunk that does not continue the upload, and reports
// whether it is the last one.
func (s *Server) check(p *chunkedUpload, cr contentRange, size int64, resourceType string) (last bool, err error) {
	if resourceType != p.resourceType {
		return false, badRequest("Upload ID %s was started as a %s upload; this chunk is posted as %s", p.id, p.resourceType, resourceType)
	}
	if want := cr.last - cr.first + 1; size != want {
		return false, badRequest("Content-Range bytes %d-%d announces %d bytes, but the file has %d", cr.first, cr.last, want, size)
	}
	switch {
	case cr.first > p.received && p.received == 0:
		return false, badRequest("Chunk out of order: upload ID %s has no bytes yet, so its first chunk must start at byte 0; this one starts at %d", p.id, cr.first)
	case cr.first > p.received:
		return false, badRequest("Chunk out of order: upload ID %s has bytes 0-%d; this chunk starts at %d, leaving a gap", p.id, p.received-1, cr.first)
	case cr.first < p.received:
		return false, badRequest("Chunk overlaps: upload ID %s already has bytes 0-%d; this chunk starts at %d", p.id, p.received-1, cr.first)
	}
	total := cr.total
	if total >= 0 && p.total >= 0 && total != p.total {
		return false, badRequest("Content-Range total %d differs from the total %d of the earlier chunks of upload ID %s", total, p.total, p.id)
	}
	if total < 0 {
		total = p.total
	}
	if total >= 0 && cr.last >= total {
		return false, badRequest("Content-Range bytes %d-%d ends past the total of %d bytes given by the earlier chunks of upload ID %s", cr.first, cr.last, total, p.id)
	}
	last = total >= 0 && cr.last+1 == total
	if !last && size < s.minChunk {
		return false, badRequest("%s", s.minChunkMessage())
	}
	if s.maxFile > 0 {
		got := max(cr.last+1, total)
		if got > s.maxFile {
			return false, tooLarge(got, s.maxFile)
		}
	}
	return last, nil
}

// chunk adds a checked chunk (its signature, timestamp and file already
// accepted) to its upload p, which is locked. It answers a chunk but the
// last with {"done": false, "bytes": N}, and the last with the upload
// response of the whole file, which it judges. Only a refused chunk and
// the last one are recorded, a refused one without its bytes, which
// release cuts off.
func (s *Server) chunk(up *Upload, cr contentRange, p *chunkedUpload, b *blob, base string) (map[string]any, error) {
	last, err := s.check(p, cr, b.size, up.ResourceType)
	if err != nil {
		return nil, err
	}
	if err := s.add(p, b); err != nil {
		s.drop(p)
		return nil, err
	}
	if cr.total >= 0 {
		p.total = cr.total
	}
	p.touched = s.now()
	if !last {
		return map[string]any{"done": false, "bytes": p.received}, nil
	}

	whole := &blob{path: p.file.Name(), size: p.received}
	p.md5.Sum(whole.md5[:0])
	err = p.file.Close()
	p.file = nil
	up.Chunks = p.chunks
	s.drop(p)
	if err != nil {
		whole.discard()
		return nil, refusalOf(err)
	}
	up.Size = whole.size
	resp, err := s.store(up, whole, base)
	if err != nil {
		whole.discard() // the assembled file is refused: nothing of it stays
		return nil, err
	}
	s.attach(up, whole)
	return resp, nil
}

// add makes a chunk's bytes part of the upload: they are in its file
// already, unless the chunk came as a data URI.
func (s *Server) add(p *chunkedUpload, b *blob) error {
	if b.shared {
		p.md5 = p.next
	} else {
		w := &chunkWriter{s: s, p: p}
		if _, err := w.Write(b.data); err != nil {
			return err
		}
		p.md5.Write(b.data)
	}
	p.next = nil
	p.received += b.size
	p.chunks++
	return nil
}
