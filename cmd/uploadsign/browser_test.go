package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The browser test drives the demo page in headless Chromium through
// chromedriver's WebDriver protocol, which is HTTP and JSON: no client
// library is needed.
//
// It needs Debian's chromium and chromium-driver packages. Without them it
// skips, unless UPLOADSIGN_BROWSER_TEST=required (as .ci/run sets it), in
// which case it fails.

const (
	chromiumPath     = "/usr/bin/chromium"
	chromedriverPath = "/usr/bin/chromedriver"
)

func requireBrowser(t *testing.T) {
	t.Helper()
	for _, p := range []string{chromiumPath, chromedriverPath} {
		if _, err := os.Stat(p); err != nil {
			msg := fmt.Sprintf("%s not found; install Chromium with: apt-get install chromium chromium-driver", p)
			if os.Getenv("UPLOADSIGN_BROWSER_TEST") == "required" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// webDriver is a WebDriver session.
type webDriver struct {
	t       *testing.T
	base    string // http://127.0.0.1:PORT/session/ID
	timeout time.Duration
}

func startBrowser(t *testing.T) *webDriver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var log bytes.Buffer
	cmd := exec.Command(chromedriverPath, fmt.Sprintf("--port=%d", port))
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	root := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(root + "/status"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not start: %s", log.String())
		}
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": chromiumPath,
			"args": []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--no-first-run", "--user-data-dir=" + t.TempDir()},
		},
	}}}
	var session struct {
		SessionID string `json:"sessionId"`
	}
	wd := &webDriver{t: t, base: root, timeout: 30 * time.Second}
	wd.call("POST", "/session", caps, &session)
	if session.SessionID == "" {
		t.Fatalf("no WebDriver session: %s", log.String())
	}
	wd.base = root + "/session/" + session.SessionID
	t.Cleanup(func() { wd.t = t; wd.call("DELETE", "", nil, nil) })
	return wd
}

// call sends a WebDriver command and decodes its "value" into out.
func (wd *webDriver) call(method, path string, body, out any) {
	wd.t.Helper()
	var r *bytes.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = bytes.NewReader(data)
	} else {
		r = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, wd.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: wd.timeout}).Do(req)
	if err != nil {
		wd.t.Fatalf("WebDriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var envelope struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&envelope); err != nil {
		wd.t.Fatalf("WebDriver %s %s: %v", method, path, err)
	}
	if resp.StatusCode != 200 {
		wd.t.Fatalf("WebDriver %s %s: %d %s", method, path, resp.StatusCode, envelope.Value)
	}
	if out != nil {
		if err := json.Unmarshal(envelope.Value, out); err != nil {
			wd.t.Fatalf("WebDriver %s %s: %v", method, path, err)
		}
	}
}

func (wd *webDriver) open(url string) { wd.call("POST", "/url", map[string]string{"url": url}, nil) }

// run executes a script in the page and decodes what it returns.
func (wd *webDriver) run(script string, out any) {
	wd.call("POST", "/execute/sync", map[string]any{"script": script, "args": []any{}}, out)
}

// chooseFile types a file path into the file input, as a user picking a
// file does.
func (wd *webDriver) chooseFile(css, path string) {
	var el map[string]string
	wd.call("POST", "/element", map[string]string{"using": "css selector", "value": css}, &el)
	for _, id := range el {
		wd.call("POST", "/element/"+id+"/value", map[string]string{"text": path}, nil)
		return
	}
	wd.t.Fatalf("no element %s", css)
}

// waitFor polls a script until it returns true.
func (wd *webDriver) waitFor(what, script string) {
	wd.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var ok bool
		wd.run(script, &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var status string
			wd.run(`return document.getElementById("status").textContent`, &status)
			wd.t.Fatalf("timed out waiting for %s; the page says %q", what, status)
		}
	}
}

func TestBrowserUpload(t *testing.T) {
	requireBrowser(t)
	d, srv := startDemo(t)
	file := filepath.Join(t.TempDir(), "avatar.png")
	img := testPNG(t)
	if err := os.WriteFile(file, img, 0o644); err != nil {
		t.Fatal(err)
	}
	wd := startBrowser(t)

	t.Run("upload and verify", func(t *testing.T) {
		wd.t = t
		wd.open(srv.URL + "/")
		wd.waitFor("the mode note", `return document.getElementById("mode").textContent.includes("random demo secret")`)
		wd.chooseFile("#file", file)
		wd.waitFor("the verified state", `return ["verified", "error"].includes(document.getElementById("status").dataset.state)`)
		var page struct {
			State, Status, Payload, Answer, Src string
			Width                               int
		}
		wd.waitFor("the image", `const i = document.getElementById("preview"); return i.complete && i.naturalWidth > 0`)
		wd.run(`const $ = (id) => document.getElementById(id);
			return {State: $("status").dataset.state, Status: $("status").textContent,
				Payload: $("payload").textContent, Answer: $("answer").textContent,
				Src: $("preview").src, Width: $("preview").naturalWidth}`, &page)
		if page.State != "verified" || !strings.Contains(page.Status, "Verified by the backend") {
			t.Fatalf("page state %q: %s", page.State, page.Status)
		}
		uploads := d.fake.Uploads()
		issued := d.issued()
		if len(uploads) != 1 || len(issued) != 1 {
			t.Fatalf("%d uploads for %d payloads, want 1 and 1", len(uploads), len(issued))
		}
		if diff := cmp.Diff(issued[0].Fields, uploads[0].Fields); diff != "" {
			t.Errorf("posted fields differ from the payload (-payload +posted):\n%s", diff)
		}
		var shown struct{ Fields map[string]string }
		if err := json.Unmarshal([]byte(page.Payload), &shown); err != nil || !cmp.Equal(shown.Fields, issued[0].Fields) {
			t.Errorf("the page shows payload %s (%v)", page.Payload, err)
		}
		if !bytes.Equal(uploads[0].File, img) || uploads[0].Filename != "avatar.png" {
			t.Errorf("uploaded %d bytes named %q", len(uploads[0].File), uploads[0].Filename)
		}
		if page.Src != uploads[0].Response["secure_url"] || page.Width != 48 {
			t.Errorf("the page shows %q (%d px wide), want %v", page.Src, page.Width, uploads[0].Response["secure_url"])
		}
	})

	t.Run("forged report", func(t *testing.T) {
		wd.t = t
		wd.open(srv.URL + "/")
		// The page reports another public_id back: the backend refuses it,
		// and the page shows no image, not even the uploaded one.
		wd.run(`const send = window.fetch;
			window.fetch = (url, init) => {
				if (url === "/api/uploaded") {
					const body = JSON.parse(init.body);
					body.public_id = "uploadsign-demo/someone_else";
					init = { ...init, body: JSON.stringify(body) };
				}
				return send(url, init);
			};
			return true`, nil)
		wd.chooseFile("#file", file)
		wd.waitFor("the error state", `return ["verified", "error"].includes(document.getElementById("status").dataset.state)`)
		var page struct{ State, Status, Src string }
		wd.run(`const $ = (id) => document.getElementById(id);
			return {State: $("status").dataset.state, Status: $("status").textContent, Src: $("preview").getAttribute("src") || ""}`, &page)
		if page.State != "error" || !strings.Contains(page.Status, "invalid signature") || page.Src != "" {
			t.Errorf("page %+v, want an error and no image", page)
		}
	})

	t.Run("tampered field", func(t *testing.T) {
		wd.t = t
		wd.open(srv.URL + "/")
		// Change the signed folder as the form is built, as a hand-typed
		// or outdated frontend would.
		wd.run(`const append = FormData.prototype.append;
			FormData.prototype.append = function (name, value, ...rest) {
				return append.call(this, name, name === "folder" ? "someone_else" : value, ...rest);
			};
			return true`, nil)
		wd.chooseFile("#file", file)
		wd.waitFor("the error state", `return ["verified", "error"].includes(document.getElementById("status").dataset.state)`)
		var state, status string
		wd.run(`return document.getElementById("status").dataset.state`, &state)
		wd.run(`return document.getElementById("status").textContent`, &status)
		if state != "error" || !strings.Contains(status, "Invalid Signature") {
			t.Errorf("page state %q: %q, want Cloudinary's Invalid Signature error", state, status)
		}
		wd.waitFor("the causes", `return document.getElementById("causes").children.length > 0`)
		var causes string
		wd.run(`return document.getElementById("causes").textContent`, &causes)
		if !strings.Contains(causes, "folder differs") {
			t.Errorf("the page explains %q, want the folder named", causes)
		}
		uploads := d.fake.Uploads()
		if last := uploads[len(uploads)-1]; last.Status != 401 || last.Fields["folder"] != "someone_else" {
			t.Errorf("last upload %d %v, want a refused tampered folder", last.Status, last.Fields)
		}
	})
}
