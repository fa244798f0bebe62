package uploadsigntest_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// TestSignatureHexCase: the fake compares the hex of a signature whatever
// its case, as a hex decoder reads it. Cloudinary documents lower-case
// hex only and no report says what it does with upper-case (see the
// fidelity table); the library writes lower-case, as every SDK does.
func TestSignatureHexCase(t *testing.T) {
	_, srv, _ := startFake(t)
	signed := signFields(map[string]string{"public_id": "p"})
	for _, sig := range []string{strings.ToUpper(signed["signature"]), signed["signature"][:20] + strings.ToUpper(signed["signature"][20:])} {
		f := copyFields(signed)
		f["signature"] = sig
		if a, err := uploadsigntest.Post(uploadURL(srv, "image"), f, "a.png", pngImage(t, 2, 2)); err != nil || a.Status != 200 {
			t.Errorf("signature %s: %v %v, want 200", sig, a, err)
		}
	}
	f := copyFields(signed)
	f["signature"] = "g" + signed["signature"][1:] // not hex
	if a, _ := uploadsigntest.Post(uploadURL(srv, "image"), f, "a.png", pngImage(t, 2, 2)); a.Status != 401 {
		t.Errorf("a signature that is not hex: %v, want 401", a)
	}
}

// TestTimestampEdges: a signed request is accepted until exactly an hour
// after its timestamp and refused a second later with Cloudinary's 400
// "Stale request"; a timestamp ahead of the clock, however far, is
// accepted, as nothing shows Cloudinary refusing one.
func TestTimestampEdges(t *testing.T) {
	c, srv, _ := startFake(t)
	stale := "Stale request - reported time is 2023-11-14 22:13:20 +0000 which is more than 1 hour ago"
	for _, tt := range []struct {
		now    time.Time
		status int
		msg    string
	}{
		{testTime.Add(time.Hour), 200, ""},
		{testTime.Add(time.Hour + time.Second), 400, stale},
		{testTime.Add(-time.Second), 200, ""},
		{testTime.Add(-24 * time.Hour), 200, ""},
		{testTime.Add(-10 * 365 * 24 * time.Hour), 200, ""},
	} {
		c.Set(tt.now)
		a, err := uploadsigntest.Post(uploadURL(srv, "image"), signFields(nil), "a.png", pngImage(t, 2, 2))
		if err != nil || a.Status != tt.status || a.Error != tt.msg {
			t.Errorf("timestamp %v from the clock: %v %v, want %d %q", testTime.Sub(tt.now), a, err, tt.status, tt.msg)
		}
	}
}

// TestArrayFields: an array posted as NAME[] (as the Python and Ruby SDKs
// post lists) or as a name repeated is signed, as Cloudinary signs an
// array, as its values joined with ",", and answered as a list.
func TestArrayFields(t *testing.T) {
	_, srv, _ := startFake(t)
	signed := signFields(map[string]string{"tags": "a,b,c"})
	for _, name := range []string{"tags[]", "tags"} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range signed {
			if k != "tags" {
				mw.WriteField(k, v)
			}
		}
		for _, tag := range []string{"a", "b", "c"} {
			mw.WriteField(name, tag)
		}
		fw, _ := mw.CreateFormFile("file", "a.png")
		fw.Write(pngImage(t, 2, 2))
		mw.Close()
		resp, err := http.Post(uploadURL(srv, "image"), mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		if a := readAnswer(t, resp); a.Status != 200 || !cmp.Equal(a.Result.Tags, []string{"a", "b", "c"}) {
			t.Errorf("%s posted three times: %v", name, a)
		}
	}
	ups := srv.Uploads()
	if got := fmt.Sprint(ups[0].Fields["tags"], " ", ups[1].Fields["tags"]); got != "a,b,c a,b,c" {
		t.Errorf("recorded tags %s", got)
	}
}
