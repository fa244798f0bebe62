package uploadsigntest_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

func ExampleNewServer() {
	const secret = "test-secret"
	srv := uploadsigntest.NewServer("demo", "123456789012345", secret)
	defer srv.Close()

	signer, err := uploadsign.New("demo", "123456789012345", secret,
		uploadsign.WithUploadURL(srv.URL), // payloads point at the fake
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1,
			Params: uploadsign.Params{Folder: "avatars", PublicID: "user_{owner}"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	payload, err := signer.Sign("avatar", 1, uploadsign.Request{Owner: "42"})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Post the payload with a PNG as a browser would.
	var file bytes.Buffer
	png.Encode(&file, image.NewGray(image.Rect(0, 0, 32, 16)))
	answer, err := uploadsigntest.Post(payload.URL, payload.Fields, "me.png", file.Bytes())
	if err != nil {
		fmt.Println(err)
		return
	}
	r := answer.Result
	fmt.Println(answer.Status, r.PublicID, r.Width, r.Height)

	// The upload result verifies, as Cloudinary's would.
	err = signer.VerifyUploadResult(r.PublicID, r.Version, r.Signature)
	fmt.Println("verified:", err == nil)

	// A tampered upload is refused with Cloudinary's error.
	payload.Fields["folder"] = "elsewhere"
	answer, _ = uploadsigntest.Post(payload.URL, payload.Fields, "me.png", file.Bytes())
	fmt.Println(answer.Status, strings.HasPrefix(answer.Error, "Invalid Signature "))
	fmt.Println(len(srv.Uploads()), "uploads recorded")
	// Output:
	// 200 avatars/user_42 32 16
	// verified: true
	// 401 true
	// 2 uploads recorded
}

func ExamplePostChunked() {
	const secret = "test-secret"
	srv := uploadsigntest.NewServer("demo", "123456789012345", secret,
		uploadsigntest.WithMinChunkBytes(1000)) // small chunks for a small example; Cloudinary's are 5 MiB
	defer srv.Close()

	signer, err := uploadsign.New("demo", "123456789012345", secret,
		uploadsign.WithUploadURL(srv.URL),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "clip", Version: 1, ResourceType: "video",
			Params: uploadsign.Params{Folder: "clips", PublicID: "{owner}"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	payload, err := signer.Sign("clip", 1, uploadsign.Request{Owner: "intro"})
	if err != nil {
		fmt.Println(err)
		return
	}

	// 3,600 bytes in chunks of 1,000: the last chunk has 600. The fake
	// reads the format from the file, as Cloudinary does: an MP4 starts
	// with an ftyp box.
	ftyp := []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41")
	clip := append(ftyp, bytes.Repeat([]byte("frame "), 596)...)
	answer, err := uploadsigntest.PostChunked(payload.URL, payload.Fields, "intro.mp4",
		bytes.NewReader(clip), int64(len(clip)), 1000)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := answer.Result
	fmt.Println(answer.Status, r.PublicID, r.ResourceType, r.Format, r.Bytes)

	// The fake recorded the whole file once.
	for _, u := range srv.Uploads() {
		fmt.Println(u.Size, "bytes in", u.Chunks, "chunks:", bytes.Equal(u.File, clip))
	}
	// Output:
	// 200 clips/intro video mp4 3600
	// 3600 bytes in 4 chunks: true
}

// A webhook handler's test: the fake signs a notification as Cloudinary
// would, with the account's secret.
func ExampleServer_NotificationRequest() {
	const secret = "test-secret"
	srv := uploadsigntest.NewServer("demo", "123456789012345", secret)
	defer srv.Close()
	signer, err := uploadsign.New("demo", "123456789012345", secret)
	if err != nil {
		fmt.Println(err)
		return
	}
	webhook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := uploadsignhttp.VerifyNotificationRequest(signer, r)
		if err != nil {
			http.Error(w, "not from Cloudinary", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "stored %s", n.Body)
	})

	w := httptest.NewRecorder()
	webhook.ServeHTTP(w, srv.NotificationRequest("/cloudinary/webhook", []byte(`{"notification_type":"upload","public_id":"x"}`)))
	fmt.Println(w.Code, w.Body)

	forged := srv.NotificationRequest("/cloudinary/webhook", []byte(`{"public_id":"x"}`))
	forged.Header.Set("X-Cld-Signature", "0000000000000000000000000000000000000000")
	w = httptest.NewRecorder()
	webhook.ServeHTTP(w, forged)
	fmt.Println(w.Code)
	// Output:
	// 200 stored {"notification_type":"upload","public_id":"x"}
	// 401
}
