package uploadsigntest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// minChunk is the smallest chunk but the last in these tests, set with
// WithMinChunkBytes so that files stay small.
const minChunk = 1000

// startChunkFake starts a fake endpoint on the test clock that takes
// chunks of minChunk bytes, and a Signer for it.
func startChunkFake(t *testing.T, opts ...uploadsigntest.ServerOption) (*clock, *uploadsigntest.Server, *uploadsign.Signer) {
	t.Helper()
	c := &clock{now: testTime}
	opts = append([]uploadsigntest.ServerOption{uploadsigntest.WithClock(c.Now), uploadsigntest.WithMinChunkBytes(minChunk)}, opts...)
	srv := uploadsigntest.NewServer(cloud, key, secret, opts...)
	t.Cleanup(srv.Close)
	return c, srv, newSigner(t, srv, c.Now)
}

// randomBytes returns n bytes that differ from offset to offset, so that a
// chunk put in the wrong place shows.
func randomBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

// noisyPNG encodes a w×h PNG of random pixels, which does not compress.
func noisyPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewSource(int64(w*h + 1)))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(r.Intn(256)), uint8(r.Intn(256)), uint8(r.Intn(256)), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sendChunk posts one chunk as Cloudinary's clients do, built here
// independently of the package's own client; an empty id or
// contentRange leaves that header out.
func sendChunk(t *testing.T, url string, fields map[string]string, id, contentRange, filename string, data []byte) *uploadsigntest.Answer {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if id != "" {
		req.Header.Set("X-Unique-Upload-Id", id)
	}
	if contentRange != "" {
		req.Header.Set("Content-Range", contentRange)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return readAnswer(t, resp)
}

// decoded decodes an answer's JSON, for a test that wants fields Answer
// does not have.
func decoded(t testing.TB, a *uploadsigntest.Answer) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.Body, &m); err != nil {
		t.Fatalf("the answer is not JSON: %v", err)
	}
	return m
}

// readAnswer reads an answer of the fake as Post does.
func readAnswer(t testing.TB, resp *http.Response) *uploadsigntest.Answer {
	t.Helper()
	defer resp.Body.Close()
	answer, err := uploadsigntest.ReadAnswer(resp)
	if err != nil {
		t.Fatal(err)
	}
	return answer
}

// succeeded returns the uploads the server answered with 200.
func succeeded(srv *uploadsigntest.Server) []uploadsigntest.Upload {
	var ok []uploadsigntest.Upload
	for _, u := range srv.Uploads() {
		if u.Status == http.StatusOK {
			ok = append(ok, u)
		}
	}
	return ok
}

// describe summarizes uploads for a failure message, without their bytes.
func describe(ups []uploadsigntest.Upload) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d uploads", len(ups))
	for _, u := range ups {
		fmt.Fprintf(&b, "; {%s %q %d bytes, %d in File, Path %q, %d chunks, UploadID %q, Content-Range %q: %d %v}",
			u.ResourceType, u.Filename, u.Size, len(u.File), u.Path, u.Chunks, u.UploadID, u.ContentRange, u.Status, u.Response["error"])
	}
	return b.String()
}

// readAll reads an upload's bytes through Upload.Open.
func readAll(t *testing.T, u uploadsigntest.Upload) []byte {
	t.Helper()
	r, err := u.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// getBody fetches a URL the server answered with.
func getBody(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d (%v)", url, resp.StatusCode, err)
	}
	return body
}

// TestChunkedUpload sends whole files in chunks as each kind of client
// does: the real total on every chunk with one signature (the browser
// plugin, the Go SDK, PostChunked), and -1 on every chunk but the last,
// each chunk signed anew (the Node SDK's upload_chunked_stream).
func TestChunkedUpload(t *testing.T) {
	sizes := []struct {
		name       string
		size       int
		wantChunks int
	}{
		{"not a multiple of the chunk size", 3*minChunk + 500, 4},
		{"an exact multiple of the chunk size", 3 * minChunk, 3},
		{"smaller than one chunk", minChunk - 300, 1},
		{"one byte", 1, 1},
	}
	styles := []string{"real totals, one signature", "-1 totals, signed anew"}
	for _, style := range styles {
		for _, sz := range sizes {
			t.Run(style+"/"+sz.name, func(t *testing.T) {
				c, srv, s := startChunkFake(t)
				file := randomBytes(sz.size, int64(sz.size))
				p := sign(t, s, "doc", uploadsign.Params{PublicID: "movie.bin"})
				id := "upload-" + style[:4]
				var answer *uploadsigntest.Answer
				for start, chunk := 0, 0; start < len(file); start, chunk = start+minChunk, chunk+1 {
					end := min(start+minChunk, len(file))
					total := fmt.Sprint(len(file))
					fields := p.Fields
					if style == styles[1] {
						c.Set(testTime.Add(time.Duration(chunk) * time.Minute))
						fields = sign(t, s, "doc", uploadsign.Params{PublicID: "movie.bin"}).Fields
						if end < len(file) {
							total = "-1"
						}
					}
					cr := fmt.Sprintf("bytes %d-%d/%s", start, end-1, total)
					answer = sendChunk(t, p.URL, fields, id, cr, "movie.bin", file[start:end])
					if answer.Status != http.StatusOK {
						t.Fatalf("%s: %v", cr, answer)
					}
					if end < len(file) {
						want := map[string]any{"done": false, "bytes": float64(end)}
						if diff := cmp.Diff(want, decoded(t, answer)); diff != "" {
							t.Errorf("%s answered (-want +got):\n%s", cr, diff)
						}
					}
				}
				if answer.Result.PublicID != "movie.bin" || answer.Result.Bytes != int64(len(file)) || answer.Result.ResourceType != "raw" {
					t.Errorf("last chunk answered %v, want the upload of the whole file", answer)
				}
				ups := srv.Uploads()
				if len(ups) != 1 {
					t.Fatalf("recorded %s, want 1 upload", describe(ups))
				}
				u := ups[0]
				if u.Size != int64(len(file)) || u.Chunks != sz.wantChunks || u.UploadID != id || u.Path != "" || !bytes.Equal(u.File, file) {
					t.Errorf("recorded Size %d, Chunks %d, UploadID %q, Path %q, %d bytes in File; want %d, %d, %q, none, the file",
						u.Size, u.Chunks, u.UploadID, u.Path, len(u.File), len(file), sz.wantChunks, id)
				}
				if got := getBody(t, answer.SecureURL); !bytes.Equal(got, file) {
					t.Errorf("the url serves %d bytes that are not the file", len(got))
				}
			})
		}
	}
}

// TestChunkedImage: the answer to the last chunk describes the assembled
// image, and PostChunked sends it.
func TestChunkedImage(t *testing.T) {
	_, srv, s := startChunkFake(t)
	img := noisyPNG(t, 40, 30)
	if len(img) < 3*minChunk {
		t.Fatalf("the PNG has %d bytes, want several chunks", len(img))
	}
	p := sign(t, s, "avatar", uploadsign.Params{PublicID: "big"})
	answer, err := uploadsigntest.PostChunked(p.URL, p.Fields, "big.png", bytes.NewReader(img), int64(len(img)), minChunk)
	if err != nil || answer.Status != http.StatusOK {
		t.Fatalf("PostChunked: %v (%v)", answer, err)
	}
	want := map[string]any{"public_id": "avatars/big", "format": "png", "width": 40.0, "height": 30.0, "bytes": float64(len(img)), "original_filename": "big"}
	got := map[string]any{}
	for k := range want {
		got[k] = decoded(t, answer)[k]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	if err := s.VerifyUploadResult(answer.Result.PublicID, answer.Result.Version, answer.Result.Signature); err != nil {
		t.Errorf("VerifyUploadResult: %v", err)
	}
	ups := succeeded(srv)
	if len(ups) != 1 || ups[0].Chunks != (len(img)+minChunk-1)/minChunk || !bytes.Equal(readAll(t, ups[0]), img) {
		t.Errorf("recorded %s", describe(ups))
	}
}

// step is one chunk of a malformed sequence: file[first:last+1] under its
// Content-Range, unless data says otherwise.
type step struct {
	contentRange string
	at           time.Duration // the clock, from testTime
	resign       bool          // sign a new payload at that time
	change       func(fields map[string]string)
	data         []byte // instead of the range of the file
	url          func(string) string
	id           string // instead of "seq"
	status       int
	msg          string // what the refusal says
}

func TestChunkedMalformedSequences(t *testing.T) {
	const total = "/3500"
	ok := func(r string) step { return step{contentRange: "bytes " + r, status: 200} }
	refused := func(r string, status int, msg string) step {
		return step{contentRange: "bytes " + r, status: status, msg: msg}
	}
	tests := []struct {
		name  string
		steps []step
		done  bool // whether the file is uploaded in the end
	}{
		{"gap, then the missing chunk", []step{
			ok("0-999" + total),
			refused("2000-2999"+total, 400, "Chunk out of order: upload ID seq has bytes 0-999; this chunk starts at 2000, leaving a gap"),
			ok("1000-1999" + total), ok("2000-2999" + total), ok("3000-3499" + total),
		}, true},
		{"first chunk not at 0", []step{
			refused("1000-1999"+total, 400, "upload ID seq has no bytes yet, so its first chunk must start at byte 0; this one starts at 1000"),
			ok("0-999" + total),
		}, false},
		{"overlap", []step{
			ok("0-999" + total),
			refused("500-1499"+total, 400, "Chunk overlaps: upload ID seq already has bytes 0-999; this chunk starts at 500"),
			ok("1000-1999" + total), ok("2000-3499" + total),
		}, true},
		{"a chunk sent twice", []step{
			ok("0-999" + total), ok("1000-1999" + total),
			refused("1000-1999"+total, 400, "Chunk overlaps"),
		}, false},
		{"changed total", []step{
			ok("0-999" + total),
			refused("1000-1999/4000", 400, "Content-Range total 4000 differs from the total 3500 of the earlier chunks of upload ID seq"),
		}, false},
		{"-1 total past the earlier total", []step{
			ok("0-999" + total),
			{contentRange: "bytes 1000-3999/-1", data: make([]byte, 3000), status: 400, msg: "ends past the total of 3500 bytes"},
		}, false},
		{"small first chunk", []step{
			refused("0-499"+total, 400, "All parts except EOF-chunk must be larger than 1000 bytes"),
		}, false},
		{"small chunk of unknown total", []step{
			ok("0-999/-1"),
			refused("1000-1499/-1", 400, "All parts except EOF-chunk must be larger than 1000 bytes"),
			ok("1000-1999/-1"), ok("2000-3499" + total),
		}, true},
		{"range longer than the chunk", []step{
			{contentRange: "bytes 0-999" + total, data: make([]byte, 600), status: 400, msg: "Content-Range bytes 0-999 announces 1000 bytes, but the file has 600"},
		}, false},
		{"range past the total", []step{refused("3000-3599"+total, 400, `Invalid Content-Range header "bytes 3000-3599/3500": the chunk ends past the total`)}, false},
		{"not bytes", []step{{contentRange: "0-999" + total, data: make([]byte, 1000), status: 400, msg: `Invalid Content-Range header "0-999/3500": want bytes START-END/TOTAL`}}, false},
		{"end before start", []step{{contentRange: "bytes 999-0" + total, data: make([]byte, 1000), status: 400, msg: "Invalid Content-Range header"}}, false},
		{"no upload id", []step{{contentRange: "bytes 0-999" + total, id: "-", status: 400, msg: "Missing X-Unique-Upload-Id header"}}, false},
		{"bad signature, then the chunk signed", []step{
			ok("0-999" + total),
			{contentRange: "bytes 1000-1999" + total, change: func(f map[string]string) { f["public_id"] = "other" }, status: 401, msg: "Invalid Signature"},
			ok("1000-1999" + total), ok("2000-3499" + total),
		}, true},
		{"stale timestamp on a late chunk, then signed anew", []step{
			ok("0-999" + total),
			{contentRange: "bytes 1000-1999" + total, at: time.Hour, status: 200},
			{contentRange: "bytes 2000-2999" + total, at: time.Hour + time.Second, status: 400,
				msg: "Stale request - reported time is 2023-11-14 22:13:20 +0000 which is more than 1 hour ago"},
			{contentRange: "bytes 2000-2999" + total, at: time.Hour + time.Second, resign: true, status: 200},
			{contentRange: "bytes 3000-3499" + total, at: time.Hour + time.Second, status: 200},
		}, true},
		{"another resource type", []step{
			ok("0-999" + total),
			{contentRange: "bytes 1000-1999" + total, url: func(u string) string { return strings.Replace(u, "/raw/", "/video/", 1) },
				status: 400, msg: "Upload ID seq was started as a raw upload; this chunk is posted as video"},
			ok("1000-1999" + total), ok("2000-3499" + total),
		}, true},
	}
	file := randomBytes(3500, 7)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv, s := startChunkFake(t)
			p := sign(t, s, "doc", uploadsign.Params{PublicID: "seq"})
			var answer *uploadsigntest.Answer
			for i, st := range tt.steps {
				c.Set(testTime.Add(st.at))
				if st.resign {
					p = sign(t, s, "doc", uploadsign.Params{PublicID: "seq"})
				}
				fields := copyFields(p.Fields)
				if st.change != nil {
					st.change(fields)
				}
				data := st.data
				if data == nil {
					var first, last int
					if _, err := fmt.Sscanf(st.contentRange, "bytes %d-%d/", &first, &last); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
					data = file[first:min(last+1, len(file))]
				}
				url := p.URL
				if st.url != nil {
					url = st.url(url)
				}
				id := "seq"
				if st.id == "-" {
					id = ""
				}
				answer = sendChunk(t, url, fields, id, st.contentRange, "seq.bin", data)
				if answer.Status != st.status {
					t.Fatalf("step %d (%s): %v, want %d", i, st.contentRange, answer, st.status)
				}
				if msg := answer.Error; !strings.Contains(msg, st.msg) || (st.msg == "") != (msg == "") {
					t.Errorf("step %d (%s): message %q, want one with %q", i, st.contentRange, msg, st.msg)
				}
				// A refused chunk is recorded with its status and without
				// its bytes; an accepted one but the last is not recorded.
				ups := srv.Uploads()
				switch last := len(ups) - 1; {
				case answer.Status != 200 && (last < 0 || ups[last].Status != answer.Status || ups[last].ContentRange != st.contentRange):
					t.Errorf("step %d (%s) refused, recorded %s", i, st.contentRange, describe(ups[max(last, 0):]))
				case answer.Status != 200 && (ups[last].File != nil || ups[last].Path != ""):
					t.Errorf("step %d (%s) refused, recorded with its bytes: %s", i, st.contentRange, describe(ups[last:]))
				case answer.Status == 200 && decoded(t, answer)["done"] == false && last >= 0 && ups[last].ContentRange == st.contentRange && ups[last].Status == 200:
					t.Errorf("step %d (%s): an accepted chunk but the last is recorded", i, st.contentRange)
				}
			}
			ups := succeeded(srv)
			if !tt.done {
				if len(ups) != 0 {
					t.Errorf("recorded %d successful uploads, want none", len(ups))
				}
				return
			}
			if len(ups) != 1 || answer.Result.Bytes != 3500 || !bytes.Equal(ups[0].File, file) {
				t.Errorf("answered %v; recorded %d successful uploads, want 1 of the file", answer, len(ups))
			}
		})
	}
}

// TestChunkedDataURI: chunks may come as data URIs in url-encoded forms,
// like whole files.
func TestChunkedDataURI(t *testing.T) {
	_, srv, s := startChunkFake(t)
	file := randomBytes(1700, 6)
	p := sign(t, s, "doc", uploadsign.Params{PublicID: "uri"})
	for _, r := range [][2]int{{0, 1000}, {1000, 1700}} {
		form := url.Values{"file": {"data:application/octet-stream;base64," + base64.StdEncoding.EncodeToString(file[r[0]:r[1]])}}
		for k, v := range p.Fields {
			form.Set(k, v)
		}
		req, err := http.NewRequest(http.MethodPost, p.URL, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Unique-Upload-Id", "uri")
		req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", r[0], r[1]-1, len(file)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", req.Header.Get("Content-Range"), resp.StatusCode)
		}
	}
	if ups := succeeded(srv); len(ups) != 1 || ups[0].Chunks != 2 || !bytes.Equal(ups[0].File, file) {
		t.Errorf("recorded %s", describe(ups))
	}
}

// TestRefusedChunkKeepsNoBytes: a refused chunk, even one too large to
// hold in memory, leaves no bytes behind, in its record or on disk, and
// its upload goes on from where it was.
func TestRefusedChunkKeepsNoBytes(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, srv, s := startChunkFake(t)
	p := sign(t, s, "file", uploadsign.Params{})
	first := patternFile(uploadsigntest.MaxUploadBytes + 1)
	if answer := sendChunk(t, p.URL, p.Fields, "big", "bytes 0-999/-1", "big.bin", randomBytes(minChunk, 8)); answer.Status != 200 {
		t.Fatalf("%v", answer)
	}
	// The second chunk, signed for another public_id, is refused.
	fields := copyFields(p.Fields)
	fields["public_id"] = "other"
	answer, err := postChunk(p.URL, fields, "big", fmt.Sprintf("bytes 1000-%d/-1", 1000+int64(first)-1), first)
	if err != nil || answer.Status != http.StatusUnauthorized {
		t.Fatalf("%v (%v), want 401", answer, err)
	}
	ups := srv.Uploads()
	if len(ups) != 1 || ups[0].Path != "" || ups[0].File != nil || ups[0].Size != int64(first) {
		t.Fatalf("recorded %s, want the refused chunk's size and no bytes", describe(ups))
	}
	if files := tempFiles(t, tmp); len(files) != 1 {
		t.Errorf("temporary files %v, want the upload's first chunk only", files)
	}
	// The upload goes on from where it was.
	if answer := sendChunk(t, p.URL, p.Fields, "big", "bytes 1000-1499/1500", "big.bin", make([]byte, 500)); answer.Status != 200 || answer.Result.Bytes != 1500 {
		t.Errorf("last chunk: %v", answer)
	}
}

// postChunk sends one chunk read from a patternFile, streamed.
func postChunk(url string, fields map[string]string, id, contentRange string, file patternFile) (*uploadsigntest.Answer, error) {
	return postStream(url, fields, map[string]string{"X-Unique-Upload-Id": id, "Content-Range": contentRange}, file)
}

// postStream posts fields and a patternFile, streamed, with headers.
func postStream(url string, fields, header map[string]string, file patternFile) (*uploadsigntest.Answer, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "big.bin")
		_, err := io.Copy(fw, io.NewSectionReader(file, 0, int64(file)))
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, url, pr)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return uploadsigntest.ReadAnswer(resp)
}

// TestChunkedInterleaved sends the chunks of two files in turns, under two
// upload ids: both files arrive whole.
func TestChunkedInterleaved(t *testing.T) {
	_, srv, s := startChunkFake(t)
	files := map[string][]byte{"a": randomBytes(2500, 1), "b": randomBytes(3200, 2)}
	payloads := map[string]*uploadsign.Payload{
		"a": sign(t, s, "doc", uploadsign.Params{PublicID: "file_a.bin"}),
		"b": sign(t, s, "doc", uploadsign.Params{PublicID: "file_b.bin"}),
	}
	for start := 0; start < 3200; start += minChunk {
		for _, id := range []string{"a", "b"} {
			file := files[id]
			if start >= len(file) {
				continue
			}
			end := min(start+minChunk, len(file))
			cr := fmt.Sprintf("bytes %d-%d/%d", start, end-1, len(file))
			if answer := sendChunk(t, payloads[id].URL, payloads[id].Fields, id, cr, id+".bin", file[start:end]); answer.Status != 200 {
				t.Fatalf("%s %s: %v", id, cr, answer)
			}
		}
	}
	ups := srv.Uploads()
	if len(ups) != 2 {
		t.Fatalf("recorded %d uploads, want 2", len(ups))
	}
	for _, u := range ups {
		want := files[u.UploadID]
		if u.Status != 200 || u.Response["public_id"] != "file_"+u.UploadID+".bin" || !bytes.Equal(u.File, want) {
			t.Errorf("upload %q: %d %v, %d bytes", u.UploadID, u.Status, u.Response["public_id"], len(u.File))
		}
	}
}

// TestChunkedFailNext: FailNext and DropNext apply to chunks too, and
// leave the upload to continue.
func TestChunkedFailNext(t *testing.T) {
	_, srv, s := startChunkFake(t)
	file := randomBytes(2500, 3)
	p := sign(t, s, "file", uploadsign.Params{})
	send := func(first, last int) int {
		return sendChunk(t, p.URL, p.Fields, "f", fmt.Sprintf("bytes %d-%d/2500", first, last), "f.bin", file[first:last+1]).Status
	}
	if status := send(0, 999); status != 200 {
		t.Fatalf("first chunk: %d", status)
	}
	srv.FailNext(http.StatusServiceUnavailable, "try later")
	if status := send(1000, 1999); status != 503 {
		t.Errorf("with FailNext: %d, want 503", status)
	}
	srv.DropNext()
	if _, err := http.Post(p.URL, "multipart/form-data; boundary=x", strings.NewReader("--x--\r\n")); err == nil {
		t.Error("with DropNext, the request succeeded")
	}
	if status := send(1000, 1999); status != 200 {
		t.Errorf("second chunk, sent again: %d", status)
	}
	if status := send(2000, 2499); status != 200 {
		t.Errorf("last chunk: %d", status)
	}
	if ups := succeeded(srv); len(ups) != 1 || !bytes.Equal(ups[0].File, file) {
		t.Errorf("recorded %s", describe(ups))
	}
}

func TestPostChunkedArguments(t *testing.T) {
	file := bytes.NewReader([]byte("data"))
	tests := []struct {
		name            string
		file            io.ReaderAt
		size, chunkSize int64
		want            string
	}{
		{"no file", nil, 4, 2, "no file"},
		{"zero size", file, 0, 2, "size 0 is not positive"},
		{"zero chunk size", file, 4, 0, "chunk size 0 is not positive"},
		{"file shorter than size", file, 10, 2, "ContentLength"},
	}
	_, _, s := startChunkFake(t, uploadsigntest.WithMinChunkBytes(0))
	p := sign(t, s, "file", uploadsign.Params{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := uploadsigntest.PostChunked(p.URL, p.Fields, "f.bin", tt.file, tt.size, tt.chunkSize)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

// TestPostChunkedNeedsChunkedEndpoint: an endpoint that answers a chunk as
// a whole upload (as this fake once did) makes PostChunked fail.
func TestPostChunkedNeedsChunkedEndpoint(t *testing.T) {
	var (
		mu     sync.Mutex
		ranges []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ranges = append(ranges, r.Header.Get("Content-Range"))
		mu.Unlock()
		io.Copy(io.Discard, r.Body)
		w.Write([]byte(`{"public_id": "x", "bytes": 10}`))
	}))
	defer srv.Close()
	_, err := uploadsigntest.PostChunked(srv.URL, map[string]string{"timestamp": "1"}, "f.bin", bytes.NewReader(make([]byte, 25)), 25, 10)
	if err == nil || !strings.Contains(err.Error(), `the chunk bytes 0-9/25 was answered without "done": false`) {
		t.Errorf("error %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{"bytes 0-9/25"}, ranges); diff != "" {
		t.Errorf("chunks sent (-want +got):\n%s", diff)
	}
}
