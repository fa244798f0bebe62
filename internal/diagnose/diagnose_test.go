package diagnose

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	const msg = "Invalid Signature 3e1cd9. String to sign - 'folder=avatars&source=uw&timestamp=1764000000'."
	want := Answer{Signature: "3e1cd9", StringToSign: "folder=avatars&source=uw&timestamp=1764000000"}
	for _, in := range []string{msg, " " + msg + "\r\n", `{"error":{"message":"` + msg + `"}}`, `{"error": {"message": "` + msg + `"}, "x": 1}`} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v", in, got, err)
		}
	}
	// A string to sign holding "'." itself: the message ends at the last.
	got, err := Parse("Invalid Signature ab. String to sign - 'caption=it's.&x=y'.")
	if err != nil || got.StringToSign != "caption=it's.&x=y" {
		t.Errorf("quote inside: %+v, %v", got, err)
	}
	for _, bad := range []string{"", "Invalid Signature", msg[:40], msg[:len(msg)-1], "Stale request", `{"error":"x"}`, `{"message":"` + msg + `"}`, "[1]", "invalid signature 3e. String to sign - 'a'."} {
		if _, err := Parse(bad); !errors.Is(err, ErrNotCloudinary) {
			t.Errorf("Parse(%q): %v, want ErrNotCloudinary", bad, err)
		}
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

func TestQuote(t *testing.T) {
	long := strings.Repeat("é", 100)
	if q := Quote(long); len(q) > 90 || !strings.HasSuffix(q, "…") {
		t.Errorf("Quote of 200 bytes: %q", q)
	}
	if q := Quote("ab"); q != `"ab"` {
		t.Errorf("Quote(ab) = %s", q)
	}
}

func TestCompareParams(t *testing.T) {
	signed := map[string]string{"folder": "avatars", "tags": "a,b", "context": `alt=x\=y|k=v`, "timestamp": "1", "public_id": "a%26b"}
	with := func(change func(m map[string]string)) map[string]string {
		m := map[string]string{}
		for k, v := range signed {
			m[k] = v
		}
		change(m)
		return m
	}
	tests := []struct {
		name   string
		server map[string]string
		want   []string // one substring per cause, in order
	}{
		{"same", signed, nil},
		{"source added", with(func(m map[string]string) { m["source"] = "uw" }), []string{"ClientParams"}},
		{"folder left out, source added", with(func(m map[string]string) { delete(m, "folder"); m["source"] = "uw" }), []string{"source was posted", "folder was signed but not posted"}},
		{"timestamp", with(func(m map[string]string) { m["timestamp"] = "2" }), []string{"timestamp differs"}},
		{"tags order", with(func(m map[string]string) { m["tags"] = "b,a" }), []string{"another order"}},
		{"context order", with(func(m map[string]string) { m["context"] = `k=v|alt=x\=y` }), []string{"context was posted with its entries in another order"}},
		{"context escaping", with(func(m map[string]string) { m["context"] = `alt=x=y|k=v` }), []string{"escaped differently"}},
		{"& written as %26", with(func(m map[string]string) { m["public_id"] = "a&b" }), []string{"%26"}},
		{"other value", with(func(m map[string]string) { m["folder"] = strings.Repeat("x", 200) }), []string{"folder differs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CompareParams(tt.server, signed)
			if len(got) != len(tt.want) {
				t.Fatalf("causes %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("cause %d %q, want %q", i, got[i], w)
				}
				if strings.Contains(got[i], strings.Repeat("x", 81)) {
					t.Errorf("cause %d quotes more than 80 bytes", i)
				}
			}
		})
	}
}
