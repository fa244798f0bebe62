package browsertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/cmd/uploadsign/internal/demo"
)

// TestBrowser uploads through the demo page as a user does, and checks
// what the page shows and what reached the fake (page_test.go drives the
// browser).
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
		// This upload's version, Cloudinary's, is told from the client's set
		// version, in words.
		uploads := p.demo.Fake().Uploads()
		if len(uploads) != 1 {
			t.Fatalf("%d uploads, want 1", len(uploads))
		}
		assetVersion := fmt.Sprint(int64(uploads[0].Response["version"].(float64)))
		for _, words := range []string{"uploaded in one request", "This upload's version is " + assetVersion, "v" + assetVersion + " in its URL",
			"The client's set version is 1: the version of the avatar settings this page was built to ask for"} {
			if !strings.Contains(page.Status, words) {
				t.Errorf("the page says %q, want %q", page.Status, words)
			}
		}
		// The page shows the API key and a CLOUDINARY_URL with which the
		// command line verifies the upload.
		cliURL := cloudinaryURL(t, page.CLI)
		if s, err := uploadsign.FromURL(cliURL); err != nil || !strings.Contains(page.CLI, "API key is "+demo.FakeAPIKey) {
			t.Errorf("the page shows %q: %v", page.CLI, err)
		} else if err := s.VerifyUploadResult(uploads[0].Response["public_id"].(string), int64(uploads[0].Response["version"].(float64)), uploads[0].Response["signature"].(string)); err != nil {
			t.Errorf("the CLOUDINARY_URL the page shows, %s, does not verify the upload: %v", cliURL, err)
		}
		if page.Note != "" {
			t.Errorf("the page notes %q after an untouched upload", page.Note)
		}
		issued := p.demo.Issued()
		if len(issued) != 1 {
			t.Fatalf("%d payloads, want 1", len(issued))
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
		// The fake notifies the demo's webhook, which keeps an upload within
		// the set's limits, and the page shows it.
		publicID := fmt.Sprint(uploads[0].Response["public_id"])
		p.waitFor("the webhook's log", fmt.Sprintf(`document.querySelector('#webhook-log li[data-type="upload"][data-public-id=%q]')?.dataset.outcome === "kept"`, publicID))
		if log := p.state().WebhookLog; !strings.Contains(log, publicID+": kept: within the limits of set avatar (Cloudinary says ") || !strings.Contains(log, "48 × 32 pixels") {
			t.Errorf("the webhook's log says %q", log)
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
		if words := fmt.Sprintf("uploaded in %d chunks", up.Chunks); !strings.Contains(page.Status, words) {
			t.Errorf("the page says %q, want %q", page.Status, words)
		}
	})

	t.Run("video in chunks", func(t *testing.T) {
		const chunk = 64 << 10
		p := openDemo(t, browser, demo.Config{ChunkBytes: chunk, MinChunkBytes: chunk, Exposed: true})
		if before := p.state(); strings.Contains(before.Mode, "random demo secret") || strings.Contains(before.CLI, p.demo.FakeSecret()) {
			t.Errorf("the page shows the secret at %s: %q %q", demoHost, before.Mode, before.CLI)
		} else if want := "cloudinary://" + demo.FakeAPIKey + ":API_SECRET@"; !strings.Contains(before.CLI, want) || !strings.Contains(before.CLI, "shown only in a browser on the machine the demo runs on") {
			t.Errorf("the page at %s shows %q, want %q and why", demoHost, before.CLI, want)
		}
		clip := mp4Clip(2*chunk + 5000)
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
		if !strings.Contains(page.Status, "uploaded in 3 chunks") {
			t.Errorf("the page says %q, want uploaded in 3 chunks", page.Status)
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
		if page.State != "error" || page.Src != "" || page.ImageShown || !page.PlaceholderShown || page.Placeholder != "Not stored" {
			t.Errorf("page %+v, want an error and no image", page)
		}
		// The backend refused the report, not Cloudinary the upload: not
		// to be taken for Cloudinary's Invalid Signature.
		if !strings.HasPrefix(page.Status, "Not stored.") ||
			!strings.Contains(page.Status, "Cloudinary accepted the upload, but the backend refused Cloudinary's answer as the browser reported it") ||
			!strings.Contains(page.Status, "the answer was changed after Cloudinary gave it") || strings.Contains(strings.ToLower(page.Status), "invalid signature") {
			t.Errorf("the page says %q, want the backend's refusal of the report, and why", page.Status)
		}
		// It shows the altered report, and what was altered.
		var report map[string]any
		if err := json.Unmarshal([]byte(page.Report), &report); err != nil || report["public_id"] != "uploadsign-demo/someone_else" {
			t.Errorf("the page shows the report %q (%v), want the altered one", page.Report, err)
		}
		if !strings.Contains(page.Altered, `public_id "uploadsign-demo/someone_else" (Cloudinary's: "uploadsign-demo/upload_`) || strings.Contains(page.Altered, "version") {
			t.Errorf("the page says %q, want the public_id named as altered, alone", page.Altered)
		}
		if page.Why != "" || page.Message != "" {
			t.Errorf("the page explains %q %q, want no Cloudinary refusal", page.Why, page.Message)
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
		if page.State != "error" || !strings.Contains(page.Status, "refused the upload") || !strings.Contains(page.Message, "Upload preset must be specified") {
			t.Errorf("the page says %q and %q, want the upload endpoint's refusal", page.Status, page.Message)
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
		if page.State != "error" || !strings.Contains(page.Status, "refused the upload (HTTP 401)") || !strings.Contains(page.Message, "Invalid Signature") {
			t.Errorf("page state %q: %q %q, want Cloudinary's Invalid Signature error", page.State, page.Status, page.Message)
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
		// The cause comes first, under its heading, and Cloudinary's
		// message after it.
		if !strings.HasPrefix(page.Why, "Why Cloudinary refused it\n") || !strings.Contains(page.Why, "folder differs") || page.WhyTop >= page.MessageTop {
			t.Errorf("the page shows %q at %v and the message at %v; want the cause first, under Why Cloudinary refused it", page.Why, page.WhyTop, page.MessageTop)
		}
		// Cloudinary's message quotes a long string to sign without
		// spaces; it wraps instead of widening the page.
		if page.ScrollWidth > page.ClientWidth {
			t.Errorf("the page is %d px wide in a %d px window", page.ScrollWidth, page.ClientWidth)
		}
		// The fake records a refused upload without its fields, with
		// Cloudinary's message, which quotes the string to sign.
		uploads := p.demo.Fake().Uploads()
		if len(uploads) != 1 || uploads[0].Status != 401 || !strings.Contains(fmt.Sprint(uploads[0].Response["error"]), "&folder=someone_else&") {
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

// cloudinaryURL is the CLOUDINARY_URL the page shows for the command
// line, CLOUDINARY_URL='...'.
func cloudinaryURL(t *testing.T, text string) string {
	t.Helper()
	_, rest, ok := strings.Cut(text, "CLOUDINARY_URL='")
	u, _, ok2 := strings.Cut(rest, "'")
	if !ok || !ok2 {
		t.Errorf("the page shows no CLOUDINARY_URL: %q", text)
	}
	return u
}
