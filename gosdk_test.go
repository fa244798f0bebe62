package uploadsign

import (
	"net/url"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
)

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
		t.Error("the Go SDK now drops empty values; this test and docs/testing.md can say so")
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
		t.Error("the Go SDK now joins repeated keys; this test and docs/testing.md can say so")
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
		t.Error("the Go SDK no longer adds a timestamp to its argument; this test and docs/testing.md can say so")
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
