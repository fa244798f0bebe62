package uploadsigntest_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// patternFile is a file of that many bytes that is never in memory: a
// random block of a prime length, repeated, so that no two chunks of the
// sizes used here are alike.
type patternFile int64

var patternBlock = randomBytes(65521, 11)

func (f patternFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("patternFile: negative offset")
	}
	if off >= int64(f) {
		return 0, io.EOF
	}
	var err error
	if rest := int64(f) - off; int64(len(p)) > rest {
		p, err = p[:rest], io.EOF
	}
	for n := 0; n < len(p); {
		n += copy(p[n:], patternBlock[(off+int64(n))%int64(len(patternBlock)):])
	}
	return len(p), err
}

// sameAsPattern compares an upload's bytes with f, a block at a time.
func sameAsPattern(t *testing.T, u uploadsigntest.Upload, f patternFile) error {
	t.Helper()
	r, err := u.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	got, want := make([]byte, 1<<20), make([]byte, 1<<20)
	off := int64(0)
	for {
		n, err := io.ReadFull(r, got)
		if n > 0 {
			if m, _ := f.ReadAt(want[:n], off); m != n || !bytes.Equal(got[:n], want[:n]) {
				return fmt.Errorf("the upload differs from the file in bytes %d-%d", off, off+int64(n)-1)
			}
			off += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if off != int64(f) {
		return fmt.Errorf("the upload has %d bytes, the file %d", off, int64(f))
	}
	return nil
}

// heapPeak samples the heap in use (runtime.MemStats.HeapAlloc) until
// stopped, and reports the highest value seen.
func heapPeak() (stop func() uint64) {
	var (
		mu   sync.Mutex
		peak uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapAlloc)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// TestChunkedUploadMemory uploads a 1 GiB file in the SDKs' 20,000,000-byte
// chunks through PostChunked and the fake, with Cloudinary's default
// limits, and measures the heap of the process, both sides included: it
// must grow by less than 64 MiB. The file is generated as it is read, so
// the test itself holds none of it.
func TestChunkedUploadMemory(t *testing.T) {
	const (
		size      = 1 << 30
		chunkSize = 20_000_000
		limit     = 64 << 20
	)
	c := &clock{now: testTime}
	srv := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(c.Now))
	defer srv.Close()
	s := newSigner(t, srv, c.Now)
	p := sign(t, s, "doc", uploadsign.Params{PublicID: "film.bin"})
	file := patternFile(size)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := heapPeak()
	start := time.Now()
	answer, err := uploadsigntest.PostChunked(p.URL, p.Fields, "film.bin", file, size, chunkSize)
	elapsed := time.Since(start)
	peak := stop()
	if err != nil || answer.Status != http.StatusOK {
		t.Fatalf("PostChunked: %v (%v)", answer, err)
	}
	growth := int64(peak) - int64(before.HeapAlloc)
	t.Logf("1 GiB in %d chunks in %v; heap in use %.1f MiB before, peak %.1f MiB: grew by %.1f MiB",
		(size+chunkSize-1)/chunkSize, elapsed.Round(time.Millisecond), mib(before.HeapAlloc), mib(peak), float64(growth)/(1<<20))
	if growth >= limit {
		t.Errorf("the heap grew by %.1f MiB, want less than %d MiB", float64(growth)/(1<<20), limit>>20)
	}

	if answer.Result.Bytes != int64(size) || answer.Result.PublicID != "film.bin" {
		t.Errorf("answer %v", answer)
	}
	ups := srv.Uploads()
	if len(ups) != 1 || ups[0].Size != size || ups[0].Chunks != 54 || ups[0].File != nil || ups[0].Path == "" {
		t.Fatalf("recorded %s, want one upload of 54 chunks in a file", describe(ups))
	}
	if err := sameAsPattern(t, ups[0], file); err != nil {
		t.Error(err)
	}
	resp, err := http.Head(answer.SecureURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != size {
		t.Errorf("HEAD url: %d, Content-Length %d", resp.StatusCode, resp.ContentLength)
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// TestRefusedUploadsKeepNothing: the fake keeps no bytes of a refused
// upload, whether refused by its fields (before its file is read) or by
// its content (after): eight refused 8 MiB uploads and one refused 40 MiB
// upload grow the live heap by less than 16 MiB and leave no temporary
// file, and their records hold no file.
func TestRefusedUploadsKeepNothing(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, srv, _ := startFake(t)
	signed := signFields(map[string]string{"public_id": "p"})
	tampered := copyFields(signed)
	tampered["public_id"] = "other"
	type upload struct {
		fields map[string]string
		size   patternFile
		status int
	}
	var uploads []upload
	for i := range 8 {
		if i%2 == 0 {
			uploads = append(uploads, upload{tampered, 8 << 20, http.StatusUnauthorized})
		} else {
			uploads = append(uploads, upload{signed, 8 << 20, http.StatusBadRequest}) // not an image
		}
	}
	uploads = append(uploads, upload{signed, 40 << 20, http.StatusBadRequest}) // on disk while read

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i, u := range uploads {
		answer, err := postStream(uploadURL(srv, "image"), u.fields, nil, u.size)
		if err != nil || answer.Status != u.status {
			t.Fatalf("upload %d: %v (%v), want %d", i, answer, err, u.status)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("live heap %.1f MiB before, %.1f MiB after %d refused uploads", mib(before.HeapAlloc), mib(after.HeapAlloc), len(uploads))
	if growth >= 16<<20 {
		t.Errorf("the live heap grew by %.1f MiB, want less than 16 MiB", float64(growth)/(1<<20))
	}
	if files := tempFiles(t, tmp); len(files) != 0 {
		t.Errorf("temporary files left: %v", files)
	}
	for i, u := range srv.Uploads() {
		if u.File != nil || u.Path != "" || u.Size != int64(uploads[i].size) {
			t.Errorf("upload %d recorded with %d bytes in File, Path %q, Size %d; want none, none, %d", i, len(u.File), u.Path, u.Size, uploads[i].size)
		}
	}
}
