package uploadsigntest_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

func ExampleNewServer() {
	const secret = "test-secret"
	srv := uploadsigntest.NewServer("demo", "123456789012345", secret)
	defer srv.Close()

	signer, err := uploadsign.New("demo", "123456789012345", secret,
		uploadsign.WithUploadURL(srv.URL), // payloads point at the fake
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1,
			Params: uploadsign.Params{Folder: "avatars"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	payload, err := signer.Sign("avatar", 1, uploadsign.Params{PublicID: "user_42"})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Post the payload with a PNG as a browser would.
	var file bytes.Buffer
	png.Encode(&file, image.NewGray(image.Rect(0, 0, 32, 16)))
	status, answer, err := uploadsigntest.Post(payload.URL, payload.Fields, "me.png", file.Bytes())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(status, answer["public_id"], answer["width"], answer["height"])

	// The upload result verifies, as Cloudinary's would.
	err = signer.VerifyUploadResult(answer["public_id"].(string), int64(answer["version"].(float64)), answer["signature"].(string))
	fmt.Println("verified:", err == nil)

	// A tampered upload is refused with Cloudinary's error.
	payload.Fields["folder"] = "elsewhere"
	status, answer, _ = uploadsigntest.Post(payload.URL, payload.Fields, "me.png", file.Bytes())
	fmt.Println(status, answer["error"].(map[string]any)["message"] != nil)
	fmt.Println(len(srv.Uploads()), "uploads recorded")
	// Output:
	// 200 avatars/user_42 32 16
	// verified: true
	// 401 true
	// 2 uploads recorded
}
