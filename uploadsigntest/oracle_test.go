package uploadsigntest_test

import (
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// sha1Hex is the signature of a string to sign, computed here from the
// documented rule (the string, then the secret, hashed with SHA-1), not by
// any code under test.
func sha1Hex(stringToSign, secret string) string {
	sum := sha1.Sum([]byte(stringToSign + secret))
	return hex.EncodeToString(sum[:])
}

// TestOracleSortsNames: Cloudinary sorts the parameters by name, then
// writes name=value pairs. Where a name is a prefix of another and the
// next byte sorts before "=" (a digit, "-"), sorting the pairs instead
// gives another order: "tags2=a" before "tags=b". The golden files of the
// Node SDK have no such names, so the strings to sign are written here by
// the documented rule and hashed in the test.
func TestOracleSortsNames(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]string
		sorted string // by name: what Cloudinary hashes
		pairs  string // by pair: what it does not
	}{
		{"tags and tags2",
			map[string]string{"tags": "b", "tags2": "a", "timestamp": "1700000000"},
			"tags=b&tags2=a&timestamp=1700000000",
			"tags2=a&tags=b&timestamp=1700000000"},
		{"context and context-x",
			map[string]string{"context": "alt=z", "context-x": "1", "timestamp": "1700000000"},
			"context=alt=z&context-x=1&timestamp=1700000000",
			"context-x=1&context=alt=z&timestamp=1700000000"},
		{"public_id and public_id2",
			map[string]string{"public_id": "a", "public_id2": "b", "timestamp": "1700000000"},
			"public_id=a&public_id2=b&timestamp=1700000000",
			"public_id2=b&public_id=a&timestamp=1700000000"},
	}
	_, srv, _ := startFake(t)
	img := pngImage(t, 2, 2)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var names []string
			for _, pair := range strings.Split(tt.sorted, "&") {
				name, _, _ := strings.Cut(pair, "=")
				names = append(names, name)
			}
			if !sort.StringsAreSorted(names) || tt.sorted == tt.pairs {
				t.Fatalf("the test's string %q is not sorted by name, or is the same sorted by pair", tt.sorted)
			}
			for _, c := range []struct {
				text string
				want int
			}{{tt.sorted, http.StatusOK}, {tt.pairs, http.StatusUnauthorized}} {
				fields := copyFields(tt.fields)
				fields["api_key"] = key
				fields["signature"] = sha1Hex(c.text, secret)
				answer, err := uploadsigntest.Post(srv.URL+"/v1_1/"+cloud+"/image/upload", fields, "a.png", img)
				if err != nil || answer.Status != c.want {
					t.Errorf("signed over %q: %v (%v), want %d", c.text, answer, err, c.want)
				}
			}
		})
	}
}

// TestOracleLeavesOutUnsignedKeys: the fields Cloudinary's documentation
// leaves out of the string to sign (file, cloud_name, resource_type,
// api_key) may be posted beside the signed ones; the signature covers
// the rest.
func TestOracleLeavesOutUnsignedKeys(t *testing.T) {
	_, srv, _ := startFake(t)
	fields := map[string]string{
		"timestamp": "1700000000", "public_id": "x",
		"api_key": key, "cloud_name": cloud, "resource_type": "image",
		"signature": sha1Hex("public_id=x&timestamp=1700000000", secret),
	}
	answer, err := uploadsigntest.Post(srv.URL+"/v1_1/"+cloud+"/image/upload", fields, "a.png", pngImage(t, 2, 2))
	if err != nil || answer.Status != http.StatusOK {
		t.Errorf("%v (%v), want 200", answer, err)
	}
}
