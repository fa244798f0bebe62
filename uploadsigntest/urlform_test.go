package uploadsigntest

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pieces reads at most n bytes a call, so that escapes are cut at every
// place.
type pieces struct {
	r io.Reader
	n int
}

func (p pieces) Read(b []byte) (int, error) { return p.r.Read(b[:min(len(b), p.n)]) }

// readSizes are the most bytes the body's reader returns a call, 0 for
// all.
var readSizes = []int{0, 1, 2, 3, 5}

// readURLEncodedBody reads body as the server reads a url-encoded form,
// at most n bytes a read (all if 0).
func readURLEncodedBody(t *testing.T, s *Server, body string, n int) (*form, error) {
	t.Helper()
	f := &form{s: s, up: &Upload{Fields: map[string]string{}}, values: url.Values{}, malformed: "Malformed form"}
	var r io.Reader = strings.NewReader(body)
	if n > 0 {
		r = pieces{r, n}
	}
	err := f.readURLEncoded(r)
	t.Cleanup(func() { f.file.discard() })
	return f, err
}

// TestURLEncodedAsParseQuery: the streaming reader reads a well-formed
// url-encoded body as net/url.ParseQuery does (the oracle), whether the
// body arrives whole or a few bytes at a time, so that escapes are cut at
// every place.
func TestURLEncodedAsParseQuery(t *testing.T) {
	s := NewServer("demo", "123456789012345", "secret")
	defer s.Close()
	bodies := []string{
		"",
		"a=1",
		"a=1&b=2&a=3",
		"a=&b",
		"a&b=x",
		"=skipped&b=2",
		"a=1&",
		"&&a=1&&",
		"k%20ey=v%26al%3Due+with+spaces%2B",
		"ctx=alt%3Da%5C%3Db%5C%7Cc&tags=x%2Cy",
		"u=%C3%BC%E2%82%AC",
		"eq=a=b=c",
		"timestamp=1700000000&public_id=avatars%2Fuser_42",
	}
	for _, body := range bodies {
		want, err := url.ParseQuery(body)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", body, err)
		}
		delete(want, "") // ParseQuery keeps an empty name; Cloudinary has no such parameter
		for _, n := range readSizes {
			f, err := readURLEncodedBody(t, s, body, n)
			if err != nil {
				t.Errorf("%q (%d bytes a read): %v", body, n, err)
				continue
			}
			if diff := cmp.Diff(want, f.values); diff != "" {
				t.Errorf("%q (%d bytes a read) (-ParseQuery +fake):\n%s", body, n, diff)
			}
		}
	}
}

// TestURLEncodedRefusals: a malformed body, or one over the limits, is
// refused with a message that says why, and the data URI in a body is
// decoded as it streams, whatever its escapes.
func TestURLEncodedRefusals(t *testing.T) {
	s := NewServer("demo", "123456789012345", "secret")
	defer s.Close()
	tests := []struct {
		name, body, msg string
	}{
		{"bad escape", "a=%zz", `Malformed form: invalid URL escape "%zz"`},
		{"cut escape", "a=1&b=%4", `Malformed form: invalid URL escape "%4" at the end of the body`},
		{"bad escape in a name", "a%g1=1", `Malformed form: invalid URL escape "%g1"`},
		{"fields too large", "a=" + strings.Repeat("x", maxFieldBytes), "Malformed form: the fields are larger than 10485760 bytes"},
		{"names count", strings.Repeat("n", maxFieldBytes-2) + "=123", "Malformed form: the fields are larger than 10485760 bytes"},
		{"too many fields", strings.Repeat("a=1&", maxParts+1), "Malformed form: more than 1000 fields"},
		{"remote file", "file=https%3A%2F%2Fexample.com%2Fa.png", "the fake upload endpoint does not fetch remote files"},
		{"data URI without base64", "file=data%3Aimage%2Fpng%2Cabc", "Invalid file data URI: want data:TYPE;base64,DATA"},
		{"data URI head too long", "file=data%3A" + strings.Repeat("x", 300) + "%3Bbase64%2CAAAA", "Invalid file data URI: want data:TYPE;base64,DATA"},
		{"data URI not base64", "file=data%3Aimage%2Fpng%3Bbase64%2CAA%21A", "Invalid file data URI: illegal base64 data at input byte 2"},
	}
	for _, tt := range tests {
		for _, n := range readSizes {
			if n > 0 && len(tt.body) > 1<<16 {
				continue // the same path, slowly
			}
			_, err := readURLEncodedBody(t, s, tt.body, n)
			if err == nil || !strings.HasPrefix(err.Error(), tt.msg) {
				t.Errorf("%s (%d bytes a read): %v, want %q", tt.name, n, err, tt.msg)
			}
		}
	}

	file := bytes.Repeat([]byte("\x00\xfb\xff?>"), 1000) // base64 with "+" and "/"
	uri := "data:application/octet-stream;base64," + base64.StdEncoding.EncodeToString(file)
	for _, body := range []string{
		"a=1&file=" + url.QueryEscape(uri) + "&b=2", // as browsers and Go escape it
		"a=1&file=" + strings.NewReplacer("+", "%2B", "/", "%2f", "=", "%3D").Replace(uri) + "&b=2",
	} {
		for _, n := range readSizes {
			f, err := readURLEncodedBody(t, s, body, n)
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.file.open()
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(r)
			r.Close()
			if !bytes.Equal(got, file) || f.up.Filename != "file" || !cmp.Equal(map[string][]string(f.values), map[string][]string{"a": {"1"}, "b": {"2"}}) {
				t.Errorf("%d bytes a read: %d bytes, file name %q, fields %v", n, len(got), f.up.Filename, f.values)
			}
		}
	}
}
