package uploadsigntest_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// Cloudinary's limits as its own messages state them (see the package
// doc): 100 MiB in one request, chunks of at least 5 MiB.
const (
	cloudinaryMaxRequest = 104857600
	cloudinaryMinChunk   = 5 * 1024 * 1024
)

func TestDefaultLimitsAreCloudinarys(t *testing.T) {
	if uploadsigntest.DefaultMaxRequestBytes != cloudinaryMaxRequest || uploadsigntest.DefaultMinChunkBytes != cloudinaryMinChunk {
		t.Errorf("defaults %d and %d, want %d and %d", uploadsigntest.DefaultMaxRequestBytes, uploadsigntest.DefaultMinChunkBytes,
			cloudinaryMaxRequest, cloudinaryMinChunk)
	}
}

// TestRequestLimit posts a file one byte over Cloudinary's 100 MiB, and one
// of exactly 100 MiB, to a server with the default limit.
func TestRequestLimit(t *testing.T) {
	_, srv, s := startFake(t)
	p := sign(t, s, "file", uploadsign.Params{})
	big := make([]byte, cloudinaryMaxRequest+1)
	answer, err := uploadsigntest.Post(p.URL, p.Fields, "big.bin", big)
	want := "File size too large. Got 104857601. Maximum is 104857600."
	if err != nil || answer.Status != http.StatusBadRequest || answer.Error != want {
		t.Errorf("100 MiB + 1 in one request: %v (%v), want 400 %q", answer, err, want)
	}
	answer, err = uploadsigntest.Post(p.URL, p.Fields, "big.bin", big[:cloudinaryMaxRequest])
	if err != nil || answer.Status != http.StatusOK || answer.Result.Bytes != int64(cloudinaryMaxRequest) {
		t.Fatalf("100 MiB in one request: %v (%v)", answer, err)
	}
	// Too large to hold in memory: the record has the size and a file.
	u := succeeded(srv)[0]
	if u.File != nil || u.Path == "" || u.Size != cloudinaryMaxRequest {
		t.Errorf("recorded File of %d bytes, Path %q, Size %d; want none, a path, %d", len(u.File), u.Path, u.Size, cloudinaryMaxRequest)
	}
	if got := readAll(t, u); !bytes.Equal(got, big[:cloudinaryMaxRequest]) {
		t.Errorf("Open read %d bytes, not the file", len(got))
	}
}

// TestLimitOptions checks each limit, set small, on each way a file comes.
func TestLimitOptions(t *testing.T) {
	_, _, s := startChunkFake(t, uploadsigntest.WithMaxRequestBytes(1500), uploadsigntest.WithMaxFileBytes(3000))
	p := sign(t, s, "file", uploadsign.Params{})
	file := randomBytes(3500, 5)
	dataURI := func(n int) url.Values {
		form := url.Values{"file": {"data:application/octet-stream;base64," + base64.StdEncoding.EncodeToString(file[:n])}}
		for k, v := range p.Fields {
			form.Set(k, v)
		}
		return form
	}
	postForm := func(form url.Values) *uploadsigntest.Answer {
		resp, err := http.PostForm(p.URL, form)
		if err != nil {
			t.Fatal(err)
		}
		return readAnswer(t, resp)
	}
	multipartDataURI := func(n int) *uploadsigntest.Answer {
		var body bytes.Buffer
		mw := newMultipart(&body, dataURI(n))
		resp, err := http.Post(p.URL, mw, &body)
		if err != nil {
			t.Fatal(err)
		}
		return readAnswer(t, resp)
	}
	post := func(n int) *uploadsigntest.Answer {
		answer, err := uploadsigntest.Post(p.URL, p.Fields, "f.bin", file[:n])
		if err != nil {
			t.Fatal(err)
		}
		return answer
	}
	chunk := func(cr string, n int) func() *uploadsigntest.Answer {
		return func() *uploadsigntest.Answer {
			return sendChunk(t, p.URL, p.Fields, "id-"+cr, cr, "f.bin", file[:n])
		}
	}
	tests := []struct {
		name   string
		send   func() *uploadsigntest.Answer
		status int
		msg    string
	}{
		{"one request at the limit", func() *uploadsigntest.Answer { return post(1500) }, 200, ""},
		{"one request over the limit", func() *uploadsigntest.Answer { return post(1501) }, 400, "File size too large. Got 1501. Maximum is 1500."},
		{"data URI over the limit", func() *uploadsigntest.Answer { return postForm(dataURI(1501)) }, 400, "File size too large. Got 1501. Maximum is 1500."},
		{"data URI at the limit", func() *uploadsigntest.Answer { return postForm(dataURI(1500)) }, 200, ""},
		{"data URI far over the limit", func() *uploadsigntest.Answer {
			form := dataURI(0)
			form.Set("file", form.Get("file")+strings.Repeat("A", 20<<20)) // 15 MiB of zeros
			return postForm(form)
		}, 400, "File size too large. Got 15728"},
		{"multipart data URI over the limit", func() *uploadsigntest.Answer { return multipartDataURI(1501) }, 400, "File size too large. Got 1501. Maximum is 1500."},
		{"chunk over the limit", chunk("bytes 0-1500/3000", 1501), 400, "File size too large. Got 1501. Maximum is 1500."},
		{"chunked file over the file limit", chunk("bytes 0-999/3001", 1000), 400, "File size too large. Got 3001. Maximum is 3000."},
		{"chunked file at the file limit", chunk("bytes 0-999/3000", 1000), 200, ""},
		{"chunk of unknown total over the limit", chunk("bytes 0-1500/-1", 1501), 400, "File size too large. Got 1501. Maximum is 1500."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer := tt.send()
			if msg := answer.Error; answer.Status != tt.status || !strings.HasPrefix(msg, tt.msg) || (tt.msg == "") != (msg == "") {
				t.Errorf("%v, want %d %q", answer, tt.status, tt.msg)
			}
		})
	}

	// The file limit also counts the chunks of unknown total as they come,
	// and limits a file in one request under the request limit.
	_, _, s = startChunkFake(t, uploadsigntest.WithMaxFileBytes(2500))
	p = sign(t, s, "file", uploadsign.Params{})
	if answer := post(2501); answer.Status != 400 || answer.Error != "File size too large. Got 2501. Maximum is 2500." {
		t.Errorf("2501 bytes in one request: %v", answer)
	}
	for i, want := range []int{200, 200, 400} {
		cr := fmt.Sprintf("bytes %d-%d/-1", i*1000, i*1000+999)
		answer := sendChunk(t, p.URL, p.Fields, "unknown-total", cr, "f.bin", file[i*1000:i*1000+1000])
		if answer.Status != want {
			t.Errorf("%s: %v, want %d", cr, answer, want)
		}
		if want == 400 && answer.Error != "File size too large. Got 3000. Maximum is 2500." {
			t.Errorf("%s: %q", cr, answer.Error)
		}
	}
}

// TestNoMinChunk: WithMinChunkBytes(0) takes chunks of any size.
func TestNoMinChunk(t *testing.T) {
	_, srv, s := startChunkFake(t, uploadsigntest.WithMinChunkBytes(0))
	p := sign(t, s, "file", uploadsign.Params{})
	file := []byte("tiny chunks")
	answer, err := uploadsigntest.PostChunked(p.URL, p.Fields, "t.txt", bytes.NewReader(file), int64(len(file)), 2)
	if err != nil || answer.Status != 200 {
		t.Fatalf("%v (%v)", answer, err)
	}
	if ups := srv.Uploads(); len(ups) != 1 || ups[0].Chunks != 6 || !bytes.Equal(ups[0].File, file) {
		t.Errorf("recorded %s", describe(ups))
	}
}

// newMultipart writes form as multipart/form-data, the file a data URI in
// a plain field, and returns its content type.
func newMultipart(body *bytes.Buffer, form url.Values) string {
	var b strings.Builder
	boundary := "xXx-boundary"
	for k, vs := range form {
		for _, v := range vs {
			fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, k, v)
		}
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	body.WriteString(b.String())
	return "multipart/form-data; boundary=" + boundary
}

// TestDefaultMinChunk: Cloudinary's 5 MiB and its words.
func TestDefaultMinChunk(t *testing.T) {
	_, _, s := startFake(t)
	p := sign(t, s, "file", uploadsign.Params{})
	size := 3 * cloudinaryMinChunk
	chunk := make([]byte, cloudinaryMinChunk)
	answer := sendChunk(t, p.URL, p.Fields, "m", fmt.Sprintf("bytes 0-%d/%d", len(chunk)-2, size), "f.bin", chunk[1:])
	if want := "All parts except EOF-chunk must be larger than 5mb"; answer.Status != 400 || answer.Error != want {
		t.Errorf("5 MiB - 1: %v, want 400 %q", answer, want)
	}
	answer = sendChunk(t, p.URL, p.Fields, "m", fmt.Sprintf("bytes 0-%d/%d", len(chunk)-1, size), "f.bin", chunk)
	if answer.Status != 200 || decoded(t, answer)["done"] != false {
		t.Errorf("5 MiB: %v, want 200, not done", answer)
	}
}

func TestLimitOptionsRefuseNegative(t *testing.T) {
	for name, opt := range map[string]func(int64) uploadsigntest.ServerOption{
		"WithMaxRequestBytes": uploadsigntest.WithMaxRequestBytes,
		"WithMinChunkBytes":   uploadsigntest.WithMinChunkBytes,
		"WithMaxFileBytes":    uploadsigntest.WithMaxFileBytes,
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), name+"(-1)") {
					t.Errorf("recovered %v, want a panic naming %s(-1)", r, name)
				}
			}()
			srv := uploadsigntest.NewServer(cloud, key, secret, opt(-1))
			srv.Close()
		})
	}
}

// TestCloseRemovesFiles: the bytes of a large upload and the chunks of an
// unfinished one are in temporary files until Close.
func TestCloseRemovesFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, srv, s := startChunkFake(t)
	p := sign(t, s, "file", uploadsign.Params{})
	abandoned := randomBytes(2*minChunk, 9)
	if answer := sendChunk(t, p.URL, p.Fields, "abandoned", "bytes 0-999/-1", "a.bin", abandoned[:minChunk]); answer.Status != 200 {
		t.Fatalf("%v", answer)
	}
	large := patternFile(uploadsigntest.MaxUploadBytes + 1)
	answer, err := uploadsigntest.PostChunked(p.URL, p.Fields, "large.bin", large, int64(large), 10<<20)
	if err != nil || answer.Status != 200 {
		t.Fatalf("%v (%v)", answer, err)
	}
	u := succeeded(srv)[0]
	if u.Path == "" || u.File != nil || u.Chunks != 4 {
		t.Fatalf("recorded Path %q, %d bytes in File, %d chunks", u.Path, len(u.File), u.Chunks)
	}
	if err := sameAsPattern(t, u, large); err != nil {
		t.Error(err)
	}
	if entries := tempFiles(t, tmp); len(entries) != 2 {
		t.Errorf("before Close, temporary files %v, want the large upload and the abandoned chunk", entries)
	}
	srv.Close()
	if entries := tempFiles(t, tmp); len(entries) != 0 {
		t.Errorf("after Close, temporary files remain: %v", entries)
	}
	if _, err := u.Open(); err == nil {
		t.Error("Open succeeds after Close")
	}
}

// tempFiles lists the files under dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			files = append(files, e.Name())
			continue
		}
		sub, err := os.ReadDir(dir + "/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range sub {
			files = append(files, e.Name()+"/"+f.Name())
		}
	}
	return files
}

// TestEarlyRefusalIsRead: a request refused before its file is read (here
// for its URL and for its Content-Range) is still read, so that a client
// that sends the whole request before it reads the answer, as browsers
// do, gets the answer rather than a reset connection.
func TestEarlyRefusalIsRead(t *testing.T) {
	_, srv, _ := startFake(t)
	const size = 30 << 20
	for _, tt := range []struct{ path, header, msg string }{
		{"/v1_1/other/raw/upload", "", "Invalid cloud_name other"},
		{"/v1_1/demo/raw/upload", "Content-Range: bytes 0-1/1\r\nX-Unique-Upload-Id: early\r\n",
			`Invalid Content-Range header "bytes 0-1/1": the chunk ends past the total`},
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: fake\r\nContent-Type: multipart/form-data; boundary=x\r\n%sContent-Length: %d\r\n\r\n",
			tt.path, tt.header, size)
		block := make([]byte, 1<<20)
		for sent := 0; sent < size; sent += len(block) {
			if _, err := conn.Write(block); err != nil {
				t.Fatalf("%s: writing the body after %d bytes: %v", tt.path, sent, err)
			}
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		if answer := readAnswer(t, resp); answer.Error != tt.msg {
			t.Errorf("%s: %v, want %q", tt.path, answer, tt.msg)
		}
	}
}
