package demo

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// The demo's limits, as the tests expect them (not read from its sets).
const (
	avatarMaxBytes = 2 << 20
	avatarMaxSide  = 2000
	videoMaxBytes  = 50 << 20
)

// isoBox is an ISO base media file box: size, type, content.
func isoBox(typ string, content ...[]byte) []byte {
	body := bytes.Join(content, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

// mp4Of is a minimal MP4 file of a width, height and duration, as the
// fake reads them from its moov box (mvhd, and a track's tkhd).
func mp4Of(width, height uint32, duration time.Duration) []byte {
	mvhd := make([]byte, 100) // version 0: timescale at 12, duration at 16
	binary.BigEndian.PutUint32(mvhd[12:], 1000)
	binary.BigEndian.PutUint32(mvhd[16:], uint32(duration.Milliseconds()))
	tkhd := make([]byte, 84) // version 0: width and height, 16.16, at 76 and 80
	binary.BigEndian.PutUint32(tkhd[76:], width<<16)
	binary.BigEndian.PutUint32(tkhd[80:], height<<16)
	return bytes.Join([][]byte{
		isoBox("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41")),
		isoBox("moov", isoBox("mvhd", mvhd), isoBox("trak", isoBox("tkhd", tkhd))),
		isoBox("mdat", make([]byte, 64)),
	}, nil)
}

// grayPNG is a PNG of w×h gray pixels, padded with zeros to at least size
// bytes (the fake reads only its header).
func grayPNG(t *testing.T, w, h, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	if pad := size - buf.Len(); pad > 0 {
		buf.Write(make([]byte, pad))
	}
	return buf.Bytes()
}

// webhookLog is what /api/webhook-log answers, by the JSON names the page
// reads.
type webhookLog struct {
	Events []struct {
		Type     string            `json:"type"`
		PublicID string            `json:"public_id"`
		Set      string            `json:"param_set"`
		Outcome  string            `json:"outcome"`
		Limit    string            `json:"limit"`
		Problem  string            `json:"problem"`
		Error    string            `json:"error"`
		Limits   uploadsign.Limits `json:"limits"`
		File     *struct {
			Bytes         int64
			Width, Height int
			Duration      float64
		} `json:"file"`
	} `json:"events"`
}

// readLog reads the webhook's log as the page does.
func readLog(t *testing.T, base string) webhookLog {
	t.Helper()
	var log webhookLog
	if status := call(t, nil, "GET", base+"/api/webhook-log", nil, &log); status != 200 {
		t.Fatalf("webhook log: %d", status)
	}
	return log
}

// TestWebhookDestroysOverLimits sends files with the payloads of the
// demo's page by script, past the page's check, as uploadsigntest.Post
// does: the fake stores each (Cloudinary cannot be told the limits) and
// notifies the demo's webhook, which destroys each over its set's limits,
// keeps the others, and logs what it did for the page.
func TestWebhookDestroysOverLimits(t *testing.T) {
	d, srv := startDemo(t, Config{})
	delivered := 0
	for _, tt := range []struct {
		name, set, filename string
		file                []byte
		limit               string // the limit exceeded; "" for a file kept
		value               float64
	}{
		{"an avatar within the limits", "avatar", "me.png", grayPNG(t, avatarMaxSide, avatarMaxSide, avatarMaxBytes), "", 0},
		{"an avatar one byte too large", "avatar", "big.png", grayPNG(t, 8, 8, avatarMaxBytes+1), "max_bytes", avatarMaxBytes + 1},
		{"an avatar too wide", "avatar", "wide.png", grayPNG(t, avatarMaxSide+1, 1, 0), "max_width", avatarMaxSide + 1},
		{"an avatar too high", "avatar", "high.png", grayPNG(t, 1, avatarMaxSide+1, 0), "max_height", avatarMaxSide + 1},
		{"a minute of video", "video", "clip.mp4", mp4Of(640, 360, time.Minute), "", 0},
		{"a video too long", "video", "long.mp4", mp4Of(640, 360, time.Minute+time.Second), "max_duration", 61},
		{"a video too large", "video", "large.mp4", append(mp4Of(640, 360, time.Second), make([]byte, videoMaxBytes)...), "max_bytes", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var p payload
			if status := call(t, nil, "POST", srv.URL+"/api/signature", map[string]any{"param_set": tt.set, "version": 1}, &p); status != 200 {
				t.Fatalf("signature: %d", status)
			}
			answer, err := uploadsigntest.Post(p.URL, p.Fields, tt.filename, tt.file)
			if err != nil || answer.Status != 200 {
				t.Fatalf("upload: %v %v", answer, err) // nothing Cloudinary checks refuses it
			}
			delivered++ // the upload's notification
			if tt.limit != "" {
				delivered++ // and the delete notification of its destroy
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := d.Fake().AwaitDeliveries(ctx, delivered); err != nil {
				t.Fatalf("waiting for %d notifications: %v", delivered, err)
			}
			publicID := answer.Result.PublicID
			var outcomes []string
			for _, e := range readLog(t, srv.URL).Events {
				if !strings.Contains(e.PublicID, publicID) {
					continue
				}
				outcomes = append(outcomes, e.Type+" "+e.Outcome)
				if e.Type != "upload" {
					continue
				}
				if e.Set != tt.set || e.Limit != tt.limit || e.File == nil || e.File.Bytes != int64(len(tt.file)) {
					t.Errorf("the log says set %q, limit %q, file %+v; want set %s, limit %q, %d bytes", e.Set, e.Limit, e.File, tt.set, tt.limit, len(tt.file))
				}
				switch tt.limit {
				case "max_bytes":
					if e.File.Bytes <= e.Limits.MaxBytes || tt.value != 0 && float64(e.File.Bytes) != tt.value {
						t.Errorf("the log says %d bytes over a limit of %d", e.File.Bytes, e.Limits.MaxBytes)
					}
				case "max_width":
					if float64(e.File.Width) != tt.value || e.Limits.MaxWidth != avatarMaxSide {
						t.Errorf("the log says width %d over %d", e.File.Width, e.Limits.MaxWidth)
					}
				case "max_height":
					if float64(e.File.Height) != tt.value || e.Limits.MaxHeight != avatarMaxSide {
						t.Errorf("the log says height %d over %d", e.File.Height, e.Limits.MaxHeight)
					}
				case "max_duration":
					if e.File.Duration != tt.value || e.Limits.MaxDuration != time.Minute {
						t.Errorf("the log says %v s over %v", e.File.Duration, e.Limits.MaxDuration)
					}
				}
				if tt.limit != "" && !strings.Contains(e.Problem, "over the set's") {
					t.Errorf("the log gives the problem %q", e.Problem)
				}
			}
			// The delete notification may be logged first: the fake sends it
			// while the webhook handles the upload's.
			slices.Sort(outcomes)
			want := []string{"upload kept"}
			if tt.limit != "" {
				want = []string{"delete noted", "upload destroyed"}
			}
			if fmt.Sprint(outcomes) != fmt.Sprint(want) {
				t.Errorf("the log has %q for %s, want %q", outcomes, publicID, want)
			}
			destroyed := false
			for _, u := range d.Fake().Uploads() {
				if u.Response["public_id"] == publicID {
					destroyed = u.Destroyed
				}
			}
			resp, err := http.Get(answer.SecureURL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if gone := tt.limit != ""; destroyed != gone || (resp.StatusCode != 200) != gone {
				t.Errorf("destroyed %v, delivery %d; want destroyed %v", destroyed, resp.StatusCode, gone)
			}
		})
	}
}

// TestWebhookForged: a notification the fake did not sign is refused and
// not logged, on the demo's address as on the fake's notification URL.
func TestWebhookForged(t *testing.T) {
	d, srv := startDemo(t, Config{})
	for _, target := range []string{srv.URL + webhookPath, d.notificationURL} {
		body := []byte(`{"notification_type":"upload","public_id":"uploadsign-demo/upload_x","version":1,"resource_type":"image","type":"upload"}`)
		forged := d.Fake().NotificationRequest(target, body)
		forged.Header.Set("X-Cld-Signature", strings.Repeat("0", 40))
		resp, err := http.DefaultClient.Do(forged)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("a forged notification to %s: %d, want 401", target, resp.StatusCode)
		}
		resp, err = http.DefaultClient.Do(d.Fake().NotificationRequest(target, body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("a genuine notification to %s: %d, want 200", target, resp.StatusCode)
		}
	}
	if log := readLog(t, srv.URL); len(log.Events) != 2 {
		t.Errorf("the log has %d events, want the 2 genuine ones: %+v", len(log.Events), log.Events)
	}
}

// TestWebhookLogKeeps50: the log keeps the newest 50 events, newest first.
func TestWebhookLogKeeps50(t *testing.T) {
	d, srv := startDemo(t, Config{})
	for i := range 51 {
		body := fmt.Sprintf(`{"notification_type":"delete","resources":[{"public_id":"x%d","resource_type":"image","type":"upload"}]}`, i)
		resp, err := http.DefaultClient.Do(d.Fake().NotificationRequest(d.notificationURL, []byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	log := readLog(t, srv.URL)
	if len(log.Events) != 50 || log.Events[0].PublicID != "x50" || log.Events[49].PublicID != "x1" {
		t.Errorf("the log has %d events, from %+v to %+v; want x50 to x1", len(log.Events), log.Events[0], log.Events[len(log.Events)-1])
	}
}

// TestWebhookAccount: with a real account (a fake here), the webhook
// destroys an upload of a demo set over its limits, and leaves alone an
// upload that fits no set of the demo: the account holds other uploads.
func TestWebhookAccount(t *testing.T) {
	const key, secret = "123456789012345", "account-secret"
	var mu sync.Mutex
	var demoHandler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := demoHandler
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	account := uploadsigntest.NewServer("demo", key, secret, uploadsigntest.WithNotificationURL(srv.URL+webhookPath))
	t.Cleanup(account.Close)
	d, err := New(Config{NewSigner: func(opts ...uploadsign.Option) (*uploadsign.Signer, error) {
		return uploadsign.New("demo", key, secret, append(opts, uploadsign.WithUploadURL(account.URL))...)
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	mu.Lock()
	demoHandler = d.Handler()
	mu.Unlock()

	var info info
	call(t, nil, "GET", srv.URL+"/api/info", nil, &info)
	if info.WebhookURL != srv.URL+webhookPath {
		t.Errorf("info's webhook_url %q, want the demo's own %s", info.WebhookURL, srv.URL+webhookPath)
	}
	var p payload
	if status := call(t, nil, "POST", srv.URL+"/api/signature", map[string]any{"param_set": "avatar", "version": 1}, &p); status != 200 {
		t.Fatalf("signature: %d", status)
	}
	big, err := uploadsigntest.Post(p.URL, p.Fields, "big.png", grayPNG(t, 8, 8, avatarMaxBytes+1))
	if err != nil || big.Status != 200 {
		t.Fatalf("upload: %v %v", big, err)
	}
	// Another application's upload to the account.
	other, err := uploadsign.New("demo", key, secret, uploadsign.WithUploadURL(account.URL), uploadsign.WithParamSets(
		uploadsign.ParamSet{Name: "product", Version: 1, Params: uploadsign.Params{Folder: "products"}}))
	if err != nil {
		t.Fatal(err)
	}
	op, err := other.Sign("product", 1, uploadsign.Request{})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := uploadsigntest.Post(op.URL, op.Fields, "shoe.png", grayPNG(t, 8, 8, avatarMaxBytes+1))
	if err != nil || kept.Status != 200 {
		t.Fatalf("upload: %v %v", kept, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := account.AwaitDeliveries(ctx, 3); err != nil { // two uploads, one delete
		t.Fatal(err)
	}
	for _, u := range account.Uploads() {
		if gone := u.Response["public_id"] == big.Result.PublicID; u.Destroyed != gone {
			t.Errorf("%v destroyed %v, want %v", u.Response["public_id"], u.Destroyed, gone)
		}
	}
	outcomes := map[string]string{}
	for _, e := range readLog(t, srv.URL).Events {
		if e.Type == "upload" {
			outcomes[e.PublicID] = e.Outcome + " " + e.Set
		}
	}
	if outcomes[big.Result.PublicID] != "destroyed avatar" || outcomes[kept.Result.PublicID] != "left " {
		t.Errorf("the log says %v, want %s destroyed and %s left", outcomes, big.Result.PublicID, kept.Result.PublicID)
	}
}

// TestStalePayload: an avatar's payload is accepted for 10 minutes, less
// the library's clock margin; after that the fake refuses it in
// Cloudinary's words, and the demo explains that it expired.
func TestStalePayload(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(d)
	}
	_, srv := startDemo(t, Config{Now: clock})
	sign := func() payload {
		var p payload
		if status := call(t, nil, "POST", srv.URL+"/api/signature", map[string]any{"param_set": "avatar", "version": 1}, &p); status != 200 {
			t.Fatalf("signature: %d", status)
		}
		return p
	}
	p := sign()
	advance(9 * time.Minute)
	if answer, err := uploadsigntest.Post(p.URL, p.Fields, "me.png", testPNG(t)); err != nil || answer.Status != 200 {
		t.Errorf("a payload 9 minutes old: %v %v, want it accepted", answer, err)
	}
	p = sign()
	advance(10 * time.Minute)
	answer, err := uploadsigntest.Post(p.URL, p.Fields, "me.png", testPNG(t))
	if err != nil || answer.Status != 400 || !strings.HasPrefix(answer.Error, "Stale request - reported time is ") ||
		!strings.HasSuffix(answer.Error, " which is more than 1 hour ago") {
		t.Fatalf("a payload 10 minutes old: %v %v, want Cloudinary's stale request", answer, err)
	}
	var diagnosis struct{ Causes []string }
	if status := call(t, nil, "POST", srv.URL+"/api/explain", map[string]any{"error": answer.Error, "fields": p.Fields, "param_set": "avatar"}, &diagnosis); status != 200 ||
		len(diagnosis.Causes) != 1 || !strings.Contains(diagnosis.Causes[0], "the payload expired at 12:18:30 UTC") ||
		!strings.Contains(diagnosis.Causes[0], "accepted for 10 minutes") || !strings.Contains(diagnosis.Causes[0], "Ask the backend for a new payload") {
		t.Errorf("explain: %d %q", status, diagnosis.Causes)
	}
}
