package cloudinary

import (
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
	if Unsigned("timestamp") || IsUploadResourceType("images") || ValidParamName("Public_id") || !ValidParamName("public_id2") {
		t.Error("a set holds what it should not")
	}
}
