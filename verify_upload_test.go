package uploadsign

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// resultSignature is Cloudinary's signature of an upload result, written
// here from the rule (SHA-1 of "public_id=ID&version=V" and the secret)
// rather than taken from the code under test.
func resultSignature(publicID string, version int64, secret string) string {
	return sha1Hex("public_id=" + publicID + "&version=" + strconv.FormatInt(version, 10) + secret)
}

// TestVerifyUploadURLGolden: the URL of every verified golden upload is
// the one the Node SDK's cloudinary.url builds.
func TestVerifyUploadURLGolden(t *testing.T) {
	g := readURLGolden(t)
	// A set of each type, for any resource type.
	// A set of each type, for any resource type, whose uploads go to any
	// folder the browser chooses.
	sets := []ParamSet{{Name: "upload", Version: 1, ResourceType: "auto", ClientParams: []string{"folder"}},
		{Name: "authenticated", Version: 1, ResourceType: "auto", Params: Params{Type: "authenticated"}, ClientParams: []string{"folder"}},
		{Name: "private", Version: 1, ResourceType: "auto", Params: Params{Type: "private"}, ClientParams: []string{"folder"}}}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			s := newSigner(t, g.APISecret, WithDeliveryURL(c.Prefix), WithParamSets(sets...))
			u, err := s.VerifyUploadOf(c.Type, 1, Request{}, UploadResult{PublicID: c.PublicID, Version: c.Version,
				Signature: resultSignature(c.PublicID, c.Version, g.APISecret), ResourceType: c.ResourceType,
				Type: c.Type, Format: c.Format, APIKey: testKey})
			if err != nil {
				t.Fatal(err)
			}
			want := &Asset{PublicID: c.PublicID, Version: c.Version, ResourceType: c.ResourceType, Type: c.Type, Format: c.Format, URL: c.URL}
			if diff := cmp.Diff(want, &u.Asset); diff != "" {
				t.Errorf("(-Node SDK +uploadsign):\n%s", diff)
			}
		})
	}
}

// TestVerifyUploadIgnoresReportedURL: a genuine result whose secure_url
// the browser forged verifies, and the Asset's URL is the one built.
func TestVerifyUploadIgnoresReportedURL(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "avatar", Version: 1, Params: Params{Folder: "avatars", PublicID: "user_{owner}"}}))
	report := fmt.Sprintf(`{"public_id":"avatars/user_42","version":1700000000,"signature":%q,"resource_type":"image",
		"type":"upload","format":"png","api_key":%q,"bytes":1234,"width":40,"height":30,
		"url":"http://evil.example/not-your-avatar.png","secure_url":"https://evil.example/not-your-avatar.png"}`,
		resultSignature("avatars/user_42", 1700000000, testSecret), testKey)
	var r UploadResult
	if err := json.Unmarshal([]byte(report), &r); err != nil {
		t.Fatal(err)
	}
	a, err := s.VerifyUploadOf("avatar", 1, Request{Owner: "42"}, r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://res.cloudinary.com/demo/image/upload/v1700000000/avatars/user_42.png"; a.Asset.URL != want {
		t.Errorf("URL %q, want %q", a.Asset.URL, want)
	}
	if r.Bytes != 1234 || r.Width != 40 {
		t.Errorf("unverified fields not decoded: %+v", r)
	}
}

func TestVerifyUploadRefuses(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "avatar", Version: 1, Params: Params{Folder: "avatars", PublicID: "user_{owner}"}}))
	genuine := UploadResult{PublicID: "avatars/user_42", Version: 1700000000, ResourceType: "image", Type: "upload",
		Format: "png", APIKey: testKey, Signature: resultSignature("avatars/user_42", 1700000000, testSecret)}
	with := func(change func(r *UploadResult)) UploadResult {
		r := genuine
		change(&r)
		return r
	}
	resign := func(r *UploadResult) { r.Signature = resultSignature(r.PublicID, r.Version, testSecret) }
	tests := []struct {
		name    string
		result  UploadResult
		wantErr error
		field   string
	}{
		{"another public_id", with(func(r *UploadResult) { r.PublicID = "avatars/user_7" }), ErrInvalidSignature, "does not match"},
		{"another version", with(func(r *UploadResult) { r.Version++ }), ErrInvalidSignature, "does not match"},
		{"no signature", with(func(r *UploadResult) { r.Signature = "" }), ErrInvalidSignature, "signature"},
		{"empty public_id", with(func(r *UploadResult) { r.PublicID = ""; resign(r) }), ErrInvalidParam, "public_id"},
		{"version 0", with(func(r *UploadResult) { r.Version = 0; resign(r) }), ErrInvalidParam, "version"},
		{"negative version", with(func(r *UploadResult) { r.Version = -5; resign(r) }), ErrInvalidParam, "version"},
		{"resource type auto", with(func(r *UploadResult) { r.ResourceType = "auto" }), ErrInvalidParam, "resource_type"},
		{"resource type missing", with(func(r *UploadResult) { r.ResourceType = "" }), ErrInvalidParam, "resource_type"},
		{"resource type video", with(func(r *UploadResult) { r.ResourceType = "video" }), ErrUploadMismatch, "resource_type"},
		{"resource type raw", with(func(r *UploadResult) { r.ResourceType = "raw" }), ErrUploadMismatch, "resource_type"},
		{"type fetch", with(func(r *UploadResult) { r.Type = "fetch" }), ErrInvalidParam, "type"},
		{"type missing", with(func(r *UploadResult) { r.Type = "" }), ErrInvalidParam, "type"},
		{"type authenticated", with(func(r *UploadResult) { r.Type = "authenticated" }), ErrUploadMismatch, "type"},
		{"type private", with(func(r *UploadResult) { r.Type = "private" }), ErrUploadMismatch, "type"},
		{"format with a path", with(func(r *UploadResult) { r.Format = "png/../../x" }), ErrInvalidParam, "format"},
		{"format with a query", with(func(r *UploadResult) { r.Format = "png?x=1" }), ErrInvalidParam, "format"},
		{"public_id with %", with(func(r *UploadResult) { r.PublicID = "a%2Fb"; resign(r) }), ErrInvalidParam, "public_id"},
		{"public_id a URL", with(func(r *UploadResult) { r.PublicID = "https://evil.example/x"; resign(r) }), ErrInvalidParam, "public_id"},
		{"public_id with ..", with(func(r *UploadResult) { r.PublicID = "a/../b"; resign(r) }), ErrInvalidParam, "public_id"},
		{"public_id under a version folder", with(func(r *UploadResult) { r.PublicID = "v3/x"; resign(r) }), ErrInvalidParam, "public_id"},
		{"public_id of another user", with(func(r *UploadResult) { r.PublicID = "avatars/user_7"; resign(r) }), ErrUploadMismatch, "public_id"},
		{"public_id elsewhere", with(func(r *UploadResult) { r.PublicID = "user_42"; resign(r) }), ErrUploadMismatch, "public_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := s.VerifyUploadOf("avatar", 1, Request{Owner: "42"}, tt.result)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.field) || a != nil {
				t.Errorf("VerifyUploadOf = %v, %v; want %v naming %q", a, err, tt.wantErr, tt.field)
			}
			for _, other := range []error{ErrInvalidParam, ErrInvalidSignature, ErrUploadMismatch} {
				if other != tt.wantErr && errors.Is(err, other) {
					t.Errorf("VerifyUploadOf: %v, also %v", err, other)
				}
			}
		})
	}
	// VerifyUploadOf takes the resource type and type from the set.
	s = newSigner(t, testSecret, WithParamSets(
		ParamSet{Name: "docs", Version: 1, Params: Params{Folder: "docs", Type: "authenticated"}},
		ParamSet{Name: "photos", Version: 1, Params: Params{Folder: "photos"}},
		ParamSet{Name: "clips", Version: 1, ResourceType: "video", Params: Params{Folder: "clips"}},
		ParamSet{Name: "any", Version: 1, ResourceType: "auto", Params: Params{Folder: "any"}}))
	in := func(folder string, change func(r *UploadResult)) UploadResult {
		r := genuine
		r.PublicID = folder + "/x"
		if change != nil {
			change(&r)
		}
		resign(&r)
		return r
	}
	authenticated := func(r *UploadResult) { r.Type = "authenticated" }
	for _, tt := range []struct {
		set     string
		result  UploadResult
		wantErr error
		want    string // in the URL or the error
	}{
		{"docs", in("docs", authenticated), nil, "/image/authenticated/s--"},
		{"docs", in("docs", nil), ErrUploadMismatch, "uploads type authenticated"},
		{"photos", in("photos", nil), nil, "/image/upload/v1700000000/"},
		{"photos", in("photos", authenticated), ErrUploadMismatch, "uploads type upload"},
		{"clips", in("clips", nil), ErrUploadMismatch, "uploads video"},
		{"any", in("any", nil), nil, "/image/upload/v1700000000/"},
		{"any", in("any", authenticated), ErrUploadMismatch, "uploads type upload"},
		{"nope", in("photos", nil), ErrUnknownParamSet, "nope"},
		{"photos", with(func(r *UploadResult) { r.PublicID = "photos/y" }), ErrInvalidSignature, "does not match"},
	} {
		a, err := s.VerifyUploadOf(tt.set, 1, Request{}, tt.result)
		switch {
		case !errors.Is(err, tt.wantErr):
			t.Errorf("VerifyUploadOf(%s, %+v): %v, want %v", tt.set, tt.result, err, tt.wantErr)
		case err != nil && !strings.Contains(err.Error(), tt.want):
			t.Errorf("VerifyUploadOf(%s): %v, want it to say %q", tt.set, err, tt.want)
		case err == nil && !strings.Contains(a.Asset.URL, tt.want):
			t.Errorf("VerifyUploadOf(%s): URL %s, want %q in it", tt.set, a.Asset.URL, tt.want)
		}
	}
	for _, req := range []Params{{Type: "authenticated"}, {Folder: "a//b"}} {
		if _, err := s.VerifyUploadOf("photos", 1, Request{Params: req}, in("photos", nil)); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("VerifyUploadOf(photos, %+v): %v, want ErrInvalidParam: a request does not say where uploads go", req, err)
		}
	}
}

func TestWithDeliveryURL(t *testing.T) {
	for _, bad := range []string{"res.cloudinary.com/demo", "https://res.cloudinary.com/demo/", "ftp://x", "https://user:pw@x.example",
		"https://x.example?a=1", "https://x.example/a/../b"} {
		_, err := New(testCloud, testKey, testSecret, WithDeliveryURL(bad))
		if !errors.Is(err, ErrInvalidConfig) || strings.Contains(err.Error(), "pw@") {
			t.Errorf("WithDeliveryURL(%q): %v, want ErrInvalidConfig without the prefix", bad, err)
		}
	}
	s := newSigner(t, testSecret)
	if s.CloudName() != testCloud {
		t.Errorf("CloudName() = %q", s.CloudName())
	}
}

// TestPreviousKeys: results and notifications signed with a previous
// secret verify; a third, unknown one does not.
func TestPreviousKeys(t *testing.T) {
	const current, previous, unknown = "current-secret", "previous-secret", "unknown-secret"
	const oldKey = "222222222222222"
	s := newSigner(t, current, WithPreviousKey(oldKey, previous), WithParamSets(ParamSet{Name: "any", Version: 1}))
	body, ts := []byte(`{"notification_type":"upload"}`), strconv.FormatInt(testTime.Unix(), 10)
	result := func(secret, apiKey string) UploadResult {
		return UploadResult{PublicID: "x", Version: 7, ResourceType: "image", Type: "upload", APIKey: apiKey,
			Signature: resultSignature("x", 7, secret)}
	}
	tests := []struct {
		name    string
		secret  string
		apiKey  string // named by the result
		genuine bool
	}{
		{"current key", current, testKey, true},
		{"previous key", previous, oldKey, true},
		{"previous secret, key not named", previous, "", true},
		{"previous secret, unknown key named", previous, "333333333333333", true},
		{"previous secret, current key named", previous, testKey, false},
		{"current secret, previous key named", current, oldKey, false},
		{"unknown secret", unknown, "", false},
		{"unknown secret, current key named", unknown, testKey, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := result(tt.secret, tt.apiKey)
			_, err := s.VerifyUploadOf("any", 1, Request{}, r)
			if tt.genuine != (err == nil) || err != nil && !errors.Is(err, ErrInvalidSignature) {
				t.Errorf("VerifyUploadOf: %v, genuine %v", err, tt.genuine)
			}
			if tt.apiKey == "" {
				if err := s.VerifyUploadResult(r.PublicID, r.Version, r.Signature); tt.genuine != (err == nil) {
					t.Errorf("VerifyUploadResult: %v", err)
				}
				_, err := s.VerifyNotification(body, ts, sha1Hex(string(body)+ts+tt.secret))
				if tt.genuine != (err == nil) || err != nil && !errors.Is(err, ErrInvalidSignature) {
					t.Errorf("VerifyNotification: %v, genuine %v", err, tt.genuine)
				}
			}
		})
	}
	// The Signer signs with its own key only.
	if got, want := s.SignValues(map[string][]string{"timestamp": {"1"}}), sha1Hex("timestamp=1"+current); got != want {
		t.Errorf("SignValues = %s, want the current key's %s", got, want)
	}
	for _, bad := range [][2]string{
		{testKey, "x"}, // the current key again
		{"", "a"},
		{"1", ""},
		{"1", "with space " + previous},
		{"1", previous + "\n"},
	} {
		_, err := New(testCloud, testKey, current, WithPreviousKey(bad[0], bad[1]))
		if !errors.Is(err, ErrInvalidConfig) || strings.Contains(err.Error(), previous) {
			t.Errorf("WithPreviousKey(%q, ...): %v, want ErrInvalidConfig without the secret", bad[0], err)
		}
	}
	_, err := New(testCloud, testKey, current, WithPreviousKey("1", "a"), WithPreviousKey("1", "b"))
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "twice") {
		t.Errorf("one API key given twice: %v, want ErrInvalidConfig", err)
	}
}

func BenchmarkVerifyUploadRotation(b *testing.B) {
	req, set := Params{}, ParamSet{Name: "any", Version: 1}
	one := newSigner(b, testSecret, WithParamSets(set))
	three := newSigner(b, testSecret, WithParamSets(set), WithPreviousKey("2", "b"), WithPreviousKey("3", "c"))
	r := UploadResult{PublicID: "x", Version: 7, ResourceType: "image", Type: "upload", Signature: resultSignature("x", 7, testSecret)}
	for _, bc := range []struct {
		name string
		s    *Signer
	}{{"one key", one}, {"three keys", three}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := bc.s.VerifyUploadOf("any", 1, Request{Params: req}, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
