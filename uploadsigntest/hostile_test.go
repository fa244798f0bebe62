package uploadsigntest_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// repeated is a body of n copies of a byte after a head, made as it is read.
type repeated struct {
	head string
	b    byte
	n    int64
}

func (r *repeated) reader() io.Reader {
	return io.MultiReader(strings.NewReader(r.head), io.LimitReader(byteReader(r.b), r.n))
}

// byteReader reads one byte for ever, copied from a block of them, which
// allocates nothing and is cheaper than a loop under the race detector.
type byteReader byte

var blocks = map[byte][]byte{'a': bytes.Repeat([]byte("a"), 32<<10), '+': bytes.Repeat([]byte("+"), 32<<10), 'A': bytes.Repeat([]byte("A"), 32<<10)}

func (b byteReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], blocks[byte(b)])
	}
	return n, nil
}

// multipartDataURI is a multipart body whose field file (no file name) is
// a data URI of n base64 characters, with no api_key.
func multipartDataURI(n int64) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		w, err := mw.CreateFormField("file")
		if err == nil {
			_, err = io.Copy(w, io.MultiReader(strings.NewReader("data:image/png;base64,"), io.LimitReader(byteReader('A'), n)))
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

// TestHostileBodies posts what a page on any site can post to the fake
// without a preflight (url-encoded forms, and multipart ones), as the red
// team did: large fields without api_key (theirs were three of 100 MiB,
// which left 300 MiB live; these are 32 MiB, which the old fake kept just
// the same, to spare CI's race detector), a 143 MiB body of "+" (which
// peaked at 495 MiB), and data URIs of 12 MiB. Each is refused, and the
// fake keeps nothing of them: the live heap after GC stays within 4 MiB of
// where it started, no temporary file is left, and the records hold no
// field. While a body is read, the heap (garbage included) grows by less
// than three times the largest field the fake accepts (10 MiB) whatever
// its size, and a data URI, streamed to disk, by less than 8 MiB.
func TestHostileBodies(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, srv, _ := startFake(t)
	const form = "application/x-www-form-urlencoded"
	type post struct {
		name      string
		body      func() (io.Reader, string)
		status    int
		msgPrefix string
		maxGrowth int64
	}
	urlEncoded := func(r *repeated) func() (io.Reader, string) {
		return func() (io.Reader, string) { return r.reader(), form }
	}
	const (
		tooLarge     = "Malformed form: the fields are larger than 10485760 bytes"
		dataURIChars = 12 << 20 // 9 MiB decoded
	)
	var posts []post
	for range 3 {
		posts = append(posts, post{"a 32 MiB field", urlEncoded(&repeated{"timestamp=1&note=", 'a', 32 << 20}), 400, tooLarge, 30 << 20})
	}
	posts = append(posts,
		post{"143 MiB of +", urlEncoded(&repeated{"", '+', 143 << 20}), 400, tooLarge, 30 << 20},
		post{"a url-encoded data URI", urlEncoded(&repeated{"timestamp=1&file=data%3Aimage%2Fpng%3Bbase64%2C", 'A', dataURIChars}),
			401, "Must supply api_key", 8 << 20},
		post{"a multipart data URI", func() (io.Reader, string) { return multipartDataURI(dataURIChars) }, 401, "Must supply api_key", 8 << 20},
	)

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i, p := range posts {
		runtime.GC()
		var start runtime.MemStats
		runtime.ReadMemStats(&start)
		stop := heapPeak()
		body, contentType := p.body()
		resp, err := http.Post(uploadURL(srv, "image"), contentType, body)
		if err != nil {
			t.Fatalf("post %d (%s): %v", i, p.name, err)
		}
		answer := readAnswer(t, resp)
		if answer.Status != p.status || !strings.HasPrefix(answer.Error, p.msgPrefix) {
			t.Errorf("post %d (%s): %v, want %d %q", i, p.name, answer, p.status, p.msgPrefix)
		}
		if grew := int64(stop()) - int64(start.HeapAlloc); grew >= p.maxGrowth {
			t.Errorf("post %d (%s): the heap grew by %.1f MiB while it was read, want less than %d MiB", i, p.name, float64(grew)/(1<<20), p.maxGrowth>>20)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("live heap %.1f MiB before, %.1f MiB after %d hostile posts", mib(before.HeapAlloc), mib(after.HeapAlloc), len(posts))
	if growth := int64(after.HeapAlloc) - int64(before.HeapAlloc); growth >= 4<<20 {
		t.Errorf("the live heap grew by %.1f MiB, want less than 4 MiB", float64(growth)/(1<<20))
	}
	if files := tempFiles(t, tmp); len(files) != 0 {
		t.Errorf("temporary files left: %v", files)
	}
	for i, u := range srv.Uploads() {
		if len(u.Fields) != 0 || u.Filename != "" || u.File != nil || u.Path != "" {
			t.Errorf("refused post %d recorded with %d fields, file name %q, %d bytes in File, Path %q; want none",
				i, len(u.Fields), u.Filename, len(u.File), u.Path)
		}
	}
}

// TestRefusedRecord: a refused request is recorded with its status, size
// and Cloudinary's message, cut to MaxRecordedBytes, and without its
// fields or file name; the answer carries the whole message.
func TestRefusedRecord(t *testing.T) {
	_, srv, _ := startFake(t)
	long := strings.Repeat("9", 100<<10)
	fields := signFields(map[string]string{"public_id": "p"})
	fields["api_key"] = long
	answer, err := uploadsigntest.Post(uploadURL(srv, "image"), fields, "a.png", pngImage(t, 2, 2))
	if err != nil || answer.Status != 401 || answer.Error != "Unknown API key "+long {
		t.Fatalf("%.200v (%v), want 401 naming the whole key", answer, err)
	}
	ups := srv.Uploads()
	if len(ups) != 1 {
		t.Fatalf("recorded %s", describe(ups))
	}
	u := ups[0]
	msg, _ := u.Response["error"].(map[string]any)["message"].(string)
	if u.Status != 401 || u.Size != int64(len(pngImage(t, 2, 2))) || u.ResourceType != "image" || u.Fields != nil || u.Filename != "" ||
		msg != ("Unknown API key " + long)[:uploadsigntest.MaxRecordedBytes] {
		t.Errorf("recorded %d, %d bytes, %q, fields %d, file name %q, message of %d bytes; want 401, the PNG's size, image, none, none, %d bytes",
			u.Status, u.Size, u.ResourceType, len(u.Fields), u.Filename, len(msg), uploadsigntest.MaxRecordedBytes)
	}
}
