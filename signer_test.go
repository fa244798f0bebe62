package uploadsign

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/uploadsign/uploadsign/internal/keys"
)

// testTime is the fixed clock of the tests.
var testTime = time.Unix(1700000000, 0)

const (
	testCloud  = "demo"
	testKey    = "123456789012345"
	testSecret = "s3cr3t-Value_With-Enough-Length"
)

// sha1Hex is SHA-1 in hex, written here rather than taken from the code
// under test.
func sha1Hex(text string) string {
	sum := sha1.Sum([]byte(text))
	return hex.EncodeToString(sum[:])
}

func fixedClock(t time.Time) Option { return WithClock(func() time.Time { return t }) }

func newSigner(tb testing.TB, secret string, opts ...Option) *Signer {
	tb.Helper()
	s, err := New(testCloud, testKey, secret, append([]Option{fixedClock(testTime)}, opts...)...)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s
}

// ---- golden files from the Node SDK (testdata/generate.js) ----

type goldenFile[T any] struct {
	SDK       string `json:"sdk"`
	APIKey    string `json:"api_key"`
	APISecret string `json:"api_secret"`
	Cases     T      `json:"cases"`
}

func readGolden[T any](t testing.TB, name string) goldenFile[T] {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatalf("reading golden file (run testdata/generate.js): %v", err)
	}
	var g goldenFile[T]
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&g); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	return g
}

type rawCase struct {
	Name             string                     `json:"name"`
	Params           map[string]json.RawMessage `json:"params"`
	Algorithm        Algorithm                  `json:"algorithm"`
	SignatureVersion int                        `json:"signature_version"`
	StringToSign     string                     `json:"string_to_sign"`
	Signature        string                     `json:"signature"`
}

// values turns a case's JSON params (strings, numbers, arrays of strings,
// null) into url.Values; null is an absent key.
func (c rawCase) values() url.Values {
	v := url.Values{}
	for k, raw := range c.Params {
		var x any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&x); err != nil {
			panic(err)
		}
		switch x := x.(type) {
		case nil:
		case string:
			v[k] = []string{x}
		case json.Number:
			v[k] = []string{x.String()}
		case []any:
			v[k] = []string{}
			for _, e := range x {
				v[k] = append(v[k], e.(string))
			}
		default:
			panic(fmt.Sprintf("%s: unexpected %T", k, x))
		}
	}
	return v
}

type signResult struct {
	StringToSign string
	Signature    string
}

func TestSignValuesGolden(t *testing.T) {
	g := readGolden[[]rawCase](t, "sign.json")
	if len(g.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			s := newSigner(t, g.APISecret, WithAlgorithm(c.Algorithm), WithSignatureVersion(c.SignatureVersion))
			params := c.values()
			before := cloneValues(params)
			got := signResult{StringToSign(params, c.SignatureVersion), s.SignValues(params)}
			want := signResult{c.StringToSign, c.Signature}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("differs from the Node SDK (-sdk +uploadsign):\n%s", diff)
			}
			if diff := cmp.Diff(before, params); diff != "" {
				t.Errorf("SignValues modified its argument:\n%s", diff)
			}
		})
	}
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string{}, vs...)
	}
	return c
}

// goSDKSign signs with the official Go SDK. It may modify params.
func goSDKSign(t testing.TB, params url.Values, secret string, a Algorithm, version int) string {
	t.Helper()
	var sig string
	var err error
	switch a {
	case SHA1:
		sig, err = api.SignParametersUsingAlgoAndVersion(params, secret, "sha1", version)
	case SHA256:
		sig, err = api.SignParametersUsingAlgoAndVersion(params, secret, "sha256", version)
	default:
		t.Fatalf("algorithm %q", a)
	}
	if err != nil {
		t.Fatalf("Go SDK: %v", err)
	}
	return sig
}

// TestSignValuesAgreesWithGoSDK runs every golden case the Go SDK signs the
// way Node does (non-empty single values and a timestamp) through the Go
// SDK: the three SDKs' signatures must agree.
func TestSignValuesAgreesWithGoSDK(t *testing.T) {
	g := readGolden[[]rawCase](t, "sign.json")
	ran := 0
	for _, c := range g.Cases {
		params := c.values()
		if !goSDKAgreesOn(params) {
			continue
		}
		ran++
		t.Run(c.Name, func(t *testing.T) {
			s := newSigner(t, g.APISecret, WithAlgorithm(c.Algorithm), WithSignatureVersion(c.SignatureVersion))
			got := s.SignValues(params)
			sdk := goSDKSign(t, cloneValues(params), g.APISecret, c.Algorithm, c.SignatureVersion)
			if got != sdk || got != c.Signature {
				t.Errorf("uploadsign %s, Go SDK %s, Node SDK %s", got, sdk, c.Signature)
			}
		})
	}
	if ran < len(g.Cases)/2 {
		t.Errorf("only %d of %d cases ran through the Go SDK", ran, len(g.Cases))
	}
}

func goSDKAgreesOn(params url.Values) bool {
	if ts := params.Get("timestamp"); ts == "" || ts == "0" {
		return false
	}
	for k, vs := range params {
		if len(vs) != 1 || vs[0] == "" || strings.ContainsRune(k, '&') {
			return false
		}
	}
	return true
}

// The Go SDK's three known differences from Node, each pinned: the tests
// fail if the Go SDK changes, and show that uploadsign follows Node.

func TestGoSDKDifferenceEmptyValues(t *testing.T) {
	params := url.Values{"timestamp": {"1700000000"}, "public_id": {"sample"}, "folder": {""}}
	s := newSigner(t, testSecret)
	if got := StringToSign(params, 2); got != "public_id=sample&timestamp=1700000000" {
		t.Errorf("StringToSign = %q, want the empty folder dropped", got)
	}
	without := url.Values{"timestamp": {"1700000000"}, "public_id": {"sample"}}
	if s.SignValues(params) != s.SignValues(without) {
		t.Error("an empty value changed the signature")
	}
	if goSDKSign(t, cloneValues(params), testSecret, SHA1, 2) == goSDKSign(t, cloneValues(without), testSecret, SHA1, 2) {
		t.Error("the Go SDK now drops empty values; this test and the README can say so")
	}
}

func TestGoSDKDifferenceRepeatedKeys(t *testing.T) {
	params := url.Values{"timestamp": {"1700000000"}, "tags": {"a", "b"}}
	joined := url.Values{"timestamp": {"1700000000"}, "tags": {"a,b"}}
	s := newSigner(t, testSecret)
	if got := StringToSign(params, 2); got != "tags=a,b&timestamp=1700000000" {
		t.Errorf("StringToSign = %q, want the values joined with a comma", got)
	}
	if s.SignValues(params) != s.SignValues(joined) {
		t.Error("repeated values sign differently from comma-joined ones")
	}
	if goSDKSign(t, cloneValues(params), testSecret, SHA1, 2) == goSDKSign(t, cloneValues(joined), testSecret, SHA1, 2) {
		t.Error("the Go SDK now joins repeated keys; this test and the README can say so")
	}
}

func TestGoSDKDifferenceMissingTimestamp(t *testing.T) {
	params := url.Values{"public_id": {"sample"}}
	s := newSigner(t, testSecret)
	s.SignValues(params)
	if _, ok := params["timestamp"]; ok {
		t.Error("SignValues added a timestamp to its argument")
	}
	if got := StringToSign(params, 2); got != "public_id=sample" {
		t.Errorf("StringToSign = %q, want no timestamp added", got)
	}
	goSDKSign(t, params, testSecret, SHA1, 2)
	if _, ok := params["timestamp"]; !ok {
		t.Error("the Go SDK no longer adds a timestamp to its argument; this test and the README can say so")
	}
}

// TestGoSDKDifferenceAmpersandInKey pins a fourth difference, found by
// FuzzSignValuesGoSDK: from version 2 Node escapes "&" in the whole
// key=value pair, the Go SDK only in the value.
func TestGoSDKDifferenceAmpersandInKey(t *testing.T) {
	params := url.Values{"timestamp": {"1700000000"}, "a&b": {"c"}}
	if got := StringToSign(params, 2); got != "a%26b=c&timestamp=1700000000" {
		t.Errorf("StringToSign = %q, want the key's & escaped as Node escapes it", got)
	}
	s := newSigner(t, testSecret)
	if goSDKSign(t, cloneValues(params), testSecret, SHA1, 2) == s.SignValues(params) {
		t.Error("the Go SDK now escapes & in keys; this test and the fuzz target can say so")
	}
}

func TestStringToSignLeavesOutUnsignedKeys(t *testing.T) {
	base := url.Values{"timestamp": {"1700000000"}, "public_id": {"sample"}}
	with := cloneValues(base)
	for _, k := range []string{"file", "cloud_name", "resource_type", "api_key", "signature"} {
		with[k] = []string{"x"}
	}
	if got, want := StringToSign(with, 2), StringToSign(base, 2); got != want {
		t.Errorf("StringToSign = %q, want %q", got, want)
	}
	s := newSigner(t, testSecret)
	if s.SignValues(with) != s.SignValues(base) {
		t.Error("an unsigned key changed the signature")
	}
}

func TestStringToSignByteOrder(t *testing.T) {
	// Node sorts with localeCompare; Cloudinary's names are lower case,
	// where that equals byte order. Upper case shows which order is used.
	params := url.Values{"b": {"1"}, "B": {"2"}, "a_b": {"3"}, "ab": {"4"}}
	if got, want := StringToSign(params, 2), "B=2&a_b=3&ab=4&b=1"; got != want {
		t.Errorf("StringToSign = %q, want %q", got, want)
	}
}

type typedCase struct {
	Name             string            `json:"name"`
	Params           json.RawMessage   `json:"params"`
	Algorithm        Algorithm         `json:"algorithm"`
	SignatureVersion int               `json:"signature_version"`
	Timestamp        int64             `json:"timestamp"`
	StringToSign     string            `json:"string_to_sign"`
	Fields           map[string]string `json:"fields"`
}

func (c typedCase) params(t *testing.T) Params {
	t.Helper()
	var p Params
	dec := json.NewDecoder(bytes.NewReader(c.Params))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("decoding params: %v", err)
	}
	return p
}

// TestSignGolden signs every typed case of the Node SDK's
// build_upload_params + sign_request, once with the parameters fixed by the
// set and once with them given by the request.
func TestSignGolden(t *testing.T) {
	g := readGolden[[]typedCase](t, "upload_params.json")
	if len(g.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			p := c.params(t)
			if c.SignatureVersion == 1 && hasAmpersand(c.Fields) {
				// A deliberate difference from the SDK: under version 1,
				// "a=x&b=y" could be posted as two parameters.
				_, err := New(testCloud, g.APIKey, g.APISecret, WithSignatureVersion(1),
					WithParamSets(ParamSet{Name: "golden", Version: 1, Params: p}))
				if !errors.Is(err, ErrInvalidParam) {
					t.Errorf("signature version 1 with \"&\" in a value: err = %v, want ErrInvalidParam", err)
				}
				return
			}
			for _, split := range []struct {
				name     string
				set, req Params
			}{{"in set", p, Params{}}, {"in request", Params{}, p}} {
				s, err := New(testCloud, g.APIKey, g.APISecret,
					WithAlgorithm(c.Algorithm), WithSignatureVersion(c.SignatureVersion),
					fixedClock(time.Unix(c.Timestamp, 0)),
					WithParamSets(ParamSet{Name: "golden", Version: 1, Params: split.set}))
				if err != nil {
					t.Fatalf("%s: New: %v", split.name, err)
				}
				payload, err := s.Sign("golden", 1, split.req)
				if err != nil {
					t.Fatalf("%s: Sign: %v", split.name, err)
				}
				if diff := cmp.Diff(c.Fields, payload.Fields); diff != "" {
					t.Errorf("%s: fields differ from the Node SDK's (-sdk +uploadsign):\n%s", split.name, diff)
				}
			}
			if got := stringToSignFields(t, c.Fields, c.SignatureVersion); got != c.StringToSign {
				t.Errorf("string to sign differs from the Node SDK's:\n%s", cmp.Diff(c.StringToSign, got))
			}
		})
	}
}

func hasAmpersand(fields map[string]string) bool {
	for k, v := range fields {
		if k != "signature" && strings.ContainsRune(k+v, '&') {
			return true
		}
	}
	return false
}

func stringToSignFields(t *testing.T, fields map[string]string, version int) string {
	t.Helper()
	v := url.Values{}
	for k, f := range fields {
		v.Set(k, f)
	}
	return StringToSign(v, version)
}

// TestParamsEncodesEveryField sets every field of Params and checks that
// each json tag name comes out as a field: a field added to the struct but
// not to the encoder fails here.
func TestParamsEncodesEveryField(t *testing.T) {
	var p Params
	rv := reflect.ValueOf(&p).Elem()
	var want []string
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Field(i)
		name, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("json"), ",")
		if name == "extra" {
			p.Extra = map[string]string{"source": "uw"}
			want = append(want, "source")
			continue
		}
		want = append(want, name)
		fillValue(t, name, f)
	}
	fields, err := p.fields()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fields {
		got = append(got, f.key)
	}
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("encoded keys differ from the json tags (-tags +encoded):\n%s", diff)
	}
}

func fillValue(t *testing.T, name string, f reflect.Value) {
	switch v := f.Addr().Interface().(type) {
	case *string:
		*v = "x"
	case **bool:
		*v = Bool(true)
	case *float64:
		*v = 0.5
	case *[]string:
		*v = []string{"x"}
	case *map[string]string:
		*v = map[string]string{"k": "v"}
	case *[]Eager:
		*v = []Eager{{Transformation: "w_1"}}
	case *[]Rect:
		*v = []Rect{{1, 2, 3, 4}}
	case *[]AccessRule:
		*v = []AccessRule{{AccessType: "token"}}
	case *[]ResponsiveBreakpoint:
		*v = []ResponsiveBreakpoint{{CreateDerived: true}}
	default:
		t.Fatalf("field %s: no test value for %T", name, v)
	}
}

// ---- verification ----

type uploadResultCase struct {
	PublicID     string    `json:"public_id"`
	Version      int64     `json:"version"`
	Algorithm    Algorithm `json:"algorithm"`
	StringToSign string    `json:"string_to_sign"`
	Signature    string    `json:"signature"`
}

type notificationCase struct {
	Body      string    `json:"body"`
	Timestamp string    `json:"timestamp"`
	Algorithm Algorithm `json:"algorithm"`
	Signature string    `json:"signature"`
}

type verifyCases struct {
	UploadResults []uploadResultCase `json:"upload_results"`
	Notifications []notificationCase `json:"notifications"`
}

func TestVerifyUploadResultGolden(t *testing.T) {
	g := readGolden[verifyCases](t, "verify.json")
	if len(g.Cases.UploadResults) == 0 {
		t.Fatal("no golden cases")
	}
	for _, c := range g.Cases.UploadResults {
		t.Run(fmt.Sprintf("%s/%s", c.PublicID, c.Algorithm), func(t *testing.T) {
			s := newSigner(t, g.APISecret, WithAlgorithm(c.Algorithm))
			if err := s.VerifyUploadResult(c.PublicID, c.Version, c.Signature); err != nil {
				t.Errorf("genuine result: %v", err)
			}
			if err := s.VerifyUploadResult(c.PublicID, c.Version, strings.ToUpper(c.Signature)); err != nil {
				t.Errorf("genuine result in upper-case hex: %v", err)
			}
			for _, tampered := range []struct {
				name     string
				publicID string
				version  int64
				sig      string
			}{
				{"public_id", c.PublicID + "x", c.Version, c.Signature},
				{"version", c.PublicID, c.Version + 1, c.Signature},
				{"signature", c.PublicID, c.Version, flipHex(c.Signature)},
			} {
				err := s.VerifyUploadResult(tampered.publicID, tampered.version, tampered.sig)
				if !errors.Is(err, ErrInvalidSignature) {
					t.Errorf("tampered %s: err = %v, want ErrInvalidSignature", tampered.name, err)
				}
			}
			// A Go SDK configured with the same secret agrees.
			sdk := &uploader.API{}
			sdk.Config.Cloud.APISecret = g.APISecret
			sdk.Config.Cloud.SignatureAlgorithm = string(c.Algorithm)
			if !sdk.VerifyApiResponseSignature(c.PublicID, strconv.FormatInt(c.Version, 10), c.Signature) {
				t.Error("the Go SDK rejects the Node SDK's signature")
			}
		})
	}
}

// flipHex changes the last hex digit of sig.
func flipHex(sig string) string {
	last := sig[len(sig)-1]
	if last == '0' {
		return sig[:len(sig)-1] + "1"
	}
	return sig[:len(sig)-1] + "0"
}

func TestVerifyNotificationGolden(t *testing.T) {
	g := readGolden[verifyCases](t, "verify.json")
	if len(g.Cases.Notifications) == 0 {
		t.Fatal("no golden cases")
	}
	for i, c := range g.Cases.Notifications {
		t.Run(fmt.Sprintf("%d/%s", i, c.Algorithm), func(t *testing.T) {
			ts, err := strconv.ParseInt(c.Timestamp, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			sent := time.Unix(ts, 0)
			body := []byte(c.Body)
			at := func(now time.Time) *Signer {
				return newSigner(t, g.APISecret, WithAlgorithm(c.Algorithm), fixedClock(now))
			}
			if err := at(sent.Add(time.Minute)).VerifyNotification(body, c.Timestamp, c.Signature); err != nil {
				t.Errorf("genuine notification: %v", err)
			}
			if err := at(sent.Add(2*time.Hour+time.Second)).VerifyNotification(body, c.Timestamp, c.Signature); !errors.Is(err, ErrExpired) {
				t.Errorf("notification 2h1s old: err = %v, want ErrExpired", err)
			}
			if err := at(sent.Add(-10*time.Minute)).VerifyNotification(body, c.Timestamp, c.Signature); !errors.Is(err, ErrExpired) {
				t.Errorf("notification 10m in the future: err = %v, want ErrExpired", err)
			}
			s := at(sent)
			for name, tampered := range map[string]func() error{
				"body":      func() error { return s.VerifyNotification(append(body, ' '), c.Timestamp, c.Signature) },
				"timestamp": func() error { return s.VerifyNotification(body, strconv.FormatInt(ts-1, 10), c.Signature) },
				"signature": func() error { return s.VerifyNotification(body, c.Timestamp, flipHex(c.Signature)) },
			} {
				if err := tampered(); !errors.Is(err, ErrInvalidSignature) {
					t.Errorf("tampered %s: err = %v, want ErrInvalidSignature", name, err)
				}
			}
		})
	}
}

func TestVerifyNotificationMalformed(t *testing.T) {
	s := newSigner(t, testSecret)
	body := []byte(`{}`)
	valid := s.SignValues(nil) // 40 hex digits, wrong value
	tests := []struct {
		name      string
		timestamp string
		signature string
		want      error
	}{
		{"empty timestamp", "", valid, ErrInvalidSignature},
		{"non-numeric timestamp", "yesterday", valid, ErrInvalidSignature},
		{"signed timestamp", "+1700000000", valid, ErrInvalidSignature},
		{"negative timestamp", "-1", valid, ErrInvalidSignature},
		{"timestamp with space", "1700000000 ", valid, ErrInvalidSignature},
		{"huge timestamp", strings.Repeat("9", 40), valid, ErrInvalidSignature},
		{"empty signature", "1700000000", "", ErrInvalidSignature},
		{"short signature", "1700000000", valid[:39], ErrInvalidSignature},
		{"long signature", "1700000000", valid + "0", ErrInvalidSignature},
		{"sha256-length signature", "1700000000", strings.Repeat("a", 64), ErrInvalidSignature},
		{"non-hex signature", "1700000000", strings.Repeat("g", 40), ErrInvalidSignature},
		{"wrong signature", "1700000000", valid, ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.VerifyNotification(body, tt.timestamp, tt.signature)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestWithNotificationMaxAge(t *testing.T) {
	s := newSigner(t, testSecret, WithNotificationMaxAge(time.Minute))
	ts := strconv.FormatInt(testTime.Add(-2*time.Minute).Unix(), 10)
	body := []byte(`{"a":1}`)
	sig := sha1Hex(string(body) + ts + testSecret)
	if err := s.VerifyNotification(body, ts, sig); !errors.Is(err, ErrExpired) {
		t.Errorf("err = %v, want ErrExpired", err)
	}
	long := newSigner(t, testSecret, WithNotificationMaxAge(time.Hour))
	if err := long.VerifyNotification(body, ts, sig); err != nil {
		t.Errorf("within max age: %v", err)
	}
}

// ---- construction ----

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
			p, err := s.Sign("a", 1, Params{})
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

// ---- parameter sets ----

func avatarSets() []ParamSet {
	return []ParamSet{
		{Name: "avatar", Version: 1, Params: Params{Folder: "avatars", Tags: []string{"avatar"}}},
		{Name: "avatar", Version: 2, Params: Params{
			Folder: "avatars", Tags: []string{"avatar", "v2"}, Overwrite: Bool(false),
			Context: map[string]string{"app": "web"}, AllowedFormats: []string{"jpg", "png"},
		}},
		{Name: "document", Version: 1, ResourceType: "raw", Params: Params{Folder: "docs"}},
	}
}

func TestSign(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...), WithUploadURL("http://127.0.0.1:8080/"))
	req := Params{PublicID: "user_42", Tags: []string{"user", "avatar"}, Context: map[string]string{"user": "42"}}
	reqBefore := req
	p, err := s.Sign("avatar", 2, req)
	if err != nil {
		t.Fatal(err)
	}
	want := &Payload{
		URL: "http://127.0.0.1:8080/v1_1/demo/image/upload",
		Fields: map[string]string{
			"allowed_formats": "jpg,png",
			"api_key":         testKey,
			"context":         "app=web|user=42",
			"folder":          "avatars",
			"overwrite":       "0",
			"public_id":       "user_42",
			"tags":            "avatar,v2,user",
			"timestamp":       "1700000000",
		},
		Timestamp: 1700000000,
		ExpiresAt: time.Unix(1700003600, 0).UTC(),
		ParamSet:  "avatar",
		Version:   2,
	}
	want.Fields["signature"] = s.SignValues(fieldValues(want.Fields))
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(reqBefore, req); diff != "" || len(req.Tags) != 2 || len(req.Context) != 1 {
		t.Errorf("Sign modified the request:\n%s", diff)
	}

	doc, err := s.Sign("document", 1, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.URL != "http://127.0.0.1:8080/v1_1/demo/raw/upload" {
		t.Errorf("URL = %q, want the raw upload URL", doc.URL)
	}
}

func fieldValues(fields map[string]string) url.Values {
	v := url.Values{}
	for k, f := range fields {
		v.Set(k, f)
	}
	return v
}

func TestSignPayloadJSON(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...))
	p, err := s.Sign("avatar", 1, Params{})
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
		{"conflicting folder", "avatar", 1, Params{Folder: "elsewhere"}, ErrParamConflict, "folder"},
		{"conflicting overwrite", "avatar", 2, Params{Overwrite: Bool(true)}, ErrParamConflict, "overwrite"},
		{"widened formats", "avatar", 2, Params{AllowedFormats: []string{"jpg", "png", "svg"}}, ErrParamConflict, "allowed_formats"},
		{"conflicting context key", "avatar", 2, Params{Context: map[string]string{"app": "ios"}}, ErrParamConflict, `context key "app"`},
		{"context key with pipe", "avatar", 1, Params{Context: map[string]string{"a|b": "c"}}, ErrInvalidParam, "context"},
		{"metadata key with equals", "avatar", 1, Params{Metadata: map[string]string{"a=b": "c"}}, ErrInvalidParam, "metadata"},
		{"empty tag", "avatar", 1, Params{Tags: []string{""}}, ErrInvalidParam, "tags"},
		{"invalid UTF-8", "avatar", 1, Params{PublicID: "a\xffb"}, ErrInvalidParam, "public_id"},
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
			p, err := s.Sign(tt.set, tt.version, tt.req)
			if !errors.Is(err, tt.wantErr) || p != nil {
				t.Fatalf("Sign = %v, %v; want nil, %v", p, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
		})
	}
}

func nan() float64 { var zero float64; return zero / zero }

func TestSignWithoutSets(t *testing.T) {
	s := newSigner(t, testSecret)
	_, err := s.Sign("avatar", 1, Params{})
	if !errors.Is(err, ErrUnknownParamSet) || !strings.Contains(err.Error(), "WithParamSets") {
		t.Errorf("err = %v, want ErrUnknownParamSet pointing at WithParamSets", err)
	}
}

func TestSignClockBeforeEpoch(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...), fixedClock(time.Unix(-5, 0)))
	if _, err := s.Sign("avatar", 1, Params{}); !errors.Is(err, ErrInvalidParam) {
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
	before, err := s.Sign("a", 1, Params{Tags: []string{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	set.Params.Tags[0] = "changed"
	set.Params.Context["k"] = "changed"
	set.Params.Metadata["m"] = "changed"
	after, err := s.Sign("a", 1, Params{Tags: []string{"y"}})
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
	a, err := v1Only.Sign("avatar", 1, Params{PublicID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := both.Sign("avatar", 1, Params{PublicID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("v1 payload changed when v2 was added:\n%s", diff)
	}
}

// ---- the secret stays secret ----

func TestSecretNeverPrinted(t *testing.T) {
	const secret, previous = "TOP-SECRET-do-not-print", "PREVIOUS-secret-do-not-print"
	old := Key{APIKey: "999999999999999", Secret: previous}
	s := newSigner(t, secret, WithParamSets(avatarSets()...), WithPreviousKeys(old))
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%p"} {
		outputs = append(outputs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, *s), fmt.Sprintf(verb, &old))
		if verb != "%p" { // fmt prints a value's bad verb raw, whatever its methods
			outputs = append(outputs, fmt.Sprintf(verb, old))
		}
	}
	if data, err := json.Marshal(old); err != nil || strings.Contains(string(data), previous) {
		t.Errorf("JSON of a Key: %s, %v", data, err)
	}
	outputs = append(outputs, fmt.Sprint(s), fmt.Sprintln(*s), s.String(),
		fmt.Sprintf("%v", reflect.ValueOf(*s)), fmt.Sprintf("%+v", reflect.ValueOf(s).Elem()))
	other := newSigner(t, "another-secret", WithParamSets(avatarSets()...))
	outputs = append(outputs, cmp.Diff(s, other, cmp.AllowUnexported(Signer{}, compiledSet{}, field{}, keys.Key{}), cmpopts.IgnoreFields(Signer{}, "now")))
	for _, v := range []any{s, *s, struct{ S *Signer }{s}} {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(data))
	}
	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		slog.New(h).Info("signer", "signer", s, "value", *s, "key", old)
	}
	outputs = append(outputs, logs.String())
	for _, call := range []error{
		func() error { _, err := s.Sign("nope", 1, Params{}); return err }(),
		func() error { _, err := s.Sign("avatar", 1, Params{Folder: "x"}); return err }(),
		s.VerifyUploadResult("x", 1, "00"),
		s.VerifyNotification([]byte("{}"), "x", "00"),
	} {
		outputs = append(outputs, call.Error())
	}
	for _, out := range outputs {
		if strings.Contains(out, secret) || strings.Contains(strings.ToLower(out), strings.ToLower(fmt.Sprintf("%x", secret))) ||
			strings.Contains(out, previous) || strings.Contains(strings.ToLower(out), strings.ToLower(fmt.Sprintf("%x", previous))) {
			t.Errorf("output shows the secret: %s", out)
		}
	}
	if !strings.Contains(s.String(), "[redacted]") || !strings.Contains(s.String(), testKey) {
		t.Errorf("String() = %q, want the API key and [redacted]", s)
	}
}

// TestConflictMessageQuotesOnlyParams pins the whole text of a conflict
// error: it quotes parameter values, which are the caller's data, and
// nothing else.
func TestConflictMessageQuotesOnlyParams(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...))
	_, err := s.Sign("avatar", 1, Params{Folder: "mine"})
	want := `uploadsign: parameter conflicts with its parameter set: folder: the set fixes "avatars", the request gives "mine"`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

// ---- benchmarks, each beside the official Go SDK's baseline ----

func benchValues() url.Values {
	return url.Values{
		"timestamp": {"1700000000"},
		"public_id": {"users/42/avatar"},
		"folder":    {"avatars"},
		"tags":      {"avatar,profile"},
		"context":   {"alt=A user & their cat|caption=hello"},
	}
}

func BenchmarkSignValues(b *testing.B) {
	params := benchValues()
	b.Run("uploadsign", func(b *testing.B) {
		s := newSigner(b, testSecret)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s.SignValues(params)
		}
	})
	b.Run("cloudinary-go", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := api.SignParameters(params, testSecret); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSign(b *testing.B) {
	folder, tags, context := "avatars", []string{"avatar", "profile"}, map[string]string{"app": "web", "alt": "A user & their cat"}
	b.Run("uploadsign", func(b *testing.B) {
		s := newSigner(b, testSecret, WithParamSets(ParamSet{Name: "avatar", Version: 1,
			Params: Params{Folder: folder, Tags: tags, Context: context}}))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := s.Sign("avatar", 1, Params{PublicID: "users/42/avatar"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cloudinary-go", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			params, err := api.StructToParams(uploader.UploadParams{
				PublicID: "users/42/avatar", Folder: folder, Tags: tags, Context: context,
				Timestamp: testTime.Unix(),
			})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := api.SignParameters(params, testSecret); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// ---- single-use sets ----

func TestSingleUse(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "once", Version: 1, SingleUse: true,
		Params: Params{Folder: "uploads"}}))
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		p, err := s.Sign("once", 1, Params{Tags: []string{"x"}})
		if err != nil {
			t.Fatal(err)
		}
		id := p.Fields["public_id"]
		if len(id) != 26 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz234567") != "" || seen[id] {
			t.Fatalf("public_id %q: want 26 fresh base32 characters", id)
		}
		seen[id] = true
		if p.Fields["overwrite"] != "0" || p.Fields["signature"] != s.SignValues(fieldValues(withoutKeys(p.Fields, "signature", "api_key"))) {
			t.Fatalf("fields %v", p.Fields)
		}
	}
	for _, req := range []Params{{PublicID: "mine"}, {Overwrite: Bool(true)}} {
		if _, err := s.Sign("once", 1, req); !errors.Is(err, ErrParamConflict) {
			t.Errorf("request %+v: err = %v, want ErrParamConflict", req, err)
		}
	}
	if _, err := s.SignProposed("once", 1, url.Values{"timestamp": {"1700000000"}, "folder": {"uploads"}, "overwrite": {"0"}}, Params{}); !errors.Is(err, ErrParamNotAllowed) {
		t.Errorf("SignProposed on a single-use set: %v, want ErrParamNotAllowed", err)
	}
	for _, bad := range []Params{{PublicID: "fixed"}, {Overwrite: Bool(true)}} {
		_, err := New(testCloud, testKey, testSecret, WithParamSets(ParamSet{Name: "once", Version: 1, SingleUse: true, Params: bad}))
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("single-use set fixing %+v: %v, want ErrInvalidConfig", bad, err)
		}
	}
}

func withoutKeys(m map[string]string, keys ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if !slices.Contains(keys, k) {
			out[k] = v
		}
	}
	return out
}

// ---- hostile input ----

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
		{"NUL in value", Params{PublicID: "a\x00b"}, ErrInvalidParam},
		{"invalid UTF-8 in tag", Params{Tags: []string{"\xc3\x28"}}, ErrInvalidParam},
		{"invalid UTF-8 in context key", Params{Context: map[string]string{"\xff": "v"}}, ErrInvalidParam},
		{"1 MiB value", Params{PublicID: huge}, nil},
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
			p, err := s.Sign("avatar", 1, tt.req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if len(err.Error()) > 400 {
					t.Errorf("error message is %d bytes long", len(err.Error()))
				}
				return
			}
			if p.Fields["signature"] != s.SignValues(fieldValues(withoutKeys(p.Fields, "signature", "api_key"))) {
				t.Error("the payload's signature is not that of its fields")
			}
		})
	}
}

func TestClockOutOfRange(t *testing.T) {
	for _, now := range []time.Time{time.Unix(0, 0), time.Unix(-1, 0), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(1<<62, 0)} {
		s := newSigner(t, testSecret, WithParamSets(avatarSets()...), fixedClock(now), WithParamSets(widgetSet()))
		if _, err := s.Sign("avatar", 1, Params{}); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("Sign at %v: %v, want ErrInvalidParam", now, err)
		}
		if _, err := s.SignProposed("widget", 1, url.Values{"timestamp": {"1700000000"}}, Params{}); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("SignProposed at %v: %v, want ErrInvalidParam", now, err)
		}
	}
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...), fixedClock(time.Date(9999, 12, 31, 22, 0, 0, 0, time.UTC)))
	p, err := s.Sign("avatar", 1, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(p); err != nil {
		t.Errorf("the payload of the latest clock does not marshal: %v", err)
	}
}

func TestVerifyNotificationSignatureCase(t *testing.T) {
	s := newSigner(t, testSecret)
	body, ts := []byte(`{"x":1}`), "1700000000"
	sig := sha1Hex(string(body) + ts + testSecret)
	for _, v := range []string{sig, strings.ToUpper(sig)} {
		if err := s.VerifyNotification(body, ts, v); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	if err := s.VerifyNotification(body, ts, sig[:39]+"z"); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("non-hex digit: %v", err)
	}
}

// ---- concurrency ----

// TestConcurrentUse signs and verifies from many goroutines through one
// Signer; go test -race reports any shared write.
func TestConcurrentUse(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(append(avatarSets(), widgetSet(),
		ParamSet{Name: "once", Version: 1, SingleUse: true})...))
	want, err := s.Sign("avatar", 2, Params{PublicID: "u", Tags: []string{"t"}})
	if err != nil {
		t.Fatal(err)
	}
	values := benchValues()
	wantValues := s.SignValues(values)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				p, err := s.Sign("avatar", 2, Params{PublicID: "u", Tags: []string{"t"}})
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
				if _, err := s.SignProposed("widget", 1, url.Values{"timestamp": {"1700000000"}, "folder": {"avatars"}, "tags": {"avatar"}, "overwrite": {"0"}}, Params{}); err != nil {
					errs <- fmt.Errorf("SignProposed: %v", err)
					return
				}
				if _, err := s.Sign("once", 1, Params{}); err != nil {
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

func BenchmarkSignParallel(b *testing.B) {
	s := newSigner(b, testSecret, WithParamSets(ParamSet{Name: "avatar", Version: 1,
		Params: Params{Folder: "avatars", Tags: []string{"avatar", "profile"}, Context: map[string]string{"app": "web"}}}))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Sign("avatar", 1, Params{PublicID: "users/42/avatar"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// ---- fuzzing ----

// FuzzSignValuesGoSDK compares SignValues with the official Go SDK on
// three random parameters and a timestamp, all non-empty: the domain where
// the SDKs agree. Keys the upload endpoint does not sign are left out (the
// Go SDK signs whatever it is given), and so are keys with "&", which the
// Go SDK does not escape (TestGoSDKDifferenceAmpersandInKey).
func FuzzSignValuesGoSDK(f *testing.F) {
	for _, c := range readGolden[[]rawCase](f, "sign.json").Cases {
		var kv []string
		for k, raw := range c.Params {
			var v string
			if k == "timestamp" || json.Unmarshal(raw, &v) != nil || v == "" {
				continue
			}
			kv = append(kv, k, v)
		}
		for len(kv) < 6 {
			kv = append(kv, "x"+strconv.Itoa(len(kv)), "y")
		}
		f.Add(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], "1700000000", c.Algorithm == SHA256, c.SignatureVersion == 1)
	}
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3, ts string, sha256, v1sig bool) {
		params := url.Values{"timestamp": {ts}}
		for _, kv := range [][2]string{{k1, v1}, {k2, v2}, {k3, v3}} {
			if _, dup := params[kv[0]]; dup || referenceUnsigned[kv[0]] || strings.ContainsRune(kv[0], '&') || kv[1] == "" {
				return
			}
			params[kv[0]] = []string{kv[1]}
		}
		if ts == "" || ts == "0" {
			return
		}
		algorithm, version := SHA1, 2
		if sha256 {
			algorithm = SHA256
		}
		if v1sig {
			version = 1
		}
		s := newSigner(t, testSecret, WithAlgorithm(algorithm), WithSignatureVersion(version))
		got := s.SignValues(params)
		if sdk := goSDKSign(t, cloneValues(params), testSecret, algorithm, version); got != sdk {
			t.Errorf("SignValues %s, Go SDK %s, string to sign %q", got, sdk, StringToSign(params, version))
		}
	})
}

// referenceUnsigned are the fields Cloudinary's upload endpoint does not
// sign, as its documentation lists them.
var referenceUnsigned = map[string]bool{"file": true, "cloud_name": true, "resource_type": true, "api_key": true, "signature": true}

// referenceStringToSign is the five rules of the Node SDK's
// api_sign_request (the package documentation lists them), written plainly.
func referenceStringToSign(params url.Values, version int) string {
	type pair struct{ key, text string }
	var pairs []pair
	for key, values := range params {
		value := strings.Join(values, ",")         // 1. arrays joined with ","
		if value == "" || referenceUnsigned[key] { // 2. blank values dropped; the endpoint's unsigned keys
			continue
		}
		text := key + "=" + value // 4. key=value, with & escaped from version 2
		if version >= 2 {
			text = strings.ReplaceAll(text, "&", "%26")
		}
		pairs = append(pairs, pair{key, text})
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].key < pairs[j].key }) // 3. byte order
	texts := make([]string, len(pairs))
	for i, p := range pairs {
		texts[i] = p.text
	}
	return strings.Join(texts, "&") // 5. joined with &
}

// FuzzStringToSignReference compares StringToSign and SignValues with the
// reference on the whole domain: empty values, arrays, unsigned keys,
// invalid UTF-8, many keys.
func FuzzStringToSignReference(f *testing.F) {
	for _, c := range readGolden[[]rawCase](f, "sign.json").Cases {
		f.Add(encodeFuzzValues(c.values()), uint8(c.SignatureVersion))
	}
	f.Add(encodeFuzzValues(url.Values{"file": {"x"}, "a": {"", ""}, "b": {}, "\xff": {"\xfe&"}, "timestamp": {"1"}}), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, version uint8) {
		params := decodeFuzzValues(data)
		v := int(version % 4) // 0 and 1 are version 1, 2 and 3 version 2
		want := referenceStringToSign(params, v)
		if got := StringToSign(params, v); got != want {
			t.Fatalf("StringToSign = %q, reference %q", got, want)
		}
		sigVersion := 1
		if v >= 2 {
			sigVersion = 2
		}
		s := newSigner(t, testSecret, WithSignatureVersion(sigVersion))
		sum := sha1.Sum([]byte(want + testSecret))
		if got := s.SignValues(params); got != hex.EncodeToString(sum[:]) {
			t.Fatalf("SignValues = %s, want the SHA-1 of the reference string", got)
		}
	})
}

// encodeFuzzValues writes params as bytes decodeFuzzValues reads: for each
// key, its length, the key, the number of values, and each value with its
// length (lengths one byte).
func encodeFuzzValues(params url.Values) []byte {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b []byte
	for _, k := range keys {
		b = append(append(b, byte(len(k))), k...)
		b = append(b, byte(len(params[k])))
		for _, v := range params[k] {
			b = append(append(b, byte(len(v))), v...)
		}
	}
	return b
}

func decodeFuzzValues(data []byte) url.Values {
	params := url.Values{}
	next := func() (string, bool) {
		if len(data) == 0 {
			return "", false
		}
		n := int(data[0])
		if n > len(data)-1 {
			n = len(data) - 1
		}
		s := string(data[1 : 1+n])
		data = data[1+n:]
		return s, true
	}
	for len(data) > 0 {
		key, _ := next()
		if len(data) == 0 {
			params[key] = append(params[key], []string{}...)
			break
		}
		count := int(data[0] % 4)
		data = data[1:]
		params[key] = append(params[key], []string{}...)
		for i := 0; i < count; i++ {
			v, ok := next()
			if !ok {
				break
			}
			params[key] = append(params[key], v)
		}
	}
	return params
}

// TestVersion1RefusesAmpersand: under signature version 1, a value with
// "&" could be posted as two parameters under one signature.
func TestVersion1RefusesAmpersand(t *testing.T) {
	s := newSigner(t, testSecret, WithSignatureVersion(1), WithParamSets(avatarSets()[0], widgetSet()))
	if _, err := s.Sign("avatar", 1, Params{PublicID: "me&return_delete_token=1"}); !errors.Is(err, ErrInvalidParam) {
		t.Errorf("Sign: %v, want ErrInvalidParam", err)
	}
	proposed := url.Values{"timestamp": {"1700000000"}, "folder": {"avatars"}, "tags": {"avatar"}, "overwrite": {"0"},
		"public_id": {"me&tags=evil"}}
	if _, err := s.SignProposed("widget", 1, proposed, Params{}); !errors.Is(err, ErrParamNotAllowed) {
		t.Errorf("SignProposed: %v, want ErrParamNotAllowed", err)
	}
	proposed.Set("public_id", "me")
	if _, err := s.SignProposed("widget", 1, proposed, Params{}); err != nil {
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
		if _, err := s.Sign("avatar", 1, Params{Context: tt.context}); !errors.Is(err, tt.wantErr) {
			t.Errorf("context %q: err = %v, want %v", tt.context, err, tt.wantErr)
		}
	}
}

func TestTransformationDecoding(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(avatarSets()...))
	for _, bad := range []string{"w_100,%zz", "a%", "%ff%fe"} {
		if _, err := s.Sign("avatar", 1, Params{Transformation: bad}); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("transformation %q: %v, want ErrInvalidParam (the SDK throws URIError)", bad, err)
		}
	}
}

func BenchmarkVerifyUploadResult(b *testing.B) {
	s := newSigner(b, testSecret)
	sig := s.SignValues(url.Values{"public_id": {"users/42/avatar"}, "version": {"1700000000"}})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := s.VerifyUploadResult("users/42/avatar", 1700000000, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSignRaw(t *testing.T) {
	s := newSigner(t, testSecret)
	p, err := s.SignRaw("video", url.Values{"folder": {"clips"}, "tags": {"a", "b"}, "public_id": {""}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"folder": "clips", "tags": "a,b", "timestamp": "1700000000", "api_key": testKey,
		"signature": sha1Hex("folder=clips&tags=a,b&timestamp=1700000000" + testSecret)}
	if diff := cmp.Diff(want, p.Fields); diff != "" || p.URL != "https://api.cloudinary.com/v1_1/demo/video/upload" ||
		p.Timestamp != 1700000000 || !p.ExpiresAt.Equal(testTime.Add(time.Hour)) {
		t.Errorf("payload %+v\n%s", p, diff)
	}
	kept, err := s.SignRaw("image", url.Values{"timestamp": {"1315060510"}})
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
		if _, err := tt.s.SignRaw(tt.resourceType, tt.params); !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("SignRaw(%q, %v): %v, want ErrInvalidParam naming %q", tt.resourceType, tt.params, err, tt.want)
		}
		if !cmp.Equal(before, tt.params) {
			t.Errorf("SignRaw modified %v", tt.params)
		}
	}
}
