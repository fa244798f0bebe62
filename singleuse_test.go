package uploadsign_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// TestSingleUseOnePerResourceType: the resource type is in the upload URL,
// not in the signature, so one single-use payload posted to the image and
// raw endpoints makes two assets under its public_id; VerifyUploadOf
// accepts only the set's resource type.
func TestSingleUseOnePerResourceType(t *testing.T) {
	const secret = "single-use-test-secret"
	now := time.Unix(1700000000, 0)
	fake := uploadsigntest.NewServer("demo", "123456789012345", secret, uploadsigntest.WithClock(func() time.Time { return now }))
	defer fake.Close()
	s, err := uploadsign.New("demo", "123456789012345", secret, uploadsign.WithUploadURL(fake.URL),
		uploadsign.WithClock(func() time.Time { return now }),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "once", Version: 1, SingleUse: true, Params: uploadsign.Params{Folder: "once"}}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Sign("once", 1, uploadsign.Request{})
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]uploadsign.UploadResult{}
	for _, resourceType := range []string{"image", "raw"} {
		url := strings.Replace(p.URL, "/image/upload", "/"+resourceType+"/upload", 1)
		answer, err := uploadsigntest.Post(url, p.Fields, "a.gif", gif1x1)
		if err != nil || answer.Status != 200 {
			t.Fatalf("the payload posted to %s: %v %v", url, answer, err)
		}
		results[resourceType] = answer.Result
	}
	if len(fake.Uploads()) != 2 {
		t.Errorf("%d assets from one single-use payload, want one per resource type (2)", len(fake.Uploads()))
	}
	if _, err := s.VerifyUploadOf("once", 1, uploadsign.Request{}, results["image"]); err != nil {
		t.Errorf("the image: %v", err)
	}
	if _, err := s.VerifyUploadOf("once", 1, uploadsign.Request{}, results["raw"]); !errors.Is(err, uploadsign.ErrUploadMismatch) {
		t.Errorf("the raw file from the same payload: %v, want ErrUploadMismatch", err)
	}
}
