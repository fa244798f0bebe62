package uploadsignhttp_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// isoBox is an ISO base media file box: size, type, content.
func isoBox(typ string, content ...[]byte) []byte {
	body := bytes.Join(content, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

// mp4Of is a minimal MP4 file of a width, height and duration, as the
// fake reads them from its headers.
func mp4Of(width, height uint32, duration time.Duration) []byte {
	mvhd := make([]byte, 100) // version 0: times, timescale at 12, duration at 16
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

func pngOf(t *testing.T, width, height int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, width, height))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLimitsEndToEnd: through the fake, an upload over each of its set's
// limits is destroyed when its notification arrives, and is gone from the
// fake; one within them is kept; a payload used after the set's ValidFor
// is refused with Cloudinary's words.
func TestLimitsEndToEnd(t *testing.T) {
	var mu sync.Mutex
	now := testTime
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	var webhook http.Handler
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { webhook.ServeHTTP(w, r) }))
	defer app.Close()
	fake := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(clock),
		uploadsigntest.WithNotificationURL(app.URL+"/cloudinary/webhook"))
	defer fake.Close()
	signer, err := uploadsign.New(cloud, key, secret, uploadsign.WithUploadURL(fake.URL), uploadsign.WithClock(clock),
		uploadsign.WithParamSets(
			uploadsign.ParamSet{Name: "avatar", Version: 1, ValidFor: 5 * time.Minute,
				Params: uploadsign.Params{Folder: "avatars/{owner}"},
				Limits: uploadsign.Limits{MaxBytes: 4000, MaxWidth: 64, MaxHeight: 48}},
			uploadsign.ParamSet{Name: "clip", Version: 1, ResourceType: "video",
				Params: uploadsign.Params{Folder: "clips/{owner}"},
				Limits: uploadsign.Limits{MaxWidth: 1280, MaxDuration: time.Minute}}))
	if err != nil {
		t.Fatal(err)
	}
	notified := make(chan *uploadsign.Notification, 16)
	webhook = uploadsignhttp.NewNotificationHandler(signer, func(_ *http.Request, n *uploadsign.Notification) error {
		if n.Type == "upload" { // a destroy is followed by a delete notification
			notified <- n
		}
		return nil
	}, uploadsignhttp.WithDestroyViolations())

	for _, tt := range []struct {
		name, set string
		file      []byte
		kept      bool
	}{
		{"within the limits", "avatar", pngOf(t, 64, 48), true},
		{"wider", "avatar", pngOf(t, 65, 48), false},
		{"taller", "avatar", pngOf(t, 64, 49), false},
		{"larger", "avatar", append(pngOf(t, 8, 8), make([]byte, 4000)...), false},
		{"a minute of video", "clip", mp4Of(1280, 720, time.Minute), true},
		{"longer", "clip", mp4Of(1280, 720, time.Minute+time.Second), false},
		{"wider video", "clip", mp4Of(1281, 720, time.Second), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := signer.Sign(tt.set, 1, uploadsign.Request{Owner: "42"})
			if err != nil {
				t.Fatal(err)
			}
			name := "a.png"
			if tt.set == "clip" {
				name = "a.mp4"
			}
			answer, err := uploadsigntest.Post(p.URL, p.Fields, name, tt.file)
			if err != nil || answer.Status != 200 {
				t.Fatalf("upload: %v %v", answer, err) // Cloudinary cannot refuse it: nothing signed the limits
			}
			var n *uploadsign.Notification
			select {
			case n = <-notified:
			case <-time.After(10 * time.Second):
				t.Fatal("no notification")
			}
			resp, err := http.Get(answer.SecureURL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			served := resp.StatusCode == 200
			switch {
			case tt.kept && (n.Upload == nil || n.Destroyed || !served):
				t.Errorf("kept upload: notification %+v (problem %v), served %v", n, n.Problem, served)
			case !tt.kept && (n.Upload != nil || !n.Destroyed || served || !strings.Contains(n.Problem.Error(), "over the set's")):
				t.Errorf("upload over a limit: notification %+v (problem %v), served %v; want it destroyed", n, n.Problem, served)
			}
			if !tt.kept {
				for _, u := range fake.Uploads() {
					if u.Response["public_id"] == answer.Result.PublicID && !u.Destroyed {
						t.Errorf("the fake still holds %s", answer.Result.PublicID)
					}
				}
			}
		})
	}

	// The avatar's payload lives five minutes (less the clock margin):
	// Cloudinary's own hour refuses it after that.
	p, err := signer.Sign("avatar", 1, uploadsign.Request{Owner: "42"})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = p.ExpiresAt.Add(time.Second)
	mu.Unlock()
	answer, err := uploadsigntest.Post(p.URL, p.Fields, "a.png", pngOf(t, 8, 8))
	if err != nil || answer.Status != 400 || !strings.HasPrefix(answer.Error, "Stale request - reported time is ") ||
		!strings.HasSuffix(answer.Error, "which is more than 1 hour ago") {
		t.Errorf("a payload used after ValidFor: %v %v, want Cloudinary's stale request", answer, err)
	}
	if p.ExpiresAt.Sub(testTime) != 5*time.Minute-30*time.Second {
		t.Errorf("ExpiresAt %v after signing", p.ExpiresAt.Sub(testTime))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if ds, _ := fake.AwaitDeliveries(ctx, 7+5); len(ds) != 12 { // 7 uploads, 5 destroys
		t.Errorf("%d notifications delivered, want 12", len(ds))
	}
}
