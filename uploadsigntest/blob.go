package uploadsigntest

import (
	"bytes"
	"crypto/md5"
	"io"
	"os"
)

// blob holds the bytes of one received file: in memory, or in a temporary
// file under the server's directory, which Close removes. A chunk is read
// straight into its upload's file, after the bytes the upload has: it is a
// blob that shares that file, at an offset, until the chunk is accepted.
type blob struct {
	data   []byte // the bytes, when held in memory
	path   string // else the file that holds them
	at     int64  // at this offset
	shared bool   // the file is a chunked upload's, not the blob's own
	size   int64
	md5    [md5.Size]byte // of a blob that is not shared
	// skipped marks a file that was counted but not kept, because the
	// fields before it were refused; it has no bytes.
	skipped bool
}

// blobReader reads a blob from anywhere.
type blobReader interface {
	io.ReadSeekCloser
	io.ReaderAt
}

type memReader struct{ *bytes.Reader }

func (memReader) Close() error { return nil }

type fileReader struct {
	*io.SectionReader
	f *os.File
}

func (r fileReader) Close() error { return r.f.Close() }

func (b *blob) open() (blobReader, error) {
	if b.path == "" {
		return memReader{bytes.NewReader(b.data)}, nil
	}
	f, err := os.Open(b.path)
	if err != nil {
		return nil, err
	}
	return fileReader{io.NewSectionReader(f, b.at, b.size), f}, nil
}

// settle moves a blob of at most MaxUploadBytes into memory, and gives a
// larger shared one a file of its own.
func (b *blob) settle(s *Server) error {
	if b.path == "" || (b.size > MaxUploadBytes && !b.shared) {
		return nil
	}
	r, err := b.open()
	if err != nil {
		return failed(err)
	}
	defer r.Close()
	if b.size <= MaxUploadBytes {
		data := make([]byte, b.size)
		if _, err := io.ReadFull(r, data); err != nil {
			return failed(err)
		}
		b.discard()
		*b = blob{data: data, size: b.size, md5: b.md5}
		return nil
	}
	w := &spill{s: s}
	if _, err := io.Copy(w, r); err != nil {
		w.abort()
		return err
	}
	own, err := w.finish(nil)
	if err != nil {
		return err
	}
	own.md5 = b.md5
	*b = *own
	return nil
}

// discard removes a blob's own temporary file.
func (b *blob) discard() {
	if b != nil && b.path != "" && !b.shared {
		os.Remove(b.path)
	}
}
