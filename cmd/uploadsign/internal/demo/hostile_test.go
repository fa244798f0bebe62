package demo

import (
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// plusBody is a body of n bytes of "+" (a space, url-encoded), made as it
// is read, that counts what the server has taken of it.
// The client's transport may still be reading it when the server has
// answered.
type plusBody struct {
	n    int64
	sent atomic.Int64
}

func (b *plusBody) Read(p []byte) (int, error) {
	sent := b.sent.Load()
	if sent == b.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), b.n-sent)]
	for i := range p {
		p[i] = '+'
	}
	b.sent.Add(int64(len(p)))
	return len(p), nil
}

// TestHostilePosts posts to the demo what any page on another site can
// post to it without a preflight, and what a client can post to its fake:
// bodies of 100 MiB or more of "+" with no api_key, url-encoded and multipart. The
// demo refuses a post from another site before reading it (403), and
// passes on to the fake no more than a multipart upload's worth of a
// request, and 1 MiB of one that is not multipart, refusing a larger one
// by its Content-Length before reading it (413). The server reads a few
// MiB of the gigabyte posted, and the heap after GC stays within a few MiB
// of where it started.
func TestHostilePosts(t *testing.T) {
	_, srv := startServed(t, Config{}, defaultTimeouts)
	const hundredMiB = 100 << 20
	upload := srv.URL + "/fake/v1_1/uploadsign-demo/image/upload"
	const (
		form      = "application/x-www-form-urlencoded"
		multipart = "multipart/form-data; boundary=x"
	)
	tests := []struct {
		name, url, contentType string
		headers                map[string]string
		chunked                bool // no Content-Length: the demo cannot refuse before reading
		want                   []int
	}{
		{"cross-site url-encoded", upload, form, map[string]string{"Sec-Fetch-Site": "cross-site"}, false, []int{403}},
		{"cross-site url-encoded again", upload, form, map[string]string{"Sec-Fetch-Site": "cross-site"}, false, []int{403}},
		{"cross-site multipart", upload, multipart, map[string]string{"Sec-Fetch-Site": "cross-site"}, true, []int{403}},
		{"another port of localhost", upload, form, map[string]string{"Sec-Fetch-Site": "same-site"}, true, []int{403}},
		{"another origin, without Sec-Fetch-Site", upload, form, map[string]string{"Origin": "https://evil.example"}, true, []int{403}},
		{"a sandboxed page", upload, form, map[string]string{"Origin": "null"}, true, []int{403}},
		{"cross-site to the API", srv.URL + "/api/uploaded", "text/plain", map[string]string{"Sec-Fetch-Site": "cross-site"}, true, []int{403}},
		{"url-encoded, not from a browser", upload, form, nil, false, []int{413}},
		{"url-encoded, chunked", upload, form, map[string]string{"Sec-Fetch-Site": "same-origin"}, true, []int{400, 413}},
		{"multipart, over the limit", upload, multipart, map[string]string{"Sec-Fetch-Site": "same-origin"}, false, []int{413}},
	}
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, tt := range tests {
		body := &plusBody{n: hundredMiB}
		if tt.contentType == multipart && !tt.chunked {
			body.n += 10 << 20 // over the fake's 100 MiB and the fields' allowance
		}
		req, err := http.NewRequest("POST", tt.url, body)
		if err != nil {
			t.Fatal(err)
		}
		if !tt.chunked {
			req.ContentLength = body.n
		}
		req.Header.Set("Content-Type", tt.contentType)
		for k, v := range tt.headers {
			req.Header.Set(k, v)
		}
		status := 0
		resp, err := client.Do(req)
		if err != nil { // the server closed the connection before the client had sent the body
			t.Logf("%s: %v", tt.name, err)
		} else {
			status = resp.StatusCode
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if err == nil && !containsInt(tt.want, status) {
			t.Errorf("%s: %d, want %v", tt.name, status, tt.want)
		}
		if sent := body.sent.Load(); sent > 16<<20 {
			t.Errorf("%s: the server read %d MiB of the body", tt.name, sent>>20)
		}
	}
	// A genuine answer's status, whatever the connection did: a cross-site
	// post is refused before reading, also when it is small.
	req, _ := http.NewRequest("POST", upload, strings.NewReader("api_key=123456789012345"))
	req.Header.Set("Content-Type", form)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := client.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("a small cross-site post: %v %v, want 403", resp, err)
	} else {
		resp.Body.Close()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 4<<20 {
		t.Errorf("the heap grew by %d MiB after GC, want less than 4", grew>>20)
	}
}

func containsInt(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}
