package demo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// serveOne serves one request with the demo's handler, from a client at
// remote for the given Host.
func serveOne(d *Demo, method, target, host, remote, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Host, r.RemoteAddr = host, remote
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	d.Handler().ServeHTTP(w, r)
	return w
}

// The demo's routes, each with a request it answers.
var routes = []struct{ method, target, body string }{
	{"GET", "/", ""},
	{"GET", "/app.js", ""},
	{"GET", "/api/info", ""},
	{"POST", "/api/signature", `{"param_set": "avatar", "version": 1}`},
	{"POST", "/api/uploaded", `{}`},
	{"POST", "/api/explain", `{}`},
	{"POST", "/api/webhook", `{}`},
	{"GET", "/api/webhook-log", ""},
	{"POST", "/fake/v1_1/uploadsign-demo/image/upload", ""},
	{"GET", "/fake/uploadsign-demo/image/upload/v1/x.png", ""},
}

// TestLoopbackHostOnly: a demo listening on loopback answers a request for
// another Host, on every route, with 421 and nothing of the route, as a
// page that rebinds its own name to 127.0.0.1 makes. A loopback Host gets
// the route, with or without a port.
func TestLoopbackHostOnly(t *testing.T) {
	d, _ := startDemo(t, Config{})
	exposed, _ := startDemo(t, Config{Exposed: true})
	for _, host := range []string{"evil.example", "evil.example:8080", "localhost.evil.example:8080", "127.0.0.1.evil.example",
		"localhost.", "192.0.2.7:8080", "[2001:db8::1]:8080", "0.0.0.0:8080", ""} {
		for _, rt := range routes {
			w := serveOne(d, rt.method, rt.target, host, "127.0.0.1:5555", rt.body)
			if w.Code != http.StatusMisdirectedRequest || strings.Contains(w.Body.String(), d.FakeSecret()) ||
				strings.Contains(w.Body.String(), "{") || w.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Errorf("%s %s for Host %q: %d %q, want 421 and a plain-text note only", rt.method, rt.target, host, w.Code, w.Body.String())
			}
			if host == "" {
				continue // a Host exposed answers with 400: no host[:port] to build URLs from
			}
			if w := serveOne(exposed, rt.method, rt.target, host, "192.0.2.7:5555", rt.body); w.Code == http.StatusMisdirectedRequest {
				t.Errorf("exposed demo: %s %s for Host %q: 421, want the route", rt.method, rt.target, host)
			}
		}
	}
	for _, host := range []string{"localhost", "localhost:8080", "LocalHost:1", "127.0.0.1", "127.0.0.1:8080", "127.3.4.5:80", "[::1]", "[::1]:8080"} {
		for _, rt := range routes {
			if w := serveOne(d, rt.method, rt.target, host, "127.0.0.1:5555", rt.body); w.Code == http.StatusMisdirectedRequest {
				t.Errorf("%s %s for Host %q: 421 %q, want the route", rt.method, rt.target, host, w.Body.String())
			}
		}
	}
}

// TestOnlyThisMachine: the fake's secret, with which anyone could sign
// anything, and a real account's signatures go only to a request whose
// client address and Host are both loopback, also when the demo is
// exposed.
func TestOnlyThisMachine(t *testing.T) {
	account := func(opts ...uploadsign.Option) (*uploadsign.Signer, error) {
		return uploadsign.FromURL("cloudinary://123456789012345:abcd@demo", opts...)
	}
	for _, tt := range []struct {
		name, remote, host string
		exposed, mine      bool
	}{
		{"loopback", "127.0.0.1:5555", "localhost:8080", false, true},
		{"loopback v6", "[::1]:5555", "[::1]:8080", false, true},
		{"another machine", "192.0.2.7:5555", "localhost:8080", false, false},
		{"exposed, this machine", "127.0.0.1:5555", "127.0.0.1:8080", true, true},
		{"exposed, another machine", "10.0.0.2:5555", "demo.example:8080", true, false},
		{"exposed, another machine at localhost", "10.0.0.2:5555", "localhost:8080", true, false},
		{"exposed, this machine at another name (rebinding)", "127.0.0.1:5555", "evil.example:8080", true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := startDemo(t, Config{Exposed: tt.exposed})
			w := serveOne(d, "GET", "/api/info", tt.host, tt.remote, "")
			if shown := strings.Contains(w.Body.String(), d.FakeSecret()); w.Code != 200 || shown != tt.mine {
				t.Errorf("fake: info %d, secret shown %v, want %v", w.Code, shown, tt.mine)
			}
			if w := serveOne(d, "POST", "/api/signature", tt.host, tt.remote, `{"param_set": "avatar", "version": 1}`); w.Code != 200 {
				t.Errorf("fake: signature %d %s, want 200: the fake's payloads are for anyone", w.Code, w.Body)
			}
			real, _ := startDemo(t, Config{Exposed: tt.exposed, NewSigner: account})
			w = serveOne(real, "POST", "/api/signature", tt.host, tt.remote, `{"param_set": "avatar", "version": 1}`)
			if signed := w.Code == 200 && strings.Contains(w.Body.String(), `"signature"`); signed != tt.mine {
				t.Errorf("account: signature %d %s, signed %v, want %v", w.Code, w.Body, signed, tt.mine)
			}
			if !tt.mine && (w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "only for a browser on its own machine")) {
				t.Errorf("account: signature %d %s, want 403 saying why", w.Code, w.Body)
			}
			var got info
			w = serveOne(real, "GET", "/api/info", tt.host, tt.remote, "")
			body := w.Body.String()
			if err := jsonDecode(w.Body, &got); err != nil || got.Signs != tt.mine {
				t.Errorf("account: info says signs %v (%v), want %v", got.Signs, err, tt.mine)
			}
			// The account's CLOUDINARY_URL for the command line, never
			// with its secret.
			if want := "cloudinary://123456789012345:API_SECRET@demo"; got.CloudinaryURL != want || got.APIKey != "123456789012345" || strings.Contains(body, "abcd") {
				t.Errorf("account: info shows %q and API key %q, want %q; secret shown %v", got.CloudinaryURL, got.APIKey, want, strings.Contains(body, "abcd"))
			}
		})
	}
}

// TestExplainTakes64KiB: /api/explain reads at most 64 KiB.
func TestExplainTakes64KiB(t *testing.T) {
	d, _ := startDemo(t, Config{})
	body := func(n int) string { // a request of n bytes
		head := `{"fields": {"folder": "x"}, "error": "`
		return head + strings.Repeat("a", n-len(head)-2) + `"}`
	}
	for _, tt := range []struct {
		size, want int
	}{{64 << 10, 200}, {64<<10 + 1, 413}, {1 << 20, 413}} {
		w := serveOne(d, "POST", "/api/explain", "localhost", "127.0.0.1:5555", body(tt.size))
		if w.Code != tt.want {
			t.Errorf("%d bytes: %d %.200s, want %d", tt.size, w.Code, w.Body, tt.want)
		}
	}
}

// startServed serves the demo for cfg with its own http.Server (Server),
// with the timeouts tm.
func startServed(t *testing.T, cfg Config, tm timeouts) (*Demo, *httptest.Server) {
	t.Helper()
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.timeouts = tm
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = d.Server()
	srv.Start()
	t.Cleanup(func() { srv.Close(); d.Close() })
	return d, srv
}

// TestServerTimeouts: the demo's server drops a client that sends its
// headers or its API request too slowly, and gives an upload to the fake
// the time a chunk needs. The timeouts here are short; the real ones are
// checked in proportion.
func TestServerTimeouts(t *testing.T) {
	if s := (&Demo{timeouts: defaultTimeouts}).Server(); s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.IdleTimeout <= 0 {
		t.Errorf("the server's timeouts: read header %v, read %v, idle %v; want all set", s.ReadHeaderTimeout, s.ReadTimeout, s.IdleTimeout)
	}
	// A chunk of DefaultChunkBytes at 300 kbit/s arrives within the upload
	// timeout.
	if need := DefaultChunkBytes * 8 * time.Second / 300_000; defaultTimeouts.upload < need {
		t.Errorf("upload timeout %v: a chunk at 300 kbit/s takes %v", defaultTimeouts.upload, need)
	}

	const chunk = 64 << 10
	tm := timeouts{readHeader: 300 * time.Millisecond, read: 500 * time.Millisecond, upload: 30 * time.Second, idle: time.Second}
	d, srv := startServed(t, Config{ChunkBytes: chunk, MinChunkBytes: chunk}, tm)
	addr := srv.Listener.Addr().String()

	t.Run("slow headers", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte("GET /api/info HTTP/1.1\r\nHost: localhost\r\n")) // and never the blank line
		if closed := waitClosed(conn, 5*time.Second); !closed {
			t.Error("the server kept a connection whose headers never ended")
		}
	})

	t.Run("slow API request", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte("POST /api/explain HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"))
		if closed := waitClosed(conn, 5*time.Second); !closed {
			t.Error("the server kept waiting for the body of an API request")
		}
	})

	t.Run("slow chunked upload", func(t *testing.T) {
		var p payload
		if status := call(t, nil, "POST", srv.URL+"/api/signature", map[string]any{"param_set": "video", "version": 1}, &p); status != 200 {
			t.Fatalf("signature: %d", status)
		}
		// Each chunk takes about twice the read timeout to arrive.
		clip := mp4Clip(2*chunk + 100)
		slow := &slowReader{r: bytes.NewReader(clip), piece: 8 << 10, delay: 2 * tm.read / 8}
		answer, err := uploadsigntest.PostChunked(p.URL, p.Fields, "clip.mp4", slow, int64(len(clip)), chunk)
		if err != nil || answer.Status != 200 {
			t.Fatalf("a slow chunked upload: %v %v", answer, err)
		}
		if ups := d.Fake().Uploads(); len(ups) != 1 || !bytes.Equal(ups[0].File, clip) {
			t.Errorf("the fake has %d uploads, want the clip", len(ups))
		}
	})
}

// waitClosed reports whether the server closes conn within d.
func waitClosed(conn net.Conn, d time.Duration) bool {
	conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, bufio.NewReader(conn)) // a 408 answer, if any, then EOF
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout())
}

// slowReader takes delay for each piece bytes it reads.
type slowReader struct {
	r     io.ReaderAt
	piece int
	delay time.Duration
}

func (s *slowReader) ReadAt(p []byte, off int64) (int, error) {
	time.Sleep(time.Duration((len(p)+s.piece-1)/s.piece) * s.delay)
	return s.r.ReadAt(p, off)
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
