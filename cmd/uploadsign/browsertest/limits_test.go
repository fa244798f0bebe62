package browsertest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/uploadsign/uploadsign/cmd/uploadsign/internal/demo"
)

// The demo's avatar limits, as the page should word them (not read from
// the demo).
const avatarMaxBytes = 2 << 20

// TestBrowserLimits: the page refuses a file over its payload's limits
// before sending a byte of it, saying the limit in words; a file over
// them sent by a script past the page is stored by the fake, destroyed by
// the demo's webhook when its notification arrives, and the page says so;
// a payload used after the set's 10 minutes is refused by the fake in
// Cloudinary's words, and the page says it expired.
func TestBrowserLimits(t *testing.T) {
	browser := startBrowser(t)

	// notSent checks that the page refused the file before sending it: a
	// payload was signed (the limits come with it), and nothing reached
	// the fake.
	notSent := func(t *testing.T, p *page, words ...string) {
		t.Helper()
		page := p.waitDone()
		if page.State != "error" || !strings.HasPrefix(page.Status, "Not sent:") || page.Placeholder != "Not sent" {
			t.Errorf("the page says %q (%q), frame %q; want Not sent", page.Status, page.State, page.Placeholder)
		}
		for _, w := range words {
			if !strings.Contains(page.Status, w) {
				t.Errorf("the page says %q, want %q", page.Status, w)
			}
		}
		if issued, uploads := p.demo.Issued(), p.demo.Fake().Uploads(); len(issued) != 1 || len(uploads) != 0 {
			t.Errorf("%d payloads and %d uploads, want one payload and no upload", len(issued), len(uploads))
		}
	}

	t.Run("the limits, and a file over the size limit", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		p.waitFor("the limits", `document.getElementById("set-limits").textContent !== ""`)
		page := p.state()
		for _, w := range []string{"Set avatar takes files of at most 2 MB and at most 2000 × 2000 pixels, and its payloads are accepted for 10 minutes",
			"Set video takes files of at most 50 MB and at most 1 minute, and its payloads are accepted for 1 hour"} {
			if !strings.Contains(page.SetLimits, w) {
				t.Errorf("the page says %q, want %q", page.SetLimits, w)
			}
		}
		if !strings.Contains(page.WebhookNote, "/api/webhook") || !strings.Contains(page.WebhookNote, "destroys an upload over its set's limits") {
			t.Errorf("the webhook note says %q", page.WebhookNote)
		}
		p.choose(writeFile(t, "big.png", append(testPNG(t, 8, 8, false), make([]byte, avatarMaxBytes)...)))
		notSent(t, p, "big.png is 2 MB (2,097,", "set avatar takes files of at most 2 MB")
	})

	t.Run("an image over the dimension limit", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		p.choose(writeFile(t, "wide.png", testPNG(t, 2001, 10, false)))
		notSent(t, p, "wide.png is 2001 × 10 pixels", "set avatar takes files of at most 2000 × 2000 pixels")
	})

	t.Run("a video over the duration limit", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		// The browser reads a video's duration from its metadata, which
		// takes a video it can decode; the test has none, so the page's
		// reading answers 61 seconds.
		p.run(`window.measure = async () => ({ width: 640, height: 360, duration: 61 }); true`)
		p.choose(writeFile(t, "long.mp4", append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41"), testBytes(1000)...)))
		notSent(t, p, "long.mp4 is 1 minute 1 second", "set video takes files of at most 1 minute")
	})

	t.Run("an oversized upload sent by script", func(t *testing.T) {
		p := openDemo(t, browser, demo.Config{})
		// As a script does, past the page: the payload's fields and a file
		// one byte over the limit, posted with fetch.
		small := testPNG(t, 8, 8, false)
		publicID, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
			const res = await fetch("/api/signature", { method: "POST", headers: { "Content-Type": "application/json" },
				body: JSON.stringify({ param_set: "avatar", version: 1 }) });
			const payload = await res.json();
			const form = new FormData();
			for (const [name, value] of Object.entries(payload.fields)) form.append(name, value);
			const png = Uint8Array.from(atob(%q), (c) => c.charCodeAt(0));
			form.append("file", new Blob([png, new Uint8Array(%d - png.length)], { type: "image/png" }), "big.png");
			const answer = await (await fetch(payload.url, { method: "POST", body: form })).json();
			return answer.public_id;
		})()`, base64.StdEncoding.EncodeToString(small), avatarMaxBytes+1), chromedp.EvalAwaitPromise))
		if err != nil || publicID == "" {
			t.Fatalf("the script's upload: %q %v", publicID, err)
		}
		item := fmt.Sprintf(`document.querySelector('#webhook-log li[data-type="upload"][data-public-id=%q]')`, publicID)
		p.waitFor("the webhook's destroy", item+`?.dataset.outcome === "destroyed"`)
		text, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](item+`.textContent`))
		if err != nil || !strings.Contains(text, publicID+": destroyed: over the 2 MB limit of set avatar (Cloudinary says 2 MB (2,097,153 bytes))") {
			t.Errorf("the page says %q (%v), want it destroyed over the 2 MB limit", text, err)
		}
		uploads := p.demo.Fake().Uploads()
		if len(uploads) != 1 || uploads[0].Response["public_id"] != publicID || !uploads[0].Destroyed || uploads[0].Size != avatarMaxBytes+1 {
			t.Errorf("the fake has %d uploads, want the script's, destroyed", len(uploads))
		}
	})

	t.Run("a payload used after 10 minutes", func(t *testing.T) {
		// The clock moves 10 minutes on as the upload reaches the fake.
		var offset atomic.Int64
		var once sync.Once
		p := openDemo(t, browser, demo.Config{
			Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) },
			FakeMiddleware: func(fake http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodPost {
						once.Do(func() { offset.Store(int64(10 * time.Minute)) })
					}
					fake.ServeHTTP(w, r)
				})
			},
		})
		p.choose(writeFile(t, "avatar.png", testPNG(t, 48, 32, false)))
		page := p.waitDone()
		if page.State != "error" || !strings.Contains(page.Message, "Stale request - reported time is ") {
			t.Fatalf("the page says %q and %q, want Cloudinary's stale request", page.Status, page.Message)
		}
		p.waitFor("the causes", `document.getElementById("causes").children.length > 0`)
		if why := p.state().Why; !strings.HasPrefix(why, "Why Cloudinary refused it\n") || !strings.Contains(why, "the payload expired at") ||
			!strings.Contains(why, "accepted for 10 minutes") || !strings.Contains(why, "Ask the backend for a new payload") {
			t.Errorf("the page explains %q, want the payload expired", why)
		}
	})
}
