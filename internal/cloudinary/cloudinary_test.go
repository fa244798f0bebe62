package cloudinary

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTimestamp(t *testing.T) {
	for _, good := range []string{"0", "1700000000", "000123"} {
		if _, err := ParseTimestamp(good); err != nil {
			t.Errorf("ParseTimestamp(%q): %v", good, err)
		}
	}
	for _, bad := range []string{"", "+5", "-5", " 1", "1 ", "1.5", "1e9", "0x10", "1234567890123456789"} {
		if _, err := ParseTimestamp(bad); err == nil {
			t.Errorf("ParseTimestamp(%q) accepted", bad)
		}
	}
}

// TestContextRoundTrip: what AppendContextValue escapes, ParseContext
// reads back.
func TestContextRoundTrip(t *testing.T) {
	want := map[string]string{"alt": "a=b|c", "caption": "plain", "empty": ""}
	var b []byte
	for i, k := range []string{"alt", "caption", "empty"} {
		if i > 0 {
			b = append(b, '|')
		}
		b = append(append(b, k...), '=')
		b = AppendContextValue(b, want[k])
	}
	if string(b) != `alt=a\=b\|c|caption=plain|empty=` {
		t.Errorf("escaped %q", b)
	}
	if diff := cmp.Diff(want, ParseContext(string(b))); diff != "" {
		t.Error(diff)
	}
}

func TestSets(t *testing.T) {
	for _, k := range UnsignedKeys {
		if !Unsigned(k) {
			t.Errorf("Unsigned(%q) = false", k)
		}
	}
	for _, rt := range UploadResourceTypes {
		if !IsUploadResourceType(rt) {
			t.Errorf("IsUploadResourceType(%q) = false", rt)
		}
	}
	if Unsigned("timestamp") || IsUploadResourceType("images") {
		t.Error("a set holds what it should not")
	}
}

func TestPairs(t *testing.T) {
	keys, values := Pairs("a=1&b=x=y&c=p&q&d=")
	if diff := cmp.Diff([]string{"a", "b", "c", "d"}, keys); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff(map[string]string{"a": "1", "b": "x=y", "c": "p&q", "d": ""}, values); diff != "" {
		t.Error(diff)
	}
}

// pairsReference is Pairs as it reads in its documentation, built with
// string concatenation (quadratic, fine for a test).
func pairsReference(s string) (keys []string, values map[string]string) {
	values = map[string]string{}
	if s == "" {
		return nil, values
	}
	last := ""
	for i, piece := range strings.Split(s, "&") {
		k, v, ok := strings.Cut(piece, "=")
		if !ok && i > 0 {
			values[last] += "&" + piece
			continue
		}
		if _, dup := values[k]; !dup {
			keys = append(keys, k)
		}
		values[k], last = v, k
	}
	return keys, values
}

func FuzzPairs(f *testing.F) {
	for _, s := range []string{"", "a", "a=1", "a=1&b=x=y&c=p&q&d=", "&", "&&", "x&y", "a=1&a=2", "a=1&b=2&a=3&q", "=&=", "a&a=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		keys, values := Pairs(s)
		wantKeys, wantValues := pairsReference(s)
		if diff := cmp.Diff(wantKeys, keys); diff != "" {
			t.Errorf("Pairs(%q) keys (-want +got):\n%s", s, diff)
		}
		if diff := cmp.Diff(wantValues, values); diff != "" {
			t.Errorf("Pairs(%q) values (-want +got):\n%s", s, diff)
		}
	})
}
