package uploadsign_test

import (
	"encoding/json"
	"errors"
	"fmt"
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
				Folder: "avatars",
				Tags:   []string{"avatar"},
			}},
			// Clients built for version 1 keep getting version 1.
			// Version 2 gives each user one avatar, which the user alone may
			// replace.
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

func ExampleSigner_VerifyNotification() {
	// One minute after the notification was sent.
	s, err := uploadsign.New(cloudName, apiKey, apiSecret,
		uploadsign.WithClock(func() time.Time { return time.Unix(1700000060, 0) }))
	if err != nil {
		fmt.Println(err)
		return
	}
	body := []byte(`{"notification_type":"upload","public_id":"sample","version":1700000000}`)
	timestamp := "1700000000"                               // X-Cld-Timestamp
	signature := "b18b85f5ef77b9eacd80219e6906d01579512b94" // X-Cld-Signature
	if _, err := s.VerifyNotification(body, timestamp, signature); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("genuine notification")

	// Three hours later the same notification has expired.
	late, _ := uploadsign.New(cloudName, apiKey, apiSecret,
		uploadsign.WithClock(func() time.Time { return time.Unix(1700010800, 0) }))
	_, err = late.VerifyNotification(body, timestamp, signature)
	fmt.Println(errors.Is(err, uploadsign.ErrExpired), err)
	// Output:
	// genuine notification
	// true uploadsign: expired: notification is 3h0m0s old, more than 2h0m0s
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
