package uploadsign

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAnswer(t *testing.T) {
	const msg = "Invalid Signature 3e1cd9. String to sign - 'folder=avatars&source=uw&timestamp=1764000000'."
	want := cloudinaryAnswer{Signature: "3e1cd9", StringToSign: "folder=avatars&source=uw&timestamp=1764000000"}
	for _, in := range []string{msg, " " + msg + "\r\n", `{"error":{"message":"` + msg + `"}}`, `{"error": {"message": "` + msg + `"}, "x": 1}`} {
		got, err := parseAnswer(in)
		if err != nil || got != want {
			t.Errorf("parseAnswer(%q) = %+v, %v", in, got, err)
		}
	}
	// A string to sign holding "'." itself: the message ends at the last.
	got, err := parseAnswer("Invalid Signature ab. String to sign - 'caption=it's.&x=y'.")
	if err != nil || got.StringToSign != "caption=it's.&x=y" {
		t.Errorf("quote inside: %+v, %v", got, err)
	}
	for _, bad := range []string{"", "Invalid Signature", msg[:40], msg[:len(msg)-1], "Stale request", `{"error":"x"}`, `{"message":"` + msg + `"}`, "[1]", "invalid signature 3e. String to sign - 'a'."} {
		if _, err := parseAnswer(bad); !errors.Is(err, errNotCloudinary) {
			t.Errorf("parseAnswer(%q): %v, want errNotCloudinary", bad, err)
		}
	}
}

func TestQuote(t *testing.T) {
	long := strings.Repeat("é", 100)
	if q := quote(long); len(q) > 90 || !strings.HasSuffix(q, "…") {
		t.Errorf("Quote of 200 bytes: %q", q)
	}
	if q := quote("ab"); q != `"ab"` {
		t.Errorf("quote(ab) = %s", q)
	}
}

func TestCompareParams(t *testing.T) {
	signed := map[string]string{"folder": "avatars", "tags": "a,b", "context": `alt=x\=y|k=v`, "timestamp": "1", "public_id": "a%26b",
		"allowed_formats": "jpg,png"}
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
		{"tags order", with(func(m map[string]string) { m["tags"] = "b,a" }), []string{"tags were posted in another order"}},
		{"another list reordered", with(func(m map[string]string) { m["allowed_formats"] = "png,jpg" }), []string{"allowed_formats differs"}},
		{"context order", with(func(m map[string]string) { m["context"] = `k=v|alt=x\=y` }), []string{"context was posted with its entries in another order"}},
		{"context escaping", with(func(m map[string]string) { m["context"] = `alt=x=y|k=v` }), []string{"escaped differently"}},
		{"& written as %26", with(func(m map[string]string) { m["public_id"] = "a&b" }), []string{"%26"}},
		{"other value", with(func(m map[string]string) { m["folder"] = strings.Repeat("x", 200) }), []string{"folder differs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := compareParams(tt.server, signed)
			if len(got) != len(tt.want) {
				t.Fatalf("causes %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("cause %d %q, want %q", i, got[i], w)
				}
				if tt.name != "tags order" && strings.Contains(got[i], "tags were") {
					t.Errorf("cause %d %q speaks of tags", i, got[i])
				}
				if strings.Contains(got[i], strings.Repeat("x", 81)) {
					t.Errorf("cause %d quotes more than 80 bytes", i)
				}
			}
		})
	}
}
