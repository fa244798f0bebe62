package uploadsign

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
)

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
