package uploadsigntest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// FuzzParamsRoundTrip builds typed Params from random input: Sign must not
// panic, must refuse only with ErrInvalidParam or ErrParamConflict, and a
// payload it makes must carry the signature of its own fields and be
// accepted by the fake upload endpoint.
func FuzzParamsRoundTrip(f *testing.F) {
	var typed []struct {
		Params uploadsign.Params `json:"params"`
	}
	readGolden(f, "upload_params.json", &typed)
	for _, c := range typed {
		p := c.Params
		tags := append(p.Tags, "", "")
		var ctxKey, ctxValue, extraKey, extraValue, eager string
		for k, v := range p.Context {
			ctxKey, ctxValue = k, v
		}
		for k, v := range p.Extra {
			extraKey, extraValue = k, v
		}
		if len(p.Eager) > 0 {
			eager = p.Eager[0].Transformation
		}
		f.Add(p.PublicID, p.Folder, tags[0], tags[1], ctxKey, ctxValue, eager, extraKey, extraValue, p.AutoTagging, uint8(3))
	}
	srv := uploadsigntest.NewServer(cloud, key, secret, uploadsigntest.WithClock(func() time.Time { return testTime }))
	defer srv.Close()
	s, err := uploadsign.New(cloud, key, secret, uploadsign.WithUploadURL(srv.URL),
		uploadsign.WithClock(func() time.Time { return testTime }),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "fuzz", Version: 1, Params: uploadsign.Params{
			Folder: "fixed", PublicID: "{owner}", Tags: []string{"fixed"}, Context: map[string]string{"set": "yes"},
		}}))
	if err != nil {
		f.Fatal(err)
	}
	png := pngImage(f, 2, 2)
	f.Fuzz(func(t *testing.T, publicID, folder, tag1, tag2, ctxKey, ctxValue, eager, extraKey, extraValue string, autoTagging float64, flags uint8) {
		req := uploadsign.Params{
			Tags:        []string{tag1, tag2},
			Context:     map[string]string{ctxKey: ctxValue},
			Metadata:    map[string]string{ctxValue: ctxKey},
			AutoTagging: autoTagging,
			Extra:       map[string]string{extraKey: extraValue},
		}
		if flags&1 != 0 {
			req.DisplayName = folder
		}
		if flags&2 != 0 {
			req.Eager = []uploadsign.Eager{{Transformation: eager, Format: folder}}
		}
		if flags&4 != 0 {
			req.Overwrite = uploadsign.Bool(flags&8 != 0)
		}
		p, err := s.Sign("fuzz", 1, uploadsign.Request{Owner: publicID, Params: req})
		if err != nil {
			if !errors.Is(err, uploadsign.ErrInvalidParam) && !errors.Is(err, uploadsign.ErrParamConflict) {
				t.Fatalf("Sign: %v", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatal("the error shows the secret")
			}
			return
		}
		answer, err := uploadsigntest.Post(p.URL, p.Fields, "f.png", png)
		if err != nil || answer.Status != http.StatusOK {
			data, _ := json.Marshal(p.Fields)
			t.Fatalf("the fake refused %s: %v %v", data, answer, err)
		}
	})
}
