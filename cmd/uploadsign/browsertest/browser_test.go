package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign/cmd/uploadsign/internal/demo"
)

// The browser test drives the demo page in headless Chromium with
// chromedp, which speaks the DevTools protocol to Chromium directly.
//
// It looks for Chromium on PATH under the names below, as chromedp does.
// Without one it skips, unless UPLOADSIGN_BROWSER_TEST=required (as
// .ci/run sets it), in which case it fails.
//
// The browser reaches a demo as http://localhost:PORT, as on the machine
// it runs on. An exposed demo (demo.Config.Exposed, as with --addr
// 0.0.0.0:8080) it reaches as http://uploadsign-demo.test:PORT, a name
// that Chromium resolves to 127.0.0.1 while the demo listens on
// 127.0.0.1: the page is served under another host than the one it
// listens on, as behind a forwarded port, and is no secure context, as on
// a remote machine over plain http. The same name, for a demo that is not
// exposed, is what a page that rebinds its own name to 127.0.0.1 sends.

var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell", "headless_shell", "chrome"}

const demoHost = "uploadsign-demo.test"

// findChromium returns the path of the first browser found, or skips (or
// fails, when required) saying what it looked for.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range browserNames {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := fmt.Sprintf("no Chromium on PATH (looked for %s): install it (Debian: apt-get install chromium) to run the browser test",
		strings.Join(browserNames, ", "))
	if os.Getenv("UPLOADSIGN_BROWSER_TEST") == "required" {
		t.Fatal(msg + " (UPLOADSIGN_BROWSER_TEST=required: failing instead of skipping)")
	}
	t.Skip("skipping the browser test: " + msg + " (UPLOADSIGN_BROWSER_TEST=required fails instead)")
	return ""
}

// startBrowser starts headless Chromium with a fresh profile, with flags
// that work as root in a container, and returns a context for its tabs.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // Chromium refuses to run as root with its sandbox
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("host-resolver-rules", "MAP "+demoHost+" 127.0.0.1"),
		chromedp.WindowSize(800, 600),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// page is one tab showing one demo.
type page struct {
	t    *testing.T
	ctx  context.Context
	demo *demo.Demo
	srv  *httptest.Server
	url  string // the page's address, under demoHost
}

// openDemo serves a demo for cfg with its own server (demo.Server) and
// opens it in a new tab: at localhost, or at demoHost when it is exposed.
func openDemo(t *testing.T, browser context.Context, cfg demo.Config) *page {
	t.Helper()
	host := "localhost"
	if cfg.Exposed {
		host = demoHost
	}
	p := openAt(t, browser, cfg, host)
	p.waitFor("the mode note", `document.getElementById("mode").textContent.includes("fake Cloudinary upload endpoint")`)
	return p
}

// openAt serves a demo for cfg and opens it in a new tab at host.
func openAt(t *testing.T, browser context.Context, cfg demo.Config, host string) *page {
	t.Helper()
	d, err := demo.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = d.Server()
	srv.Start()
	t.Cleanup(func() { srv.Close(); d.Close() })
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	tab, closeTab := chromedp.NewContext(browser)
	ctx, cancel := context.WithTimeout(tab, 5*time.Minute)
	t.Cleanup(func() { cancel(); closeTab() })
	p := &page{t: t, ctx: ctx, demo: d, srv: srv, url: "http://" + host + ":" + u.Port() + "/"}
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url)); err != nil {
		t.Fatalf("opening %s: %v", p.url, err)
	}
	return p
}

// run executes a script in the page.
func (p *page) run(script string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[any](script)); err != nil {
		p.t.Fatalf("running a script: %v", err)
	}
}

// waitFor waits until the expression is true in the page.
func (p *page) waitFor(what, expr string) {
	p.t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(time.Minute)))
	if err != nil {
		p.t.Fatalf("waiting for %s: %v; the page says %q", what, err, p.state().Status)
	}
}

// waitDone waits until the page ends an upload, verified or in error.
func (p *page) waitDone() pageState {
	p.t.Helper()
	p.waitFor("the end of the upload", `["verified", "error"].includes(document.getElementById("status").dataset.state)`)
	return p.state()
}

// choose picks a file in the file input, as a user does.
func (p *page) choose(path string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path})); err != nil {
		p.t.Fatalf("choosing %s: %v", path, err)
	}
}

// pageState is what the page shows.
type pageState struct {
	State, Status, Payload, Answer, Causes, Limits string
	Mode, Note, Placeholder, Body                  string
	StatusBackground                               string // the status line's computed background color
	Src, VideoSrc                                  string // the preview's src attributes, "" without
	ImageShown, VideoShown, PlaceholderShown       bool
	NaturalWidth                                   int
	Progress                                       float64
	ProgressState                                  string
	ScrollWidth, ClientWidth                       int // of the whole page
}

func (p *page) state() pageState {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[pageState](`(() => {
		const $ = (id) => document.getElementById(id) || document.createElement("div"); // "" for what a page lacks
		const shown = (el) => el.isConnected && getComputedStyle(el).display !== "none";
		return {
			State: $("status").dataset.state || "", Status: $("status").textContent,
			Payload: $("payload").textContent, Answer: $("answer").textContent,
			Causes: $("causes").textContent, Limits: $("limits").textContent,
			Mode: $("mode").textContent, Note: shown($("note")) ? $("note").textContent : "",
			Placeholder: $("placeholder").textContent.trim(), Body: document.body ? document.body.innerText : "",
			StatusBackground: getComputedStyle($("status")).backgroundColor,
			Src: $("preview").getAttribute("src") || "", VideoSrc: $("preview-video").getAttribute("src") || "",
			ImageShown: shown($("preview")), VideoShown: shown($("preview-video")), PlaceholderShown: shown($("placeholder")),
			NaturalWidth: $("preview").naturalWidth || 0,
			Progress: Number($("progress").value) || 0, ProgressState: $("progress").dataset.state || "",
			ScrollWidth: document.documentElement.scrollWidth, ClientWidth: document.documentElement.clientWidth,
		};
	})()`))
	if err != nil {
		p.t.Fatalf("reading the page: %v", err)
	}
	return s
}

// writeFile writes data to a file named name in a temporary directory.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// testPNG returns a PNG of w×h pixels; noisy ones do not compress, so
// their size is about 4·w·h bytes.
func testPNG(t *testing.T, w, h int, noisy bool) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	x64 := uint64(1)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{uint8(5 * x), 90, uint8(7 * y), 255}
			if noisy {
				x64 = x64*6364136223846793005 + 1442695040888963407
				c = color.NRGBA{uint8(x64 >> 56), uint8(x64 >> 48), uint8(x64 >> 40), 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testBytes returns n bytes that do not repeat, the same in every run.
func testBytes(n int) []byte {
	b := make([]byte, n)
	x := uint64(7)
	for i := range b {
		x = x*6364136223846793005 + 1442695040888963407
		b[i] = byte(x >> 56)
	}
	return b
}

func TestBrowser(t *testing.T) {
	browser := startBrowser(t)
	avatar := testPNG(t, 48, 32, false)
	avatarFile := writeFile(t, "avatar.png", avatar)

	t.Run("upload and verify", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		before := p.state()
		// An empty avatar is a placeholder, not an image's clipped alt text.
		if before.ImageShown || !before.PlaceholderShown || before.Src != "" {
			t.Errorf("before any upload: image shown %v, placeholder shown %v", before.ImageShown, before.PlaceholderShown)
		}
		for _, limit := range []string{"104,857,600 bytes", "20,000,000 bytes", "5,242,880 bytes"} {
			if !strings.Contains(before.Limits, limit) {
				t.Errorf("the page's limits %q do not say %s", before.Limits, limit)
			}
		}
		p.choose(avatarFile)
		p.waitDone()
		p.waitFor("the image", `(() => { const i = document.getElementById("preview"); return i.complete && i.naturalWidth > 0 })()`)
		page := p.state()
		if page.State != "verified" || !strings.Contains(page.Status, "Verified by the backend") {
			t.Fatalf("page state %q: %s", page.State, page.Status)
		}
		// Cloudinary's asset version is not the set's version.
		if !strings.Contains(page.Status, "asset version ") || !strings.Contains(page.Status, "set avatar, set version 1") || strings.Contains(page.Status, "(version ") {
			t.Errorf("the page says %q, want the asset version and the set version told apart", page.Status)
		}
		if page.Note != "" {
			t.Errorf("the page notes %q after an untouched upload", page.Note)
		}
		uploads, issued := p.demo.Fake().Uploads(), p.demo.Issued()
		if len(uploads) != 1 || len(issued) != 1 {
			t.Fatalf("%d uploads for %d payloads, want 1 and 1", len(uploads), len(issued))
		}
		if diff := cmp.Diff(issued[0].Fields, uploads[0].Fields); diff != "" {
			t.Errorf("posted fields differ from the payload (-payload +posted):\n%s", diff)
		}
		// The payload's URL is under the address the browser used.
		if want := strings.TrimSuffix(p.url, "/") + "/fake/v1_1/uploadsign-demo/image/upload"; issued[0].URL != want {
			t.Errorf("payload URL %q, want %q", issued[0].URL, want)
		}
		var shown struct{ Fields map[string]string }
		if err := json.Unmarshal([]byte(page.Payload), &shown); err != nil || !cmp.Equal(shown.Fields, issued[0].Fields) {
			t.Errorf("the page shows payload %s (%v)", page.Payload, err)
		}
		if !bytes.Equal(uploads[0].File, avatar) || uploads[0].Filename != "avatar.png" || uploads[0].Chunks != 0 {
			t.Errorf("uploaded %d bytes named %q in %d chunks, want the PNG in one request", len(uploads[0].File), uploads[0].Filename, uploads[0].Chunks)
		}
		if page.Src != uploads[0].Response["secure_url"] || page.NaturalWidth != 48 || !page.ImageShown || page.PlaceholderShown {
			t.Errorf("the page shows %q (%d px wide, shown %v), want %v", page.Src, page.NaturalWidth, page.ImageShown, uploads[0].Response["secure_url"])
		}
		if page.Progress != 100 {
			t.Errorf("progress %v after a verified upload, want 100", page.Progress)
		}
	})

	t.Run("same file twice", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		p.choose(avatarFile)
		first := p.waitDone()
		if first.State != "verified" {
			t.Fatalf("first upload: %q", first.Status)
		}
		p.choose(avatarFile)
		p.waitFor("a second verified upload", fmt.Sprintf(`(() => { const s = document.getElementById("status");
			return s.dataset.state === "verified" && s.textContent !== %q })()`, first.Status))
		if uploads, issued := p.demo.Fake().Uploads(), p.demo.Issued(); len(uploads) != 2 || len(issued) != 2 {
			t.Errorf("%d uploads for %d payloads, want 2 and 2", len(uploads), len(issued))
		}
	})

	t.Run("image in chunks", func(t *testing.T) {
		const chunk = 64 << 10
		p := openDemo(t, browser, demo.Config{ChunkBytes: chunk, MinChunkBytes: chunk, Exposed: true})
		if limits := p.state().Limits; !strings.Contains(limits, "65,536 bytes") {
			t.Errorf("the page's limits %q do not give the chunk size", limits)
		}
		big := testPNG(t, 256, 256, true) // about 200,000 bytes: four chunks
		p.choose(writeFile(t, "big.png", big))
		p.waitDone()
		p.waitFor("the image", `(() => { const i = document.getElementById("preview"); return i.complete && i.naturalWidth > 0 })()`)
		page := p.state()
		uploads, issued := p.demo.Fake().Uploads(), p.demo.Issued()
		if page.State != "verified" || len(uploads) != 1 || len(issued) != 1 {
			t.Fatalf("page %q; %d uploads for %d payloads, want one verified upload", page.Status, len(uploads), len(issued))
		}
		up := uploads[0]
		if wantChunks := (len(big) + chunk - 1) / chunk; up.Chunks != wantChunks || up.UploadID == "" || !bytes.Equal(up.File, big) {
			t.Errorf("the fake assembled %d bytes from %d chunks (upload id %q), want the PNG's %d bytes from %d chunks",
				up.Size, up.Chunks, up.UploadID, len(big), wantChunks)
		}
		if diff := cmp.Diff(issued[0].Fields, up.Fields); diff != "" {
			t.Errorf("the last chunk's fields differ from the payload (-payload +posted):\n%s", diff)
		}
		if page.Src != up.Response["secure_url"] || page.NaturalWidth != 256 || page.Progress != 100 {
			t.Errorf("the page shows %q (%d px wide), progress %v; want %v, 256 px, 100", page.Src, page.NaturalWidth, page.Progress, up.Response["secure_url"])
		}
	})

	t.Run("video in chunks", func(t *testing.T) {
		const chunk = 64 << 10
		p := openDemo(t, browser, demo.Config{ChunkBytes: chunk, MinChunkBytes: chunk, Exposed: true})
		if mode := p.state().Mode; strings.Contains(mode, "random demo secret") {
			t.Errorf("the mode note shows the secret at %s: %q", demoHost, mode)
		}
		clip := testBytes(2*chunk + 5000)
		p.choose(writeFile(t, "clip.mp4", clip))
		page := p.waitDone()
		uploads, issued := p.demo.Fake().Uploads(), p.demo.Issued()
		if page.State != "verified" || len(uploads) != 1 || len(issued) != 1 {
			t.Fatalf("page %q; %d uploads for %d payloads, want one verified upload", page.Status, len(uploads), len(issued))
		}
		up := uploads[0]
		if issued[0].ParamSet != "video" || up.ResourceType != "video" || up.Chunks != 3 || !bytes.Equal(up.File, clip) {
			t.Errorf("set %q, resource type %q, %d chunks, %d bytes; want the video set, 3 chunks and the clip's %d bytes",
				issued[0].ParamSet, up.ResourceType, up.Chunks, up.Size, len(clip))
		}
		if page.VideoSrc != up.Response["secure_url"] || !page.VideoShown || page.ImageShown {
			t.Errorf("the page shows video %q (shown %v), want %v", page.VideoSrc, page.VideoShown, up.Response["secure_url"])
		}
		// The mode note shows where the set in use uploads.
		if !strings.Contains(page.Mode, issued[0].URL) || !strings.Contains(page.Mode, "/video/upload") || strings.Contains(page.Mode, "/image/upload") {
			t.Errorf("the mode note says %q, want the video set's URL %s", page.Mode, issued[0].URL)
		}
	})

	t.Run("a slow upload replaced by a newer one", func(t *testing.T) {
		// The fake holds the first upload until the browser aborts it;
		// meanwhile a second file is chosen and uploaded.
		arrived, aborted, release := make(chan struct{}), make(chan struct{}), make(chan struct{})
		var posts atomic.Int32
		p := openDemo(t, browser, demo.Config{FakeMiddleware: func(fake http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || posts.Add(1) != 1 {
					fake.ServeHTTP(w, r)
					return
				}
				// Read the whole request, so that the server notices when
				// the browser closes the connection.
				io.Copy(io.Discard, r.Body)
				close(arrived)
				select {
				case <-r.Context().Done():
					close(aborted)
				case <-release: // the test ended first
				}
			})
		}})
		t.Cleanup(func() { close(release) })
		p.choose(writeFile(t, "first.png", testPNG(t, 64, 64, false)))
		select {
		case <-arrived:
		case <-time.After(time.Minute):
			t.Fatalf("the first upload never reached the fake; the page says %q", p.state().Status)
		}
		p.choose(writeFile(t, "second.png", testPNG(t, 40, 20, false)))
		select {
		case <-aborted:
		case <-time.After(time.Minute):
			t.Fatalf("the page did not abort the first upload; it says %q", p.state().Status)
		}
		p.waitDone()
		p.waitFor("the image", `(() => { const i = document.getElementById("preview"); return i.complete && i.naturalWidth > 0 })()`)
		page := p.state()
		uploads, issued := p.demo.Fake().Uploads(), p.demo.Issued()
		if len(uploads) != 1 || len(issued) != 2 || uploads[0].Filename != "second.png" {
			t.Fatalf("%d uploads for %d payloads, want the second file's only", len(uploads), len(issued))
		}
		if page.State != "verified" || !strings.Contains(page.Status, issued[1].Fields["public_id"]) ||
			page.Src != uploads[0].Response["secure_url"] || page.NaturalWidth != 40 {
			t.Errorf("the page ends on %q showing %q (%d px wide), want the second upload", page.Status, page.Src, page.NaturalWidth)
		}
	})

	// changeReport makes the page report Cloudinary's answer back with
	// change applied to it, as a tampering browser would.
	changeReport := func(p *page, change string) {
		p.run(`{
			const send = window.fetch;
			window.fetch = (url, init) => {
				if (url === "/api/uploaded") {
					const body = JSON.parse(init.body);
					((result) => { ` + change + ` })(body.result);
					init = { ...init, body: JSON.stringify(body) };
				}
				return send(url, init);
			};
		} true`)
	}

	t.Run("forged report", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		// The page reports another public_id back: the backend refuses it,
		// and the page shows no image, not even the uploaded one.
		changeReport(p, `result.public_id = "uploadsign-demo/someone_else";`)
		p.choose(avatarFile)
		page := p.waitDone()
		if page.State != "error" || page.Src != "" || page.ImageShown || !page.PlaceholderShown {
			t.Errorf("page %+v, want an error and no image", page)
		}
		// The backend refused the report, not Cloudinary the upload: not
		// to be taken for Cloudinary's Invalid Signature.
		if !strings.Contains(page.Status, "Cloudinary accepted the upload, but the backend refused Cloudinary's answer as the browser reported it") ||
			!strings.Contains(page.Status, "the answer was changed after Cloudinary gave it") || strings.Contains(strings.ToLower(page.Status), "invalid signature") {
			t.Errorf("the page says %q, want the backend's refusal of the report, and why", page.Status)
		}
		if uploads := p.demo.Fake().Uploads(); len(uploads) != 1 || uploads[0].Status != 200 {
			t.Errorf("uploads %+v, want the one accepted upload", uploads)
		}
	})

	t.Run("replaced secure_url", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		changeReport(p, `result.secure_url = "https://evil.example/not-your-avatar.png";`)
		p.choose(avatarFile)
		p.waitDone()
		p.waitFor("the image", `(() => { const i = document.getElementById("preview"); return i.complete && i.naturalWidth > 0 })()`)
		page := p.state()
		uploads := p.demo.Fake().Uploads()
		if page.State != "verified" || len(uploads) != 1 || page.Src != uploads[0].Response["secure_url"] {
			t.Fatalf("page %q showing %q, want the verified upload from the URL the backend built", page.Status, page.Src)
		}
		if !strings.Contains(page.Note, "https://evil.example/not-your-avatar.png") || !strings.Contains(page.Note, "ignored") {
			t.Errorf("the page notes %q, want the replaced secure_url shown as ignored", page.Note)
		}
	})

	t.Run("a file no set takes", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		p.choose(writeFile(t, "notes.bin", testBytes(3<<20)))
		page := p.waitDone()
		if page.State != "error" || !strings.Contains(page.Status, "Not sent") ||
			!strings.Contains(page.Status, "jpg, png, gif or webp files with set avatar") || !strings.Contains(page.Status, "mp4, mov or webm files with set video") {
			t.Errorf("the page says %q (%q), want a refusal naming the formats of each set", page.Status, page.State)
		}
		if issued, uploads := p.demo.Issued(), p.demo.Fake().Uploads(); len(issued) != 0 || len(uploads) != 0 {
			t.Errorf("%d payloads signed and %d uploads for a file no set takes, want none", len(issued), len(uploads))
		}
		if page.Placeholder != "Not sent" || page.ProgressState != "error" {
			t.Errorf("the frame says %q, the bar is %q; want Not sent, in the error state", page.Placeholder, page.ProgressState)
		}
	})

	t.Run("signature left out", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		p.run(`{
			const append = FormData.prototype.append;
			FormData.prototype.append = function (name, ...rest) {
				if (name !== "signature") return append.call(this, name, ...rest);
			};
		} true`)
		p.choose(avatarFile)
		page := p.waitDone()
		if page.State != "error" || !strings.Contains(page.Status, "refused the upload") || !strings.Contains(page.Status, "Upload preset must be specified") {
			t.Errorf("the page says %q, want the upload endpoint's refusal", page.Status)
		}
		p.waitFor("the causes", `document.getElementById("causes").children.length > 0`)
		if causes := p.state().Causes; !strings.Contains(causes, "signature was signed but not posted") {
			t.Errorf("the page explains %q, want the missing signature named", causes)
		}
	})

	t.Run("another site's name", func(t *testing.T) {
		// A page of another site that rebinds its name to 127.0.0.1 reads
		// nothing of a demo listening on loopback: not the page, not the
		// secret.
		p := openAt(t, browser, demo.Config{}, demoHost)
		p.waitFor("the answer", `document.body && document.body.innerText.length > 0`)
		page := p.state()
		if !strings.Contains(page.Body, "answers requests for localhost") || strings.Contains(page.Body, p.demo.FakeSecret()) || page.Mode != "" {
			t.Errorf("the page at %s shows %q, want the refusal only", demoHost, page.Body)
		}
		answer, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`fetch("/api/info").then((r) => r.status + " " + r.statusText)`, chromedp.EvalAwaitPromise))
		if err != nil || answer != "421 Misdirected Request" {
			t.Errorf("/api/info at %s: %q %v, want 421", demoHost, answer, err)
		}
	})

	t.Run("tampered field", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		// Change the signed folder as the form is built, as a hand-typed
		// or outdated frontend would.
		p.run(`{
			const append = FormData.prototype.append;
			FormData.prototype.append = function (name, value, ...rest) {
				return append.call(this, name, name === "folder" ? "someone_else" : value, ...rest);
			};
		} true`)
		p.choose(avatarFile)
		page := p.waitDone()
		if page.State != "error" || !strings.Contains(page.Status, "refused the upload") || !strings.Contains(page.Status, "Invalid Signature") {
			t.Errorf("page state %q: %q, want Cloudinary's Invalid Signature error", page.State, page.Status)
		}
		if page.Progress != 0 || page.ProgressState != "error" {
			t.Errorf("progress %v (%q) after a refused upload, want 0 and the error state", page.Progress, page.ProgressState)
		}
		// The error shows, where an empty bar alone looks idle.
		if idle := "rgba(0, 0, 0, 0)"; page.StatusBackground == idle || page.Placeholder != "Not uploaded" {
			t.Errorf("after a refused upload the status background is %s and the frame says %q, want a visible error", page.StatusBackground, page.Placeholder)
		}
		p.waitFor("the causes", `document.getElementById("causes").children.length > 0`)
		page = p.state()
		if !strings.Contains(page.Causes, "folder differs") {
			t.Errorf("the page explains %q, want the folder named", page.Causes)
		}
		// Cloudinary's message quotes a long string to sign without
		// spaces; it wraps instead of widening the page.
		if page.ScrollWidth > page.ClientWidth {
			t.Errorf("the page is %d px wide in a %d px window", page.ScrollWidth, page.ClientWidth)
		}
		uploads := p.demo.Fake().Uploads()
		if len(uploads) != 1 || uploads[0].Status != 401 || uploads[0].Fields["folder"] != "someone_else" {
			t.Errorf("uploads %+v, want one refused tampered folder", uploads)
		}
	})

	t.Run("backend unreachable", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		p.srv.Close() // as when "uploadsign serve" has stopped
		p.choose(avatarFile)
		page := p.waitDone()
		if page.State != "error" || !strings.Contains(page.Status, "Could not reach the demo backend") || !strings.Contains(page.Status, "uploadsign serve") {
			t.Errorf("page %q: %q, want it to say what failed and what to check", page.State, page.Status)
		}
	})
}
