package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The demo's handlers are tested in internal/demo, and in a browser by the
// module in browsertest; these tests run the serve command.

// syncBuffer is a bytes.Buffer safe for a command's goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// served is a running "uploadsign serve".
type served struct {
	addr           string // the address it says to open, http://HOST:PORT/
	stdout, stderr *syncBuffer
	stop           func() int // stops it as Ctrl-C does, and returns its exit status
}

// startServe runs "uploadsign serve" with args until the test ends or
// stop is called.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan int, 1)
	go func() {
		done <- run(append([]string{"serve"}, args...), env{
			stdout: s.stdout, stderr: s.stderr, getenv: func(string) string { return "" }, now: time.Now, ctx: ctx,
		})
	}()
	s.stop = func() int {
		cancel()
		select {
		case code := <-done:
			done <- code
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
	t.Cleanup(func() { s.stop() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if out := s.stdout.String(); strings.Contains(out, "open http://") {
			s.addr = strings.Fields(strings.SplitAfter(out, "open ")[1])[0]
			return s
		}
	}
	t.Fatalf("serve printed no address: %q %q", s.stdout.String(), s.stderr.String())
	return nil
}

// TestServeStartsAndStops runs "uploadsign serve" and stops it as Ctrl-C
// does, by cancelling its context. The fake upload endpoint is served at
// the demo's own address.
func TestServeStartsAndStops(t *testing.T) {
	s := startServe(t, "--addr", "127.0.0.1:0")
	addr, stderr := s.addr, s.stderr
	resp, err := http.Get(addr + "api/info")
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Sets []struct {
			UploadURL string `json:"upload_url"`
		} `json:"sets"`
	}
	err = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %sapi/info: %d %v", addr, resp.StatusCode, err)
	}
	if want := addr + "fake/v1_1/uploadsign-demo/image/upload"; len(info.Sets) == 0 || info.Sets[0].UploadURL != want {
		t.Errorf("uploads go to %+v, want %q: the demo's own address", info.Sets, want)
	}
	// It listens on loopback: a request for another Host (a page that
	// rebinds its name to 127.0.0.1) gets 421.
	req, _ := http.NewRequest("GET", addr+"api/info", nil)
	req.Host = "evil.example"
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("GET /api/info for Host evil.example: %v %v, want 421", resp, err)
	} else {
		resp.Body.Close()
	}
	if !strings.Contains(stderr.String(), "fake Cloudinary upload endpoint served at "+strings.TrimSuffix(addr, "/")+"/fake") {
		t.Errorf("stderr does not say where the fake is: %q", stderr.String())
	}
	if code := s.stop(); code != exitOK {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "random demo secret") || !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("stderr %q", stderr.String())
	}
}

// TestServeLocalhost: at localhost, the demo listens on both 127.0.0.1
// and [::1], which a browser may try for the name, at one port, and says
// to open localhost. Where [::1] cannot be listened on, it serves on
// 127.0.0.1, says why, and says to open 127.0.0.1.
func TestServeLocalhost(t *testing.T) {
	get := func(url string) error {
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s", resp.Status)
		}
		return nil
	}
	probe, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Logf("no [::1] here (%v): checking that serve says so", err)
		s := startServe(t, "--addr", "localhost:0")
		if !strings.HasPrefix(s.addr, "http://127.0.0.1:") || !strings.Contains(s.stderr.String(), "not on [::1]") {
			t.Errorf("serve says to open %s, and %q; want 127.0.0.1 and why not [::1]", s.addr, s.stderr.String())
		}
		return
	}
	probe.Close()
	s := startServe(t, "--addr", "localhost:0")
	port := strings.TrimSuffix(strings.TrimPrefix(s.addr, "http://localhost:"), "/")
	if _, err := strconv.Atoi(port); err != nil {
		t.Fatalf("serve says to open %s, want http://localhost:PORT/", s.addr)
	}
	for _, host := range []string{"127.0.0.1", "[::1]", "localhost"} {
		if err := get("http://" + host + ":" + port + "/api/info"); err != nil {
			t.Errorf("%s:%s: %v", host, port, err)
		}
	}
	if strings.Contains(s.stderr.String(), "warning") {
		t.Errorf("stderr %q", s.stderr.String())
	}

	// [::1] at the port is another program's: a browser opening localhost
	// could reach it first.
	v4, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port = strconv.Itoa(v4.Addr().(*net.TCPAddr).Port)
	v4.Close()
	other, err := net.Listen("tcp6", "[::1]:"+port)
	if err != nil {
		t.Fatalf("[::1]:%s, free at 127.0.0.1: %v", port, err)
	}
	defer other.Close()
	s = startServe(t, "--addr", "localhost:"+port)
	if want := "http://127.0.0.1:" + port + "/"; s.addr != want || !strings.Contains(s.stderr.String(), "serving on 127.0.0.1 only, not on [::1]") {
		t.Errorf("with [::1]:%s taken, serve says to open %s and %q; want %s and why", port, s.addr, s.stderr.String(), want)
	}
	if err := get(s.addr + "api/info"); err != nil {
		t.Errorf("%s: %v", s.addr, err)
	}
}

// TestServeBusyPort: a port in use is a runtime failure, not "not
// genuine" (1) nor a usage error (2), and the message points at --addr.
func TestServeBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, stdout, stderr := runCLI(t, []string{"serve", "--addr", ln.Addr().String()}, map[string]string{}, "", time.Now())
	if code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	if stdout != "" || !strings.Contains(stderr, "cannot serve on "+ln.Addr().String()) || !strings.Contains(stderr, "--addr") {
		t.Errorf("stdout %q, stderr %q: want the address and a hint at --addr", stdout, stderr)
	}
}

// TestServeUnusableAddr: an address no listener could use is a usage
// error (2), before anything listens, where a busy port is a runtime
// failure (3, TestServeBusyPort).
func TestServeUnusableAddr(t *testing.T) {
	for _, tt := range []struct{ addr, want string }{
		{":99999", `the port "99999" is not a number from 0 to 65535`},
		{"localhost", "want HOST:PORT"},
		{"localhost:-1", `the port "-1"`},
		{"192.0.2.1:0", "cannot serve on 192.0.2.1:0"}, // TEST-NET-1: no address of this machine
	} {
		t.Run(tt.addr, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, []string{"serve", "--addr", tt.addr}, map[string]string{}, "", time.Now())
			if code != exitUsage || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, stdout, stderr, tt.want)
			}
		})
	}
}
