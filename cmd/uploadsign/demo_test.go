package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
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

// TestServeStartsAndStops runs "uploadsign serve" and stops it as Ctrl-C
// does, by cancelling its context. The fake upload endpoint is served at
// the demo's own address.
func TestServeStartsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run([]string{"serve", "--addr", "127.0.0.1:0"}, env{
			stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now, ctx: ctx,
		})
	}()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if out := stdout.String(); strings.Contains(out, "open http://") {
			addr = strings.Fields(strings.SplitAfter(out, "open ")[1])[0]
			break
		}
	}
	if addr == "" {
		t.Fatalf("serve printed no address: %q %q", stdout.String(), stderr.String())
	}
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
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d, stderr %q", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "random demo secret") || !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("stderr %q", stderr.String())
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
