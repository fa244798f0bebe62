package uploadsign_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/uploadsign/uploadsign"
)

// The examples use the secret of Cloudinary's documentation, "abcd", and
// signatures made for it by the official Node SDK (testdata/golden).
const (
	cloudName = "demo"
	apiKey    = "123456789012345"
	apiSecret = "abcd"
)

// A fixed clock, so that the output does not change.
var clock = uploadsign.WithClock(func() time.Time { return time.Unix(1700000000, 0) })

func ExampleNew() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret, uploadsign.WithAlgorithm(uploadsign.SHA256))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s) // the secret is never printed

	_, err = uploadsign.New(cloudName, apiKey, "")
	fmt.Println(err)
	// Output:
	// uploadsign.Signer{cloud_name: "demo", api_key: "123456789012345", api_secret: [redacted], algorithm: sha256, signature_version: 2, param_sets: 0}
	// uploadsign: invalid configuration: the API secret is empty
}

func ExampleFromURL() {
	// Usually os.Getenv("CLOUDINARY_URL").
	s, err := uploadsign.FromURL("cloudinary://123456789012345:abcd@demo")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s)

	_, err = uploadsign.FromURL("https://123456789012345:abcd@demo")
	fmt.Println(err) // errors never repeat the URL, which holds the secret
	// Output:
	// uploadsign.Signer{cloud_name: "demo", api_key: "123456789012345", api_secret: [redacted], algorithm: sha1, signature_version: 2, param_sets: 0}
	// uploadsign: invalid configuration: Cloudinary URL: it does not start with cloudinary:// (want cloudinary://API_KEY:API_SECRET@CLOUD_NAME)
}

func ExampleSigner_Sign() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret, clock,
		uploadsign.WithParamSets(
			uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{
				Folder:   "avatars",
				PublicID: "user_{owner}",
				Tags:     []string{"avatar"},
			}},
			// Clients built for version 1 keep getting version 1.
			// Version 2 adds a tag and keeps the first avatar.
			uploadsign.ParamSet{Name: "avatar", Version: 2, Params: uploadsign.Params{
				Folder:    "avatars",
				PublicID:  "user_{owner}",
				Tags:      []string{"avatar", "profile"},
				Overwrite: uploadsign.Bool(false),
			}},
		))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The owner comes from the session.
	payload, err := s.Sign("avatar", 2, uploadsign.Request{Owner: "42"})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.MarshalIndent(payload, "", "  ")
	fmt.Println(string(out))
	// The signature is the Node SDK's for these fields (testdata/golden,
	// case example_sign).

	// Output:
	// {
	//   "url": "https://api.cloudinary.com/v1_1/demo/image/upload",
	//   "fields": {
	//     "api_key": "123456789012345",
	//     "folder": "avatars",
	//     "overwrite": "0",
	//     "public_id": "user_42",
	//     "signature": "535695932edb775d9d783af4b0c0ec9e01c41433",
	//     "tags": "avatar,profile",
	//     "timestamp": "1700000000"
	//   },
	//   "timestamp": 1700000000,
	//   "expires_at": "2023-11-14T23:13:20Z",
	//   "param_set": "avatar",
	//   "version": 2
	// }
}

func ExampleSigner_Sign_errorChecking() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret, clock,
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1,
			Params: uploadsign.Params{PublicID: "avatars/user_{owner}", Context: map[string]string{"app": "web"}}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, try := range []struct {
		version int
		req     uploadsign.Request
	}{
		{3, uploadsign.Request{Owner: "42"}},
		{1, uploadsign.Request{Owner: "42", Params: uploadsign.Params{Context: map[string]string{"app": "ios"}}}},
		{1, uploadsign.Request{Owner: "42/../7"}},
		{1, uploadsign.Request{Owner: "42", Params: uploadsign.Params{Folder: "elsewhere"}}},
	} {
		_, err := s.Sign("avatar", try.version, try.req)
		switch {
		case errors.Is(err, uploadsign.ErrUnknownParamSet):
			fmt.Println("404:", err)
		case errors.Is(err, uploadsign.ErrParamConflict), errors.Is(err, uploadsign.ErrInvalidParam):
			fmt.Println("the backend's mistake:", err)
		}
	}
	// Output:
	// 404: uploadsign: unknown parameter set: "avatar" has no version 3 (known versions: 1)
	// the backend's mistake: uploadsign: parameter conflicts with its parameter set: context key "app": the set fixes "web", the request gives "ios"
	// the backend's mistake: uploadsign: invalid parameter: owner: "42/../7" holds "/": an owner is one path segment
	// the backend's mistake: uploadsign: invalid parameter: folder: a Request may not bind it: where an upload goes is its set's (use "{owner}" in the set for the owner's part)
}

// Retiring a version: from its Deprecated date its payloads say so, with
// the Sunset for the client to show; from its Sunset, Sign refuses it with
// ErrSunset, naming the versions still served.
func ExampleParamSet_retiringAVersion() {
	now := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	s, err := uploadsign.New(cloudName, apiKey, apiSecret,
		uploadsign.WithClock(func() time.Time { return now }),
		uploadsign.WithParamSets(
			uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{Folder: "avatars"},
				Deprecated: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
				Sunset:     time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)},
			uploadsign.ParamSet{Name: "avatar", Version: 2, Params: uploadsign.Params{Folder: "avatars", Tags: []string{"v2"}}},
		))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := s.Sign("avatar", 1, uploadsign.Request{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("deprecated:", p.Deprecated, "sunset:", p.Sunset.Format(time.RFC3339))

	now = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	_, err = s.Sign("avatar", 1, uploadsign.Request{})
	if errors.Is(err, uploadsign.ErrSunset) {
		fmt.Println("410:", err)
	}
	// Output:
	// deprecated: true sunset: 2025-09-01T00:00:00Z
	// 410: uploadsign: parameter set past its sunset: "avatar" version 1 was retired at 2025-09-01T00:00:00Z (live versions: 2)
}

func ExampleSigner_SignValues() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The example of Cloudinary's documentation.
	params := url.Values{
		"eager":     {"w_400,h_300,c_pad|w_260,h_200,c_crop"},
		"public_id": {"sample_image"},
		"timestamp": {"1315060510"},
	}
	fmt.Println(s.SignValues(params))
	// Output:
	// bfd09f95f331f558cbd1320e67aa8d488770583e
}

func ExampleStringToSign() {
	params := url.Values{
		"timestamp": {"1700000000"},
		"public_id": {"tom&jerry"},
		"tags":      {"a", "b"},
		"folder":    {""},     // empty: dropped
		"file":      {"@img"}, // never signed
	}
	fmt.Println(uploadsign.StringToSign(params, 2))
	fmt.Println(uploadsign.StringToSign(params, 1))
	// Output:
	// public_id=tom%26jerry&tags=a,b&timestamp=1700000000
	// public_id=tom&jerry&tags=a,b&timestamp=1700000000
}

func ExampleSigner_VerifyUploadResult() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret)
	if err != nil {
		fmt.Println(err)
		return
	}
	// public_id, version and signature from Cloudinary's upload response,
	// as the browser sends them back.
	err = s.VerifyUploadResult("sample", 1315060510, "912d90b6fe28aa6820cf928bc440a65a0f36e002")
	fmt.Println("genuine:", err == nil)

	err = s.VerifyUploadResult("someone_elses_image", 1315060510, "912d90b6fe28aa6820cf928bc440a65a0f36e002")
	fmt.Println(errors.Is(err, uploadsign.ErrInvalidSignature), err)
	// Output:
	// genuine: true
	// true uploadsign: invalid signature: upload result signature does not match
}

// The browser reports Cloudinary's answer back; the backend stores only
// what it verified as this request's upload, with a URL it builds itself.
func ExampleSigner_VerifyUploadOf() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret, uploadsign.WithParamSets(
		// The site's one sample image.
		uploadsign.ParamSet{Name: "photo", Version: 1, Params: uploadsign.Params{PublicID: "sample"}}))
	if err != nil {
		fmt.Println(err)
		return
	}

	// Cloudinary's answer (its signature made by the official Node SDK),
	// with a secure_url the browser changed.
	report := `{"public_id": "sample", "version": 1315060510, "signature": "912d90b6fe28aa6820cf928bc440a65a0f36e002",
		"resource_type": "image", "type": "upload", "format": "jpg", "api_key": "123456789012345",
		"secure_url": "https://evil.example/not-your-image.jpg"}`
	var result uploadsign.UploadResult
	if err := json.Unmarshal([]byte(report), &result); err != nil {
		fmt.Println(err)
		return
	}
	upload, err := s.VerifyUploadOf("photo", 1, uploadsign.Request{}, result)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(upload.Asset.URL) // store this

	// Another genuine upload of the account, but not this request's.
	other := uploadsign.UploadResult{PublicID: "folder/sub/image with space", Version: 1700000001,
		Signature: "ed5c2bfb6a52c5a2663e0b19de3e81d8075a0229", ResourceType: "image", Type: "upload", Format: "jpg"}
	_, err = s.VerifyUploadOf("photo", 1, uploadsign.Request{}, other)
	fmt.Println(errors.Is(err, uploadsign.ErrUploadMismatch)) // answer 403

	// A public_id the browser made up.
	result.PublicID = "someone_elses_image"
	_, err = s.VerifyUploadOf("photo", 1, uploadsign.Request{}, result)
	fmt.Println(errors.Is(err, uploadsign.ErrInvalidSignature)) // answer 400
	// Output:
	// https://res.cloudinary.com/demo/image/upload/v1315060510/sample.jpg
	// true
	// true
}

// Rotating a key: results and notifications signed with the old secret
// still verify; payloads are signed with the new one.
func ExampleWithPreviousKey() {
	s, err := uploadsign.New(cloudName, "999999999999999", "the-new-secret",
		uploadsign.WithPreviousKey(apiKey, apiSecret))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Signed by the Node SDK with the old secret, "abcd".
	err = s.VerifyUploadResult("sample", 1315060510, "912d90b6fe28aa6820cf928bc440a65a0f36e002")
	fmt.Println("old key's result genuine:", err == nil)
	fmt.Println(s)
	// Output:
	// old key's result genuine: true
	// uploadsign.Signer{cloud_name: "demo", api_key: "999999999999999", api_secret: [redacted], previous_keys: 1, algorithm: sha1, signature_version: 2, param_sets: 0}
}

// The notification of an avatar's upload: Cloudinary signs its body, so
// its size can be trusted, and the set and owner are found from its
// public_id.
func ExampleSigner_VerifyNotification() {
	// One minute after the notification was sent.
	s, err := uploadsign.New(cloudName, apiKey, apiSecret,
		uploadsign.WithClock(func() time.Time { return time.Unix(1700000063, 0) }),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1,
			Params: uploadsign.Params{PublicID: "avatars/user_{owner}"},
			Limits: uploadsign.Limits{MaxBytes: 2 << 20}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	// What Cloudinary posts (shortened here; testdata/golden/verify.json
	// has it whole, signed by the Node SDK), and its two headers.
	body := []byte(`{"notification_type":"upload","timestamp":"2023-11-14T22:13:20+00:00","request_id":"9e2f63bc2c6a4fcb8c1e3f6b55d5a3b1",` +
		`"asset_id":"3515c6000a548515f1134043f9785c2f","public_id":"avatars/user_42","version":1700000000,` +
		`"version_id":"7d2cc533bee9ff39f7da7414b61fce7e","width":640,"height":480,"format":"png","resource_type":"image",` +
		`"created_at":"2023-11-14T22:13:20Z","tags":["avatar"],"bytes":52814,"type":"upload","etag":"a56e9e88c2add15cac1775c1f687bf73",` +
		`"placeholder":false,"url":"http://res.cloudinary.com/demo/image/upload/v1700000000/avatars/user_42.png",` +
		`"secure_url":"https://res.cloudinary.com/demo/image/upload/v1700000000/avatars/user_42.png","access_mode":"public",` +
		`"original_filename":"me","api_key":"123456789012345"}`)
	timestamp := "1700000003"                               // X-Cld-Timestamp
	signature := "39453401f5b5bdc63b0f8231f3ad9fa8ac78ebdc" // X-Cld-Signature
	n, err := s.VerifyNotification(body, timestamp, signature)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n.Type, n.Upload.Set, n.Upload.Owner, n.Upload.Details.Bytes, n.Upload.Asset.URL)

	// Three hours later the same notification has expired.
	late, _ := uploadsign.New(cloudName, apiKey, apiSecret,
		uploadsign.WithClock(func() time.Time { return time.Unix(1700010800, 0) }))
	_, err = late.VerifyNotification(body, timestamp, signature)
	fmt.Println(errors.Is(err, uploadsign.ErrExpired), err)
	// Output:
	// upload avatar 42 52814 https://res.cloudinary.com/demo/image/upload/v1700000000/avatars/user_42.png
	// true uploadsign: expired: notification is 2h59m57s old, more than 2h0m0s
}

// OwnerOf finds the set and the owner of a genuine upload from its
// public_id alone, as a webhook or a batch job must.
func ExampleSigner_OwnerOf() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret, uploadsign.WithParamSets(
		uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{PublicID: "avatars/user_{owner}"}},
		uploadsign.ParamSet{Name: "gallery", Version: 1, Params: uploadsign.Params{Folder: "gallery/{owner}"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Signed by the Node SDK (testdata/golden/verify.json).
	result := uploadsign.UploadResult{PublicID: "avatars/user_42", Version: 1700000000,
		Signature: "61f8951e1089cd6ae5385e202623033950fd5f4b", ResourceType: "image", Type: "upload", Format: "png"}
	u, err := s.OwnerOf(result)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.Set, u.Version, u.Owner)

	// Another genuine upload of the account, where no set uploads.
	other := uploadsign.UploadResult{PublicID: "folder/sub/image with space", Version: 1700000001,
		Signature: "ed5c2bfb6a52c5a2663e0b19de3e81d8075a0229", ResourceType: "image", Type: "upload", Format: "jpg"}
	_, err = s.OwnerOf(other)
	fmt.Println(errors.Is(err, uploadsign.ErrUploadMismatch))
	// Output:
	// avatar 1 42
	// true
}

// A set's limits and validity: the payload tells the page the largest
// file, and expires ten minutes (less a clock margin) after it is signed.
func ExampleLimits() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret, clock, uploadsign.WithParamSets(
		uploadsign.ParamSet{Name: "clip", Version: 1, ResourceType: "video", ValidFor: 10 * time.Minute,
			Params: uploadsign.Params{Folder: "clips/{owner}"},
			Limits: uploadsign.Limits{MaxBytes: 50 << 20, MaxDuration: 90 * time.Second}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := s.Sign("clip", 1, uploadsign.Request{Owner: "42"})
	if err != nil {
		fmt.Println(err)
		return
	}
	limits, _ := json.Marshal(p.Limits)
	fmt.Println(string(limits))
	fmt.Println("expires", p.ExpiresAt.Sub(time.Unix(1700000000, 0)), "after signing")

	// A report of a longer clip is refused; only the notification, which
	// Cloudinary signs, can prove a clip is within the limits.
	// (The signature is the Node SDK's, testdata/golden/verify.json.)
	_, err = s.VerifyUploadOf("clip", 1, uploadsign.Request{Owner: "42"}, uploadsign.UploadResult{
		PublicID: "clips/42/intro", Version: 1700000000, Signature: "71136cdf644d67eaae94722fbaa46c3442f46abd",
		ResourceType: "video", Type: "upload", Format: "mp4", Duration: 120})
	fmt.Println(errors.Is(err, uploadsign.ErrLimitExceeded), err)
	// Output:
	// {"max_bytes":52428800,"max_duration":90}
	// expires 9m30s after signing
	// true uploadsign: upload exceeds its set's limits: "clip" version 1: the report says duration 2m0s, over the set's 1m30s
}

// The Upload Widget asks the backend to sign the parameters it built
// (params_to_sign) through its uploadSignature callback:
//
//	cloudinary.createUploadWidget({
//	  cloudName: "demo", apiKey: "123456789012345",
//	  folder: "avatars", tags: ["avatar"], publicId: "user_42",
//	  uploadSignature: (callback, paramsToSign) =>
//	    fetch("/uploads/widget-signature", {
//	      method: "POST",
//	      body: JSON.stringify({ paramsToSign }),
//	    }).then((res) => res.json()).then((data) => callback(data.signature)),
//	}, onResult);
//
// The backend signs only what the "widget" set allows, with the public_id
// of the logged-in user (uploadsignhttp.NewProposalHandler does all of
// this).
func ExampleSigner_SignProposed() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret, clock,
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "widget", Version: 1,
			Params:       uploadsign.Params{Folder: "avatars", PublicID: "user_{owner}", Tags: []string{"avatar"}},
			ClientParams: []string{"source"}, // the widget adds source=uw
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	user := uploadsign.Request{Owner: "42"} // from the session
	sign := func(paramsToSign string) {
		proposed, err := uploadsign.ParseProposal([]byte(paramsToSign))
		if err != nil {
			fmt.Println("400:", err)
			return
		}
		signature, err := s.SignProposed("widget", 1, proposed, user)
		if err != nil {
			fmt.Println("403:", err)
			return
		}
		fmt.Println("200: signature of", len(signature)/2, "bytes")
	}

	sign(`{"timestamp": 1700000000, "source": "uw", "folder": "avatars", "tags": ["avatar"], "public_id": "user_42"}`)
	sign(`{"timestamp": 1700000000, "source": "uw", "folder": "avatars", "tags": ["avatar"], "public_id": "user_7"}`)
	sign(`{"timestamp": 1700000000, "source": "uw", "folder": "users/7", "tags": ["avatar"], "public_id": "user_42"}`)
	sign(`{"timestamp": 1700000000, "source": "uw", "folder": "avatars", "tags": ["avatar"], "public_id": "user_42", "eval": "..."}`)
	sign(`{"timestamp": 1700000000, "source": "uw", "folder": {"path": "avatars"}}`)
	// Output:
	// 200: signature of 20 bytes
	// 403: uploadsign: parameter not allowed: public_id: the owner's "user_42", the proposal has "user_7"
	// 403: uploadsign: parameter not allowed: folder: the set fixes "avatars", the proposal has "users/7"
	// 403: uploadsign: parameter not allowed: "eval": neither the set nor the request binds it, and ClientParams does not list it
	// 400: uploadsign: malformed proposal: params_to_sign: "folder": a nested object is not an upload parameter
}

// A browser that chooses the public_id itself does so in its owner's
// folder, and must sign overwrite false: it can neither replace nor be
// given another user's asset.
func ExampleSigner_SignProposed_browserChoosesPublicID() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret, clock,
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "gallery", Version: 1,
			Params:       uploadsign.Params{Folder: "gallery/{owner}", Overwrite: uploadsign.Bool(false)},
			ClientParams: []string{"source", "public_id"},
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	bob := uploadsign.Request{Owner: "bob"}
	proposed, _ := uploadsign.ParseProposal([]byte(`{"timestamp": 1700000000, "source": "uw", "folder": "gallery/bob", "public_id": "sunset", "overwrite": false}`))
	_, err = s.SignProposed("gallery", 1, proposed, bob)
	fmt.Println("overwrite false:", err)

	proposed.Del("overwrite")
	_, err = s.SignProposed("gallery", 1, proposed, bob)
	fmt.Println(errors.Is(err, uploadsign.ErrParamNotAllowed))

	// Without "{owner}", Bob's upload named "passport" could meet Alice's.
	_, err = uploadsign.New(cloudName, apiKey, apiSecret, uploadsign.WithParamSets(uploadsign.ParamSet{Name: "team", Version: 1,
		Params: uploadsign.Params{Folder: "team", Overwrite: uploadsign.Bool(false)}, ClientParams: []string{"public_id"}}))
	fmt.Println(errors.Is(err, uploadsign.ErrInvalidConfig))
	// Output:
	// overwrite false: <nil>
	// true
	// true
}

func ExampleParseProposal() {
	proposed, err := uploadsign.ParseProposal([]byte(`{"timestamp": 1700000000, "source": "uw",
		"tags": ["avatar", "user_42"], "overwrite": false, "quality": 0.50, "folder": null}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(uploadsign.StringToSign(proposed, 2))
	// Output:
	// overwrite=false&quality=0.5&source=uw&tags=avatar,user_42&timestamp=1700000000
}

func ExampleParamSet_singleUse() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret, clock,
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "receipt", Version: 1, SingleUse: true,
			Params: uploadsign.Params{Folder: "receipts"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := s.Sign("receipt", 1, uploadsign.Request{})
	b, _ := s.Sign("receipt", 1, uploadsign.Request{})
	fmt.Println("overwrite:", a.Fields["overwrite"])
	fmt.Println("fresh public_id each time:", a.Fields["public_id"] != b.Fields["public_id"], len(a.Fields["public_id"]))

	_, err = s.Sign("receipt", 1, uploadsign.Request{Params: uploadsign.Params{PublicID: "chosen"}})
	fmt.Println(errors.Is(err, uploadsign.ErrInvalidParam))
	// Output:
	// overwrite: 0
	// fresh public_id each time: true 26
	// true
}

// The Upload Widget added source=uw to an upload signed for a payload:
// Cloudinary answered 401, and Explain says why.
func ExampleSigner_Explain() {
	s, err := uploadsign.New(cloudName, apiKey, apiSecret)
	if err != nil {
		fmt.Println(err)
		return
	}
	// What the backend signed (the signature made by the official Node SDK).
	signed := url.Values{"folder": {"avatars"}, "timestamp": {"1700000000"}, "api_key": {apiKey},
		"signature": {"fa6286b7bcb45b735abdcd8be32f9d86e1782a4f"}}
	answer := `{"error":{"message":"Invalid Signature fa6286b7bcb45b735abdcd8be32f9d86e1782a4f. String to sign - 'folder=avatars&source=uw&timestamp=1700000000'."}}`
	d, err := s.Explain(answer, signed)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.ServerString)
	fmt.Println(d.SignedString)
	fmt.Println(d.Causes[0][:61])

	_, err = s.Explain("Stale request - reported time is 2015-06-20 12:59:41 +0000 which is more than 1 hour ago", signed)
	fmt.Println(errors.Is(err, uploadsign.ErrInvalidParam))
	// Output:
	// folder=avatars&source=uw&timestamp=1700000000
	// folder=avatars&timestamp=1700000000
	// source was posted (as "uw") but not signed: the Upload Widget
	// true
}

// Destroy deletes an asset with a request the Signer signs, as the SDKs'
// uploader.destroy does; here to a server on this machine that plays
// Cloudinary's part.
func ExampleSigner_Destroy() {
	cloudinary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, r.FormValue("public_id"), r.FormValue("type"), r.FormValue("invalidate"))
		fmt.Fprint(w, `{"result":"ok"}`)
	}))
	defer cloudinary.Close()
	s, err := uploadsign.New(cloudName, apiKey, apiSecret, clock, uploadsign.WithUploadURL(cloudinary.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = s.Destroy(context.Background(), uploadsign.Asset{PublicID: "avatars/user_42", ResourceType: "image", Type: "upload"})
	fmt.Println("destroyed:", err == nil)
	// Output:
	// POST /v1_1/demo/image/destroy avatars/user_42 upload true
	// destroyed: true
}
