package browsertest

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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
	CLI, Message, Why, Report, Altered             string  // "" when hidden
	WhyTop, MessageTop                             float64 // where the causes and Cloudinary's message start
	StatusBackground                               string  // the status line's computed background color
	Src, VideoSrc                                  string  // the preview's src attributes, "" without
	ImageShown, VideoShown, PlaceholderShown       bool
	NaturalWidth                                   int
	Progress                                       float64
	ProgressState                                  string
	ScrollWidth, ClientWidth                       int // of the whole page
	SetLimits, WebhookNote, WebhookLog             string
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
			CLI: shown($("cli")) ? $("cli").textContent : "", Message: shown($("message")) ? $("message").textContent : "",
			Why: shown($("why")) ? $("why").innerText : "", Report: shown($("report-section")) ? $("report").textContent : "",
			Altered: shown($("report-section")) ? $("altered").textContent : "",
			WhyTop: $("why").getBoundingClientRect().top, MessageTop: $("message").getBoundingClientRect().top,
			Placeholder: $("placeholder").textContent.trim(), Body: document.body ? document.body.innerText : "",
			StatusBackground: getComputedStyle($("status")).backgroundColor,
			Src: $("preview").getAttribute("src") || "", VideoSrc: $("preview-video").getAttribute("src") || "",
			ImageShown: shown($("preview")), VideoShown: shown($("preview-video")), PlaceholderShown: shown($("placeholder")),
			NaturalWidth: $("preview").naturalWidth || 0,
			Progress: Number($("progress").value) || 0, ProgressState: $("progress").dataset.state || "",
			ScrollWidth: document.documentElement.scrollWidth, ClientWidth: document.documentElement.clientWidth,
			SetLimits: $("set-limits").textContent, WebhookNote: $("webhook-note").textContent, WebhookLog: $("webhook-log").innerText,
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

// mp4Clip is an n-byte MP4 file of 320×240 pixels and ten seconds, as the
// fake reads them from its moov box (mvhd, and a track's tkhd): the
// demo's webhook destroys a video whose duration Cloudinary does not give.
// No browser can play it.
func mp4Clip(n int) []byte {
	box := func(typ string, body ...[]byte) []byte {
		b := bytes.Join(body, nil)
		return append(binary.BigEndian.AppendUint32(nil, uint32(8+len(b))), append([]byte(typ), b...)...)
	}
	mvhd := make([]byte, 100) // version 0: timescale at 12, duration at 16
	binary.BigEndian.PutUint32(mvhd[12:], 1000)
	binary.BigEndian.PutUint32(mvhd[16:], 10_000)
	tkhd := make([]byte, 84) // version 0: width and height, 16.16, at 76 and 80
	binary.BigEndian.PutUint32(tkhd[76:], 320<<16)
	binary.BigEndian.PutUint32(tkhd[80:], 240<<16)
	head := append(box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41")), box("moov", box("mvhd", mvhd), box("trak", box("tkhd", tkhd)))...)
	return append(head, box("mdat", testBytes(n-len(head)-8))...)
}
