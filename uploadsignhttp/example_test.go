package uploadsignhttp_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
)

func ExampleNewHandler() {
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithClock(func() time.Time { return time.Unix(1700000000, 0) }),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1,
			Params: uploadsign.Params{Folder: "avatars", Overwrite: uploadsign.Bool(false)}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	// authorize decides who may upload and what they may name the file.
	authorize := func(r *http.Request) (uploadsign.Params, error) {
		user := r.Header.Get("X-User") // your session lookup
		if user == "" {
			return uploadsign.Params{}, &uploadsignhttp.StatusError{Code: 401, Message: "log in first"}
		}
		return uploadsign.Params{PublicID: "user_" + user}, nil
	}
	mux := http.NewServeMux()
	mux.Handle("/uploads/signature", uploadsignhttp.NewHandler(signer, authorize))

	// What the browser's fetch does:
	for _, user := range []string{"42", ""} {
		r := httptest.NewRequest("POST", "/uploads/signature", strings.NewReader(`{"param_set": "avatar", "version": 1}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-User", user)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Get("Cache-Control"))
		if w.Code != 200 {
			fmt.Print(w.Body)
		}
	}
	// Output:
	// 200 no-store
	// 401 no-store
	// {"error":"log in first"}
}

// The Upload Widget's signature endpoint, as next-cloudinary's
// CldUploadWidget calls it (signatureEndpoint="/api/sign-widget").
func ExampleNewProposalHandler() {
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithClock(func() time.Time { return time.Unix(1700000000, 0) }),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar-widget", Version: 1,
			Params:       uploadsign.Params{Folder: "avatars", Tags: []string{"avatar"}},
			ClientParams: []string{"source"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	// authorize binds the public_id to the logged-in user.
	authorize := func(r *http.Request) (uploadsign.Params, error) {
		user := r.Header.Get("X-User") // your session lookup
		if user == "" {
			return uploadsign.Params{}, &uploadsignhttp.StatusError{Code: 401, Message: "log in first"}
		}
		return uploadsign.Params{PublicID: "user_" + user}, nil
	}
	mux := http.NewServeMux()
	mux.Handle("/api/sign-widget", uploadsignhttp.NewProposalHandler(signer, "avatar-widget", 1, authorize))

	// What next-cloudinary's fetch sends: JSON with no Content-Type. The
	// signature is the one the official Node SDK makes of the proposal.
	for _, publicID := range []string{"user_42", "user_7"} {
		body := `{"paramsToSign": {"timestamp": 1700000000, "source": "uw", "folder": "avatars", "tags": ["avatar"], "public_id": "` + publicID + `"}}`
		r := httptest.NewRequest("POST", "/api/sign-widget", strings.NewReader(body))
		r.Header.Set("X-User", "42")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Print(w.Code, " ", w.Body)
	}
	// Output:
	// 200 {"api_key":"123456789012345","signature":"b4603581e8104f21d7c92b41293317da22f2c5b1"}
	// 403 {"error":"uploadsign: parameter not allowed: public_id: the request binds \"user_42\", the proposal has \"user_7\""}
}

func ExampleVerifyNotificationRequest() {
	// The notification and its headers are signed by the official Node SDK
	// with the secret "abcd" (testdata/golden/verify.json).
	signer, err := uploadsign.New("demo", "123456789012345", "abcd",
		uploadsign.WithClock(func() time.Time { return time.Unix(1700000060, 0) }))
	if err != nil {
		fmt.Println(err)
		return
	}
	webhook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := uploadsignhttp.VerifyNotificationRequest(signer, r)
		if err != nil {
			http.Error(w, "not from Cloudinary", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "stored %d bytes", len(body))
	})

	for _, signature := range []string{"b18b85f5ef77b9eacd80219e6906d01579512b94", "forged"} {
		r := httptest.NewRequest("POST", "/cloudinary/webhook",
			strings.NewReader(`{"notification_type":"upload","public_id":"sample","version":1700000000}`))
		r.Header.Set("X-Cld-Timestamp", "1700000000")
		r.Header.Set("X-Cld-Signature", signature)
		w := httptest.NewRecorder()
		webhook.ServeHTTP(w, r)
		out, _ := io.ReadAll(w.Body)
		fmt.Println(w.Code, strings.TrimSpace(string(out)))
	}
	// Output:
	// 200 stored 72 bytes
	// 401 not from Cloudinary
}
