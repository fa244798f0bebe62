package uploadsign

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name               string
		cloud, key, secret string
		opts               []Option
		wantInMessage      string
	}{
		{"empty cloud", "", testKey, testSecret, nil, "cloud name"},
		{"cloud with slash", "a/b", testKey, testSecret, nil, "cloud name"},
		{"cloud with dots", "..", testKey, testSecret, nil, "cloud name"},
		{"cloud with space", "my cloud", testKey, testSecret, nil, "cloud name"},
		{"cloud unicode", "clöud", testKey, testSecret, nil, "cloud name"},
		{"cloud too long", strings.Repeat("c", 300), testKey, testSecret, nil, "cloud name"},
		{"empty key", testCloud, "", testSecret, nil, "API key"},
		{"key with newline", testCloud, testKey + "\n", testSecret, nil, "API key"},
		{"empty secret", testCloud, testKey, "", nil, "API secret"},
		{"secret with space", testCloud, testKey, " " + testSecret, nil, "API secret"},
		{"secret with control", testCloud, testKey, testSecret + "\x00", nil, "API secret"},
		{"algorithm", testCloud, testKey, testSecret, []Option{WithAlgorithm("md5")}, "WithAlgorithm"},
		{"algorithm case", testCloud, testKey, testSecret, []Option{WithAlgorithm("SHA1")}, "WithAlgorithm"},
		{"signature version 0", testCloud, testKey, testSecret, []Option{WithSignatureVersion(0)}, "WithSignatureVersion"},
		{"signature version 3", testCloud, testKey, testSecret, []Option{WithSignatureVersion(3)}, "WithSignatureVersion"},
		{"nil clock", testCloud, testKey, testSecret, []Option{WithClock(nil)}, "WithClock"},
		{"max age zero", testCloud, testKey, testSecret, []Option{WithNotificationMaxAge(0)}, "WithNotificationMaxAge"},
		{"upload URL relative", testCloud, testKey, testSecret, []Option{WithUploadURL("/upload")}, "WithUploadURL"},
		{"upload URL no scheme", testCloud, testKey, testSecret, []Option{WithUploadURL("api.cloudinary.com")}, "WithUploadURL"},
		{"upload URL ftp", testCloud, testKey, testSecret, []Option{WithUploadURL("ftp://api.cloudinary.com")}, "WithUploadURL"},
		{"upload URL javascript", testCloud, testKey, testSecret, []Option{WithUploadURL("javascript:alert(1)")}, "WithUploadURL"},
		{"upload URL query", testCloud, testKey, testSecret, []Option{WithUploadURL("https://a.example?x=1")}, "WithUploadURL"},
		{"upload URL user", testCloud, testKey, testSecret, []Option{WithUploadURL("https://u:p@a.example")}, "WithUploadURL"},
		{"set without name", testCloud, testKey, testSecret, []Option{WithParamSets(ParamSet{Version: 1})}, "no name"},
		{"set version 0", testCloud, testKey, testSecret, []Option{WithParamSets(ParamSet{Name: "a"})}, "version"},
		{"set resource type", testCloud, testKey, testSecret, []Option{WithParamSets(ParamSet{Name: "a", Version: 1, ResourceType: "document"})}, "resource type"},
		{"set twice", testCloud, testKey, testSecret, []Option{WithParamSets(ParamSet{Name: "a", Version: 1}, ParamSet{Name: "a", Version: 1})}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cloud, tt.key, tt.secret, tt.opts...)
			if !errors.Is(err, ErrInvalidConfig) || s != nil {
				t.Fatalf("New = %v, %v; want nil, ErrInvalidConfig", s, err)
			}
			if !strings.Contains(err.Error(), tt.wantInMessage) {
				t.Errorf("error %q does not name %q", err, tt.wantInMessage)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q contains the secret", err)
			}
		})
	}
}

func TestNewInvalidSetParams(t *testing.T) {
	_, err := New(testCloud, testKey, testSecret, WithParamSets(ParamSet{
		Name: "avatar", Version: 1, Params: Params{Tags: []string{"a,b"}},
	}))
	if !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), "tags") || !strings.Contains(err.Error(), `"avatar" version 1`) {
		t.Errorf("err = %v, want ErrInvalidParam naming the set and tags", err)
	}
}

func TestFromURL(t *testing.T) {
	tests := []struct {
		name      string
		url       string
		opts      []Option
		wantErr   error
		wantURL   string
		algorithm Algorithm
		version   int
	}{
		{name: "plain", url: "cloudinary://123:abc@demo", wantURL: "https://api.cloudinary.com/v1_1/demo/image/upload", algorithm: SHA1, version: 2},
		{name: "percent-escaped secret", url: "cloudinary://123:a%2Fb@demo", wantURL: "https://api.cloudinary.com/v1_1/demo/image/upload", algorithm: SHA1, version: 2},
		{name: "query settings", url: "cloudinary://123:abc@demo?upload_prefix=https://api-eu.cloudinary.com&signature_algorithm=SHA256&signature_version=1&secure=true",
			wantURL: "https://api-eu.cloudinary.com/v1_1/demo/image/upload", algorithm: SHA256, version: 1},
		{name: "options override the URL", url: "cloudinary://123:abc@demo?signature_algorithm=sha256", opts: []Option{WithAlgorithm(SHA1)},
			wantURL: "https://api.cloudinary.com/v1_1/demo/image/upload", algorithm: SHA1, version: 2},
		{name: "wrong scheme", url: "https://123:abc@demo", wantErr: ErrInvalidConfig},
		{name: "empty", url: "", wantErr: ErrInvalidConfig},
		{name: "no secret", url: "cloudinary://123@demo", wantErr: ErrInvalidConfig},
		{name: "empty secret", url: "cloudinary://123:@demo", wantErr: ErrInvalidConfig},
		{name: "no cloud", url: "cloudinary://123:abc", wantErr: ErrInvalidConfig},
		{name: "empty cloud", url: "cloudinary://123:abc@", wantErr: ErrInvalidConfig},
		{name: "bad escape", url: "cloudinary://123:abc%zz@demo", wantErr: ErrInvalidConfig},
		{name: "fragment", url: "cloudinary://123:abc@demo#x", wantErr: ErrInvalidConfig},
		{name: "bad signature_version", url: "cloudinary://123:abc@demo?signature_version=two", wantErr: ErrInvalidConfig},
		{name: "bad algorithm", url: "cloudinary://123:abc@demo?signature_algorithm=md5", wantErr: ErrInvalidConfig},
		{name: "bad upload_prefix", url: "cloudinary://123:abc@demo?upload_prefix=ftp://x", wantErr: ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := FromURL(tt.url, append([]Option{WithParamSets(ParamSet{Name: "a", Version: 1})}, tt.opts...)...)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "abc") {
					t.Errorf("error %q contains the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p, err := s.Sign("a", 1, Request{})
			if err != nil {
				t.Fatal(err)
			}
			got := []any{p.URL, s.algorithm, s.version}
			want := []any{tt.wantURL, tt.algorithm, tt.version}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	s, err := FromURL("cloudinary://123:a%2Fb@demo")
	if err != nil {
		t.Fatal(err)
	}
	if s.SignValues(url.Values{"timestamp": {"1"}}) != sha1Hex("timestamp=1a/b") || s.apiKey != "123" || s.cloudName != "demo" {
		t.Errorf("parsed %q %q; want key 123, cloud demo and the escape decoded", s.apiKey, s.cloudName)
	}
}

// TestConfigErrorsQuoteNoCredential: no error of New, FromURL or an option
// holds the secret, a URL's user information or the part of a Cloudinary
// URL it complains about; each names the part instead.
func TestConfigErrorsQuoteNoCredential(t *testing.T) {
	const secret, password, part = "S3CRET-do-not-show", "PASSW0RD-do-not-show", "PART-do-not-show"
	tests := []struct {
		name string
		err  func() error
		want string // names the part
	}{
		{"upload URL with a password", func() error {
			_, err := New(testCloud, testKey, secret, WithUploadURL("https://user:"+password+"@api.example"))
			return err
		}, "user information"},
		{"upload URL with a query", func() error {
			_, err := New(testCloud, testKey, secret, WithUploadURL("https://api.example/?token="+password))
			return err
		}, "query"},
		{"upload URL not http", func() error {
			_, err := New(testCloud, testKey, secret, WithUploadURL("ftp://"+password+"@x"))
			return err
		}, "upload URL"},
		{"delivery URL with a password", func() error {
			_, err := New(testCloud, testKey, secret, WithDeliveryURL("https://user:"+password+"@res.example"))
			return err
		}, "user information"},
		{"cloud name", func() error { _, err := New(part+"/x", testKey, secret); return err }, "cloud name"},
		{"secret with a space", func() error { _, err := New(testCloud, testKey, secret+" "+password); return err }, "API secret"},
		{"previous secret with a space", func() error {
			_, err := New(testCloud, testKey, secret, WithPreviousKey("9", password+" x"))
			return err
		}, "API secret"},
		{"URL: cloud name", func() error { _, err := FromURL("cloudinary://1:" + secret + "@" + part + "/x"); return err }, "cloud name"},
		{"URL: upload_prefix with a password", func() error {
			_, err := FromURL("cloudinary://1:" + secret + "@demo?upload_prefix=https://u:" + password + "@x.example")
			return err
		}, "upload_prefix"},
		{"URL: upload_prefix not http", func() error {
			_, err := FromURL("cloudinary://1:" + secret + "@demo?upload_prefix=" + part)
			return err
		}, "upload_prefix"},
		{"URL: signature_algorithm", func() error {
			_, err := FromURL("cloudinary://1:" + secret + "@demo?signature_algorithm=" + part)
			return err
		}, "signature_algorithm"},
		{"URL: signature_version", func() error {
			_, err := FromURL("cloudinary://1:" + secret + "@demo?signature_version=" + part)
			return err
		}, "signature_version"},
		{"URL: signature_version 3", func() error {
			_, err := FromURL("cloudinary://1:" + secret + "@demo?signature_version=3")
			return err
		}, "signature_version"},
		{"URL: no cloud", func() error { _, err := FromURL("cloudinary://1:" + secret); return err }, "@CLOUD_NAME"},
		{"URL: secret with a space", func() error { _, err := FromURL("cloudinary://1:" + secret + "%20@demo"); return err }, "API secret"},
		{"URL: fragment", func() error { _, err := FromURL("cloudinary://1:" + secret + "@demo#" + part); return err }, "fragment"},
		{"URL: scheme", func() error { _, err := FromURL("https://1:" + secret + "@" + part); return err }, "cloudinary://"},
	}
	for _, tt := range tests {
		err := tt.err()
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", tt.name, err)
			continue
		}
		msg, leaked := err.Error(), false
		for _, leak := range []string{secret, password, part} {
			if strings.Contains(msg, leak) {
				t.Errorf("%s: the error quotes what it should only name (%d bytes of it)", tt.name, len(leak))
				leaked = true
			}
		}
		if !leaked && !strings.Contains(msg, tt.want) {
			t.Errorf("%s: %q does not name %q", tt.name, msg, tt.want)
		}
	}
}
