package uploadsign

import (
	"crypto/sha1"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// urlGolden is testdata/golden/urls.json, written by testdata/generate.js
// from the Node SDK's cloudinary.url.
type urlGolden struct {
	APISecret     string `json:"api_secret"`
	CloudName     string `json:"cloud_name"`
	DefaultPrefix string `json:"default_prefix"`
	Cases         []struct {
		Name         string `json:"name"`
		Prefix       string `json:"prefix"`
		ResourceType string `json:"resource_type"`
		Type         string `json:"type"`
		PublicID     string `json:"public_id"`
		Version      int64  `json:"version"`
		Format       string `json:"format"`
		URL          string `json:"url"`
		StringToSign string `json:"string_to_sign"`
	} `json:"cases"`
	// Refused are public_ids the SDK reads specially, with what it makes
	// of them.
	Refused []struct {
		Name     string `json:"name"`
		PublicID string `json:"public_id"`
		SDKURL   string `json:"sdk_url"`
		SDKError string `json:"sdk_error"`
	} `json:"refused"`
}

func readURLGolden(t *testing.T) urlGolden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden/urls.json")
	if err != nil {
		t.Fatal(err)
	}
	var g urlGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) == 0 || len(g.Refused) == 0 || g.APISecret == "" || g.CloudName == "" {
		t.Fatal("urls.json lacks cases, refused cases, the secret or the cloud name")
	}
	return g
}

// sha1Digest returns the digest deliveryURL expects: SHA-1 of the text followed by
// secret, as the root package computes it.
func sha1Digest(secret string) func(string) []byte {
	return func(toSign string) []byte {
		sum := sha1.Sum([]byte(toSign + secret))
		return sum[:]
	}
}

// built is what one call of URL did: the URL and the texts it had signed.
type built struct {
	URL    string
	Signed []string
}

func build(prefix string, a Asset, secret string) (built, error) {
	var b built
	digest := sha1Digest(secret)
	u, err := deliveryURL(prefix, &a, func(toSign string) []byte {
		b.Signed = append(b.Signed, toSign)
		return digest(toSign)
	})
	b.URL = u
	return b, err
}

func TestURLGolden(t *testing.T) {
	g := readURLGolden(t)
	signedCases := 0
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			a := Asset{ResourceType: c.ResourceType, Type: c.Type, PublicID: c.PublicID, Version: c.Version, Format: c.Format}
			got, err := build(c.Prefix, a, g.APISecret)
			if err != nil {
				t.Fatalf("deliveryURL(%q, %+v): %v", c.Prefix, a, err)
			}
			want := built{URL: c.URL}
			if c.StringToSign != "" {
				want.Signed = []string{c.StringToSign}
				signedCases++
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("deliveryURL(%q, %+v) differs from the Node SDK (-sdk +got):\n%s", c.Prefix, a, diff)
			}
		})
	}
	if signedCases == 0 {
		t.Error("no golden case is signed")
	}
}

func TestDefaultDeliveryPrefix(t *testing.T) {
	g := readURLGolden(t)
	if got := defaultPrefix(g.CloudName); got != g.DefaultPrefix {
		t.Errorf("defaultPrefix(%q) = %q, the SDK's is %q", g.CloudName, got, g.DefaultPrefix)
	}
	if err := checkPrefix(g.DefaultPrefix); err != nil {
		t.Errorf("checkPrefix(DefaultPrefix): %v", err)
	}
}

// TestURLRawIgnoresFormat: raw URLs never get a format, even when one is
// given.
func TestURLRawIgnoresFormat(t *testing.T) {
	g := readURLGolden(t)
	n := 0
	for _, c := range g.Cases {
		if c.ResourceType != "raw" {
			continue
		}
		n++
		a := Asset{ResourceType: c.ResourceType, Type: c.Type, PublicID: c.PublicID, Version: c.Version, Format: "pdf"}
		got, err := build(c.Prefix, a, g.APISecret)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if got.URL != c.URL {
			t.Errorf("%s with format pdf: got %q, the SDK without a format builds %q", c.Name, got.URL, c.URL)
		}
	}
	if n == 0 {
		t.Error("no raw golden case")
	}
}

// TestURLRefusesSDKSpecialPublicIDs: every public_id the generator shows
// the SDK reading specially is refused.
func TestURLRefusesSDKSpecialPublicIDs(t *testing.T) {
	g := readURLGolden(t)
	for _, c := range g.Refused {
		t.Run(c.Name, func(t *testing.T) {
			a := Asset{ResourceType: "image", Type: "upload", PublicID: c.PublicID, Version: 1700000000, Format: "jpg"}
			got, err := build(g.DefaultPrefix, a, g.APISecret)
			var e *deliveryError
			if !errors.As(err, &e) || e.Field != "public_id" {
				t.Fatalf("deliveryURL(%q) = %q, %v; want a public_id *deliveryError (the SDK gives %q%s)", c.PublicID, got.URL, err, c.SDKURL, c.SDKError)
			}
			if got.URL != "" {
				t.Errorf("deliveryURL(%q) refused but returned %q", c.PublicID, got.URL)
			}
		})
	}
}

func TestURLRefuses(t *testing.T) {
	const prefix = "https://res.cloudinary.com/demo"
	ok := Asset{ResourceType: "image", Type: "upload", PublicID: "sample", Version: 1, Format: "jpg"}
	with := func(f func(*Asset)) Asset {
		a := ok
		f(&a)
		return a
	}
	tests := []struct {
		name   string
		prefix string
		asset  Asset
		field  string
	}{
		{"resource type empty", prefix, with(func(a *Asset) { a.ResourceType = "" }), "resource_type"},
		{"resource type auto", prefix, with(func(a *Asset) { a.ResourceType = "auto" }), "resource_type"},
		{"resource type upper case", prefix, with(func(a *Asset) { a.ResourceType = "Image" }), "resource_type"},
		{"resource type plural", prefix, with(func(a *Asset) { a.ResourceType = "images" }), "resource_type"},
		{"type empty", prefix, with(func(a *Asset) { a.Type = "" }), "type"},
		{"type fetch", prefix, with(func(a *Asset) { a.Type = "fetch" }), "type"},
		{"type upper case", prefix, with(func(a *Asset) { a.Type = "Upload" }), "type"},
		{"version 0", prefix, with(func(a *Asset) { a.Version = 0 }), "version"},
		{"version negative", prefix, with(func(a *Asset) { a.Version = -1700000000 }), "version"},
		{"format with dot", prefix, with(func(a *Asset) { a.Format = "tar.gz" }), "format"},
		{"format with slash", prefix, with(func(a *Asset) { a.Format = "jpg/x" }), "format"},
		{"format with space", prefix, with(func(a *Asset) { a.Format = "jp g" }), "format"},
		{"format non-ASCII", prefix, with(func(a *Asset) { a.Format = "jpé" }), "format"},
		{"format of raw checked too", prefix, with(func(a *Asset) { a.ResourceType = "raw"; a.Format = "?" }), "format"},
		{"public_id empty", prefix, with(func(a *Asset) { a.PublicID = "" }), "public_id"},
		{"public_id invalid UTF-8", prefix, with(func(a *Asset) { a.PublicID = "a\xffb" }), "public_id"},
		{"public_id surrogate half", prefix, with(func(a *Asset) { a.PublicID = "a\xed\xa0\x80b" }), "public_id"},
		{"public_id percent", prefix, with(func(a *Asset) { a.PublicID = "50%" }), "public_id"},
		{"public_id percent escape", prefix, with(func(a *Asset) { a.PublicID = "a%41" }), "public_id"},
		{"public_id https", prefix, with(func(a *Asset) { a.PublicID = "https://x/y" }), "public_id"},
		{"public_id http one slash", prefix, with(func(a *Asset) { a.PublicID = "http:/x" }), "public_id"},
		{"public_id mixed case scheme", prefix, with(func(a *Asset) { a.PublicID = "hTtPs:/x" }), "public_id"},
		{"public_id only slash", prefix, with(func(a *Asset) { a.PublicID = "/" }), "public_id"},
		{"public_id dot", prefix, with(func(a *Asset) { a.PublicID = "." }), "public_id"},
		{"public_id dot dot", prefix, with(func(a *Asset) { a.PublicID = ".." }), "public_id"},
		{"public_id trailing dot dot", prefix, with(func(a *Asset) { a.PublicID = "a/.." }), "public_id"},
		{"public_id version folder", prefix, with(func(a *Asset) { a.PublicID = "v1/x" }), "public_id"},
		{"public_id preloaded video", prefix, with(func(a *Asset) { a.PublicID = "video/upload/v12/x" }), "public_id"},
		{"prefix empty", "", ok, "prefix"},
		{"prefix without scheme", "res.cloudinary.com/demo", ok, "prefix"},
		{"prefix upper-case scheme", "HTTPS://res.cloudinary.com/demo", ok, "prefix"},
		{"prefix ftp", "ftp://example.com", ok, "prefix"},
		{"prefix no host", "https://", ok, "prefix"},
		{"prefix no host with path", "https:///demo", ok, "prefix"},
		{"prefix trailing slash", "https://cdn.example.com/", ok, "prefix"},
		{"prefix double slash", "https://cdn.example.com/a//b", ok, "prefix"},
		{"prefix dot dot", "https://cdn.example.com/a/../b", ok, "prefix"},
		{"prefix escaped dot dot", "https://cdn.example.com/a/%2E%2e", ok, "prefix"},
		{"prefix dot", "https://cdn.example.com/.", ok, "prefix"},
		{"prefix escaped slash", "https://cdn.example.com/a%2fb", ok, "prefix"},
		{"prefix query", "https://cdn.example.com/demo?x=1", ok, "prefix"},
		{"prefix fragment", "https://cdn.example.com/demo#x", ok, "prefix"},
		{"prefix space", "https://cdn.example.com/my demo", ok, "prefix"},
		{"prefix backslash", `https://cdn.example.com\demo`, ok, "prefix"},
		{"prefix non-ASCII", "https://bücher.example/demo", ok, "prefix"},
		{"prefix bad escape", "https://cdn.example.com/a%zz", ok, "prefix"},
		{"prefix bad port", "https://cdn.example.com:http/demo", ok, "prefix"},
		{"prefix escaped host", "http://%80", ok, "prefix"},
		{"prefix host with comma", "https://a,b.example.com", ok, "prefix"},
		{"prefix user", "https://user@cdn.example.com/demo", ok, "prefix"},
		{"prefix password", "https://user:hunter2@cdn.example.com/demo", ok, "prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := build(tt.prefix, tt.asset, "abcd")
			var e *deliveryError
			if !errors.As(err, &e) || e.Field != tt.field {
				t.Fatalf("deliveryURL(%q, %+v) = %q, %v; want an *deliveryError for %s", tt.prefix, tt.asset, got.URL, err, tt.field)
			}
			if got.URL != "" || len(got.Signed) != 0 {
				t.Errorf("refused, yet returned %q and signed %q", got.URL, got.Signed)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") {
				t.Errorf("message %q does not start with the field", err)
			}
			if tt.field == "prefix" {
				if cerr := checkPrefix(tt.prefix); cerr == nil || cerr.Error() != err.Error() {
					t.Errorf("CheckPrefix = %v, URL = %v", cerr, err)
				}
				if tt.prefix != "" && strings.Contains(err.Error(), tt.prefix) {
					t.Errorf("message %q quotes the prefix", err)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("message %q shows the prefix's password", err)
				}
			}
		})
	}
}

func TestURLDigest(t *testing.T) {
	const prefix = "https://res.cloudinary.com/demo"
	a := Asset{ResourceType: "image", Type: "authenticated", PublicID: "sample", Version: 1, Format: "jpg"}
	tests := []struct {
		name   string
		digest func(string) []byte
	}{
		{"nil", nil},
		{"empty", func(string) []byte { return nil }},
		{"too short", func(string) []byte { return make([]byte, 6) }},
		{"hex instead of bytes", func(s string) []byte { return make([]byte, 2*sha1.Size) }},
		{"SHA-256", func(s string) []byte { return make([]byte, 32) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deliveryURL(prefix, &a, tt.digest)
			var e *deliveryError
			if !errors.As(err, &e) || e.Field != "digest" || got != "" {
				t.Fatalf("URL = %q, %v; want a digest *deliveryError", got, err)
			}
		})
	}
	// Unsigned types never call digest, so it may be nil.
	a.Type = "upload"
	if _, err := deliveryURL(prefix, &a, nil); err != nil {
		t.Errorf("upload type with a nil digest: %v", err)
	}
}

func TestCheckPrefixAccepts(t *testing.T) {
	for _, p := range []string{
		"https://res.cloudinary.com/demo",
		"https://demo-res.cloudinary.com",
		"https://images.example.com",
		"https://cdn.example.com/media/demo",
		"http://127.0.0.1:8080/demo",
		"http://[::1]:8080",
		"https://cdn.example.com/a%20b/c",
	} {
		if err := checkPrefix(p); err != nil {
			t.Errorf("checkPrefix(%q): %v", p, err)
		}
	}
}

// FuzzURL checks that URL never panics and that a URL it builds names
// exactly the asset: under the prefix, with the resource type, type and
// version in their places, a path that no client rewrites (no empty, "."
// or ".." segments), only printable ASCII, and a public_id that
// percent-decodes back to the given one.
func FuzzURL(f *testing.F) {
	f.Add("https://res.cloudinary.com/demo", "image", "upload", "folder/my image+x=y@z(1)", int64(1700000000), "jpg")
	f.Add("https://res.cloudinary.com/demo", "raw", "authenticated", "café/日本語 😀.pdf", int64(1), "")
	f.Add("http://127.0.0.1:8080/demo", "video", "private", "q?x#y&z", int64(9007199254740993), "mp4")
	f.Add("https://cdn.example.com/a", "image", "upload", "a%20b", int64(5), "png")
	f.Add("https://cdn.example.com/a", "image", "upload", "image/upload/v3/x", int64(5), "png")
	f.Add("https://cdn.example.com/a", "image", "upload", "a/../b", int64(5), "")
	f.Add("https://cdn.example.com/%2e%2E", "image", "upload", "x", int64(5), "")
	const secret = "abcd"
	f.Fuzz(func(t *testing.T, prefix, resourceType, typ, publicID string, version int64, format string) {
		a := Asset{ResourceType: resourceType, Type: typ, PublicID: publicID, Version: version, Format: format}
		got, err := deliveryURL(prefix, &a, sha1Digest(secret))
		if err != nil {
			var e *deliveryError
			if !errors.As(err, &e) || got != "" {
				t.Fatalf("URL = %q, %v: not an *deliveryError", got, err)
			}
			return
		}
		for i := 0; i < len(got); i++ {
			if got[i] <= ' ' || got[i] >= 0x7f {
				t.Fatalf("URL %q has byte %#x", got, got[i])
			}
		}
		rest, ok := strings.CutPrefix(got, prefix+"/"+resourceType+"/"+typ+"/")
		if !ok {
			t.Fatalf("URL %q does not start with its prefix, resource type and type", got)
		}
		if typ != "upload" {
			sig, r, ok := strings.Cut(rest, "/")
			if !ok || len(sig) != len("s--12345678--") || !strings.HasPrefix(sig, "s--") || !strings.HasSuffix(sig, "--") {
				t.Fatalf("URL %q has no signature", got)
			}
			rest = r
		}
		rest, ok = strings.CutPrefix(rest, "v"+strconv.FormatInt(version, 10)+"/")
		if !ok {
			t.Fatalf("URL %q has no version", got)
		}
		want := publicID
		if resourceType != "raw" && format != "" {
			want += "." + format
		}
		if dec, err := url.PathUnescape(rest); err != nil || dec != want {
			t.Fatalf("URL %q names %q (%v), want %q", got, dec, err, want)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("URL %q does not parse", got)
		}
		if u.EscapedPath() != strings.TrimPrefix(got, u.Scheme+"://"+u.Host) {
			t.Fatalf("URL %q: path %q is not all that follows the host", got, u.EscapedPath())
		}
		if clean := path.Clean(u.Path); clean != u.Path {
			t.Fatalf("URL %q: clients would rewrite its path %q to %q", got, u.Path, clean)
		}
	})
}
