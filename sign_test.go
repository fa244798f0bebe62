package uploadsign

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func avatarSets() []ParamSet {
	return []ParamSet{
		{Name: "avatar", Version: 1, Params: Params{Folder: "avatars", Tags: []string{"avatar"}}},
		{Name: "avatar", Version: 2, Params: Params{
			Folder: "profiles/{owner}", PublicID: "avatar", Tags: []string{"avatar", "v2"}, Overwrite: Bool(false),
			Context: map[string]string{"app": "web"}, AllowedFormats: []string{"jpg", "png"},
		}},
		{Name: "document", Version: 1, ResourceType: "raw", Params: Params{Folder: "docs"}},
	}
}

func TestSign(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...), WithUploadURL("http://127.0.0.1:8080/"))
	req := Params{Tags: []string{"user", "avatar"}, Context: map[string]string{"user": "42"}}
	reqBefore := req
	p, err := s.Sign("avatar", 2, Request{Owner: "42", Params: req})
	if err != nil {
		t.Fatal(err)
	}
	want := &Payload{
		URL: "http://127.0.0.1:8080/v1_1/demo/image/upload",
		Fields: map[string]string{
			"allowed_formats": "jpg,png",
			"api_key":         testKey,
			"context":         "app=web|user=42",
			"folder":          "profiles/42",
			"overwrite":       "0",
			"public_id":       "avatar",
			"tags":            "avatar,v2,user",
			"timestamp":       "1700000000",
		},
		Timestamp: 1700000000,
		ExpiresAt: time.Unix(1700003600, 0).UTC(),
		ParamSet:  "avatar",
		Version:   2,
	}
	want.Fields["signature"] = wantSignature(want.Fields, testSecret)
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(reqBefore, req); diff != "" || len(req.Tags) != 2 || len(req.Context) != 1 {
		t.Errorf("Sign modified the request:\n%s", diff)
	}

	doc, err := s.Sign("document", 1, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.URL != "http://127.0.0.1:8080/v1_1/demo/raw/upload" {
		t.Errorf("URL = %q, want the raw upload URL", doc.URL)
	}
}

func TestSignPayloadJSON(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...))
	p, err := s.Sign("avatar", 1, Request{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"url":        "https://api.cloudinary.com/v1_1/demo/image/upload",
		"fields":     map[string]any{"api_key": testKey, "folder": "avatars", "tags": "avatar", "timestamp": "1700000000", "signature": p.Fields["signature"]},
		"timestamp":  1700000000.0,
		"expires_at": "2023-11-14T23:13:20Z",
		"param_set":  "avatar",
		"version":    1.0,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSignErrors(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...))
	tests := []struct {
		name     string
		set      string
		version  int
		req      Params
		wantErr  error
		wantText string
	}{
		{"unknown set", "banner", 1, Params{}, ErrUnknownParamSet, `known sets: "avatar", "document"`},
		{"unknown version", "avatar", 3, Params{}, ErrUnknownParamSet, "known versions: 1, 2"},
		{"version 0", "avatar", 0, Params{}, ErrUnknownParamSet, "known versions"},
		{"request names the upload", "avatar", 1, Params{Folder: "elsewhere"}, ErrInvalidParam, "folder"},
		{"conflicting overwrite", "avatar", 2, Params{Overwrite: Bool(true)}, ErrParamConflict, "overwrite"},
		{"widened formats", "avatar", 2, Params{AllowedFormats: []string{"jpg", "png", "svg"}}, ErrParamConflict, "allowed_formats"},
		{"conflicting context key", "avatar", 2, Params{Context: map[string]string{"app": "ios"}}, ErrParamConflict, `context key "app"`},
		{"context key with pipe", "avatar", 1, Params{Context: map[string]string{"a|b": "c"}}, ErrInvalidParam, "context"},
		{"metadata key with equals", "avatar", 1, Params{Metadata: map[string]string{"a=b": "c"}}, ErrInvalidParam, "metadata"},
		{"empty tag", "avatar", 1, Params{Tags: []string{""}}, ErrInvalidParam, "tags"},
		{"invalid UTF-8", "avatar", 1, Params{DisplayName: "a\xffb"}, ErrInvalidParam, "display_name"},
		{"auto_tagging NaN", "avatar", 1, Params{AutoTagging: nan()}, ErrInvalidParam, "auto_tagging"},
		{"auto_tagging above 1", "avatar", 1, Params{AutoTagging: 1.5}, ErrInvalidParam, "auto_tagging"},
		{"negative rectangle", "avatar", 1, Params{FaceCoordinates: []Rect{{X: -1}}}, ErrInvalidParam, "face_coordinates"},
		{"eager without transformation", "avatar", 1, Params{Eager: []Eager{{Format: "png"}}}, ErrInvalidParam, "eager"},
		{"extra modeled key", "avatar", 1, Params{Extra: map[string]string{"public_id": "x"}}, ErrInvalidParam, "public_id"},
		{"extra file", "avatar", 1, Params{Extra: map[string]string{"file": "x"}}, ErrInvalidParam, "file"},
		{"extra api_key", "avatar", 1, Params{Extra: map[string]string{"api_key": "x"}}, ErrInvalidParam, "api_key"},
		{"extra timestamp", "avatar", 1, Params{Extra: map[string]string{"timestamp": "1"}}, ErrInvalidParam, "timestamp"},
		{"extra upper case", "avatar", 1, Params{Extra: map[string]string{"Source": "uw"}}, ErrInvalidParam, "Source"},
		{"extra with ampersand", "avatar", 1, Params{Extra: map[string]string{"a&b": "x"}}, ErrInvalidParam, "a&b"},
		{"header with newline", "avatar", 1, Params{Headers: map[string]string{"X-A": "1\r\nX-B: 2"}}, ErrInvalidParam, "headers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.Sign(tt.set, tt.version, Request{Owner: testOwner(s, tt.set, tt.version), Params: tt.req})
			if !errors.Is(err, tt.wantErr) || p != nil {
				t.Fatalf("Sign = %v, %v; want nil, %v", p, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
			if n := sentinels(err); n != 1 {
				t.Errorf("error %q wraps %d of the package's sentinels, want one", err, n)
			}
		})
	}
}

func nan() float64 { var zero float64; return zero / zero }

func TestSignWithoutSets(t *testing.T) {
	s := newSigner(t, testSecret)
	_, err := s.Sign("avatar", 1, Request{})
	if !errors.Is(err, ErrUnknownParamSet) || !strings.Contains(err.Error(), "WithParamSets") {
		t.Errorf("err = %v, want ErrUnknownParamSet pointing at WithParamSets", err)
	}
}

func TestSignClockBeforeEpoch(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...), fixedClock(time.Unix(-5, 0)))
	if _, err := s.Sign("avatar", 1, Request{}); !errors.Is(err, ErrInvalidParam) {
		t.Errorf("err = %v, want ErrInvalidParam", err)
	}
}

// TestSetIsCopied changes the caller's slices and maps after New: the
// registered set must not change.
func TestSetIsCopied(t *testing.T) {
	set := ParamSet{Name: "a", Version: 1, Params: Params{
		Tags: []string{"x"}, Context: map[string]string{"k": "v"}, Metadata: map[string]string{"m": "1"},
	}}
	s := newSigner(t, testSecret, WithParamSets(set))
	before, err := s.Sign("a", 1, Request{Params: Params{Tags: []string{"y"}}})
	if err != nil {
		t.Fatal(err)
	}
	set.Params.Tags[0] = "changed"
	set.Params.Context["k"] = "changed"
	set.Params.Metadata["m"] = "changed"
	after, err := s.Sign("a", 1, Request{Params: Params{Tags: []string{"y"}}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("changing the caller's set changed the payload:\n%s", diff)
	}
}

// TestVersionedSetsKeepOldClients is the article's change-management
// story: adding v2 of a set leaves v1's payload unchanged.
func TestVersionedSetsKeepOldClients(t *testing.T) {
	sets := avatarSets()
	v1Only := newSigner(t, testSecret, WithParamSets(sets[0]))
	both := newSigner(t, testSecret, WithParamSets(sets...))
	a, err := v1Only.Sign("avatar", 1, Request{Params: Params{Tags: []string{"u"}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := both.Sign("avatar", 1, Request{Params: Params{Tags: []string{"u"}}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("v1 payload changed when v2 was added:\n%s", diff)
	}
}

// TestConflictMessageQuotesOnlyParams pins the whole text of a conflict
// error: it quotes parameter values, which are the caller's data, and
// nothing else.
func TestConflictMessageQuotesOnlyParams(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...))
	_, err := s.Sign("avatar", 2, Request{Owner: "42", Params: Params{AllowedFormats: []string{"gif"}}})
	want := `uploadsign: parameter conflicts with its parameter set: allowed_formats: the set fixes "jpg,png", the request gives "gif"`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestSingleUse(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "once", Version: 1, SingleUse: true,
		Params: Params{Folder: "uploads"}}))
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		p, err := s.Sign("once", 1, Request{Params: Params{Tags: []string{"x"}}})
		if err != nil {
			t.Fatal(err)
		}
		id := p.Fields["public_id"]
		if len(id) != 26 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz234567") != "" || seen[id] {
			t.Fatalf("public_id %q: want 26 fresh base32 characters", id)
		}
		seen[id] = true
		if p.Fields["overwrite"] != "0" || p.Fields["signature"] != wantSignature(p.Fields, testSecret) {
			t.Fatalf("fields %v", p.Fields)
		}
	}
	for _, tt := range []struct {
		req     Request
		wantErr error
	}{
		{Request{Params: Params{PublicID: "mine"}}, ErrInvalidParam},
		{Request{Owner: "42"}, ErrInvalidParam},
		{Request{Params: Params{Overwrite: Bool(true)}}, ErrParamConflict},
	} {
		if _, err := s.Sign("once", 1, tt.req); !errors.Is(err, tt.wantErr) {
			t.Errorf("request %+v: err = %v, want %v", tt.req, err, tt.wantErr)
		}
	}
	if _, err := s.SignProposed("once", 1, url.Values{"timestamp": {"1700000000"}, "folder": {"uploads"}, "overwrite": {"0"}}, Request{}); !errors.Is(err, ErrParamNotAllowed) {
		t.Errorf("SignProposed on a single-use set: %v, want ErrParamNotAllowed", err)
	}
	for _, bad := range []Params{{PublicID: "fixed"}, {Overwrite: Bool(true)}} {
		_, err := New(testCloud, testKey, testSecret, WithParamSets(ParamSet{Name: "once", Version: 1, SingleUse: true, Params: bad}))
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("single-use set fixing %+v: %v, want ErrInvalidConfig", bad, err)
		}
	}
}

func TestHostileInput(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...))
	huge := strings.Repeat("a", 1<<20)
	manyTags := make([]string, 10000)
	for i := range manyTags {
		manyTags[i] = "t" + strconv.Itoa(i)
	}
	manyExtra := map[string]string{}
	for i := 0; i < 10000; i++ {
		manyExtra["x"+strconv.Itoa(i)] = "v"
	}
	tests := []struct {
		name    string
		req     Params
		wantErr error // nil: signed faithfully
	}{
		{"NUL in value", Params{DisplayName: "a\x00b"}, ErrInvalidParam},
		{"invalid UTF-8 in tag", Params{Tags: []string{"\xc3\x28"}}, ErrInvalidParam},
		{"invalid UTF-8 in context key", Params{Context: map[string]string{"\xff": "v"}}, ErrInvalidParam},
		{"1 MiB value", Params{DisplayName: huge}, nil},
		{"10 000 tags", Params{Tags: manyTags}, nil},
		{"10 000 extra parameters", Params{Extra: manyExtra}, nil},
		{"extra name with =", Params{Extra: map[string]string{"a=b": "x"}}, ErrInvalidParam},
		{"extra name with space", Params{Extra: map[string]string{"a b": "x"}}, ErrInvalidParam},
		{"extra name empty", Params{Extra: map[string]string{"": "x"}}, ErrInvalidParam},
		{"extra name not modeled", Params{Extra: map[string]string{"source": "uw"}}, nil},
		{"context key with =", Params{Context: map[string]string{"a=b": "x"}}, ErrInvalidParam},
		{"context value with = and |", Params{Context: map[string]string{"k": "a=b|c"}}, nil},
		{"auto_tagging negative", Params{AutoTagging: -0.1}, ErrInvalidParam},
		{"auto_tagging +Inf", Params{AutoTagging: math.Inf(1)}, ErrInvalidParam},
		{"auto_tagging tiny", Params{AutoTagging: 1e-7}, nil},
		{"newline in caption", Params{Context: map[string]string{"caption": "line 1\nline 2"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.Sign("avatar", 1, Request{Params: tt.req})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if len(err.Error()) > 400 {
					t.Errorf("error message is %d bytes long", len(err.Error()))
				}
				return
			}
			if p.Fields["signature"] != wantSignature(p.Fields, testSecret) {
				t.Error("the payload's signature is not that of its fields")
			}
		})
	}
}

func TestClockOutOfRange(t *testing.T) {
	for _, now := range []time.Time{time.Unix(0, 0), time.Unix(-1, 0), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(1<<62, 0)} {
		s := newSigner(t, testSecret, WithParamSets(avatarSets()...), fixedClock(now), WithParamSets(widgetSet()))
		if _, err := s.Sign("avatar", 1, Request{}); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("Sign at %v: %v, want ErrInvalidParam", now, err)
		}
		if _, err := s.SignProposed("widget", 1, url.Values{"timestamp": {"1700000000"}}, Request{Owner: "42"}); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("SignProposed at %v: %v, want ErrInvalidParam", now, err)
		}
	}
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...), fixedClock(time.Date(9999, 12, 31, 22, 0, 0, 0, time.UTC)))
	p, err := s.Sign("avatar", 1, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(p); err != nil {
		t.Errorf("the payload of the latest clock does not marshal: %v", err)
	}
}

// TestConcurrentUse signs and verifies from many goroutines through one
// Signer; go test -race reports any shared write.
func TestConcurrentUse(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(append(avatarSets(), widgetSet(),
		ParamSet{Name: "once", Version: 1, SingleUse: true})...))
	want, err := s.Sign("avatar", 2, Request{Owner: "u", Params: Params{Tags: []string{"t"}}})
	if err != nil {
		t.Fatal(err)
	}
	values := benchValues()
	wantValues := sha1Hex(referenceStringToSign(values, 2) + testSecret)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				p, err := s.Sign("avatar", 2, Request{Owner: "u", Params: Params{Tags: []string{"t"}}})
				if err != nil || !cmp.Equal(p, want) {
					errs <- fmt.Errorf("Sign: %v", err)
					return
				}
				if s.SignValues(values) != wantValues {
					errs <- errors.New("SignValues differs")
					return
				}
				if err := s.VerifyUploadResult("x", 1, want.Fields["signature"]); !errors.Is(err, ErrInvalidSignature) {
					errs <- fmt.Errorf("VerifyUploadResult: %v", err)
					return
				}
				if _, err := s.SignProposed("widget", 1, url.Values{"timestamp": {"1700000000"}, "folder": {"avatars/u"}, "tags": {"avatar"}, "overwrite": {"0"}}, Request{Owner: "u"}); err != nil {
					errs <- fmt.Errorf("SignProposed: %v", err)
					return
				}
				if _, err := s.Sign("once", 1, Request{}); err != nil {
					errs <- fmt.Errorf("Sign single-use: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestVersion1RefusesAmpersand: under signature version 1, a value with
// "&" could be posted as two parameters under one signature.
func TestVersion1RefusesAmpersand(t *testing.T) {
	s := newSigner(t, testSecret, WithSignatureVersion(1), WithParamSets(avatarSets()[0], widgetSet()))
	if _, err := s.Sign("avatar", 1, Request{Params: Params{DisplayName: "me&return_delete_token=1"}}); !errors.Is(err, ErrInvalidParam) {
		t.Errorf("Sign: %v, want ErrInvalidParam", err)
	}
	proposed := url.Values{"timestamp": {"1700000000"}, "folder": {"avatars/42"}, "tags": {"avatar"}, "overwrite": {"0"},
		"source": {"me&tags=evil"}}
	if _, err := s.SignProposed("widget", 1, proposed, Request{Owner: "42"}); !errors.Is(err, ErrInvalidParam) || errors.Is(err, ErrParamNotAllowed) {
		t.Errorf("SignProposed: %v, want ErrInvalidParam alone, as Sign", err)
	}
	proposed.Set("source", "me")
	if _, err := s.SignProposed("widget", 1, proposed, Request{Owner: "42"}); err != nil {
		t.Errorf("SignProposed without &: %v", err)
	}
	if _, err := New(testCloud, testKey, testSecret, WithSignatureVersion(1),
		WithParamSets(ParamSet{Name: "a", Version: 1, Params: Params{NotificationURL: "https://x.example/?a=1&b=2"}})); !errors.Is(err, ErrInvalidParam) {
		t.Errorf("New: %v, want ErrInvalidParam", err)
	}
}

func TestContextBackslash(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...))
	tests := []struct {
		context map[string]string
		wantErr error
	}{
		{map[string]string{"path": `C:\dir\file`}, nil},
		{map[string]string{"a": `C:\`, "b": "x"}, ErrInvalidParam},
		{map[string]string{"a": `x\=y`}, ErrInvalidParam},
		{map[string]string{"a": `x\|y`}, ErrInvalidParam},
		{map[string]string{`a\`: "v"}, ErrInvalidParam},
	}
	for _, tt := range tests {
		if _, err := s.Sign("avatar", 1, Request{Params: Params{Context: tt.context}}); !errors.Is(err, tt.wantErr) {
			t.Errorf("context %q: err = %v, want %v", tt.context, err, tt.wantErr)
		}
	}
}

func TestTransformationDecoding(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...))
	for _, bad := range []string{"w_100,%zz", "a%", "%ff%fe"} {
		if _, err := s.Sign("avatar", 1, Request{Params: Params{Transformation: bad}}); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("transformation %q: %v, want ErrInvalidParam (the SDK throws URIError)", bad, err)
		}
	}
}

func TestSignRawForTheCommand(t *testing.T) {
	s := newSigner(t, testSecret)
	p, err := s.signRaw("video", url.Values{"folder": {"clips"}, "tags": {"a", "b"}, "public_id": {""}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"folder": "clips", "tags": "a,b", "timestamp": "1700000000", "api_key": testKey,
		"signature": sha1Hex("folder=clips&tags=a,b&timestamp=1700000000" + testSecret)}
	if diff := cmp.Diff(want, p.Fields); diff != "" || p.URL != "https://api.cloudinary.com/v1_1/demo/video/upload" ||
		p.Timestamp != 1700000000 || !p.ExpiresAt.Equal(testTime.Add(time.Hour)) {
		t.Errorf("payload %+v\n%s", p, diff)
	}
	kept, err := s.signRaw("image", url.Values{"timestamp": {"1315060510"}})
	if err != nil || kept.Fields["timestamp"] != "1315060510" || kept.Timestamp != 1315060510 {
		t.Errorf("a given timestamp: %+v, %v", kept, err)
	}
	v1 := newSigner(t, testSecret, WithSignatureVersion(1))
	for _, tt := range []struct {
		s            *Signer
		resourceType string
		params       url.Values
		want         string
	}{
		{s, "images", url.Values{}, "resource type"},
		{s, "image", url.Values{"api_key": {"x"}}, "api_key"},
		{s, "image", url.Values{"file": {"@x.png"}}, "file"},
		{s, "image", url.Values{"timestamp": {"1", "2"}}, "2 times"},
		{s, "image", url.Values{"timestamp": {"+5"}}, "timestamp"},
		{s, "image", url.Values{"timestamp": {"0"}}, "timestamp"},
		{v1, "image", url.Values{"public_id": {"a&overwrite=1"}}, "&"},
	} {
		before := cloneValues(tt.params)
		if _, err := tt.s.signRaw(tt.resourceType, tt.params); !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("SignRaw(%q, %v): %v, want ErrInvalidParam naming %q", tt.resourceType, tt.params, err, tt.want)
		}
		if !cmp.Equal(before, tt.params) {
			t.Errorf("SignRaw modified %v", tt.params)
		}
	}
}

// TestZeroTimesLeftOutOfJSON: a Params or ParamSet read from JSON and
// written back does not gain zero times (the omitzero options, Go 1.24).
func TestZeroTimesLeftOutOfJSON(t *testing.T) {
	set := ParamSet{Name: "docs", Version: 1, Params: Params{AccessControl: []AccessRule{{AccessType: "token"}}}}
	data, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	for _, zero := range []string{`"start"`, `"end"`, `"deprecated"`, `"sunset"`, "0001-01-01"} {
		if strings.Contains(string(data), zero) {
			t.Errorf("JSON %s holds %s", data, zero)
		}
	}
}
