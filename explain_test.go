package uploadsign_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

const explainSecret = "explain-test-secret"

var explainTime = time.Unix(1700000000, 0)

var explainSet = uploadsign.ParamSet{Name: "avatar", Version: 1, Params: uploadsign.Params{
	Folder: "avatars", PublicID: "user_{owner}", Tags: []string{"avatar", "profile"}, Context: map[string]string{"alt": "a=b"},
}}

// postAndExplain posts fields to the fake endpoint, expects Cloudinary's
// 401, and explains it with s against what was signed.
func postAndExplain(t *testing.T, fake *uploadsigntest.Server, s *uploadsign.Signer, signed, posted map[string]string) *uploadsign.Diagnosis {
	t.Helper()
	answer, err := uploadsigntest.Post(s.UploadURL("image"), posted, "a.gif", gif1x1)
	if err != nil {
		t.Fatal(err)
	}
	if answer.Status != 401 {
		t.Fatalf("the fake answered %v, want 401", answer)
	}
	msg := answer.Error
	v := url.Values{}
	for k, x := range signed {
		v.Set(k, x)
	}
	d, err := s.Explain(msg, v)
	if err != nil {
		t.Fatalf("Explain(%q): %v", msg, err)
	}
	for _, c := range d.Causes {
		if strings.Contains(c, explainSecret) {
			t.Fatalf("a cause holds the secret: %s", c)
		}
	}
	return d
}

// gif1x1 is a 1×1 GIF.
var gif1x1, _ = hex.DecodeString("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")

func hexSHA1(text string) string {
	sum := sha1.Sum([]byte(text))
	return hex.EncodeToString(sum[:])
}

// TestExplainThroughFake produces each cause with a real answer of the
// fake endpoint, and checks that Explain names it first, or second where
// two causes fit the same answer.
func TestExplainThroughFake(t *testing.T) {
	clock := uploadsign.WithClock(func() time.Time { return explainTime })
	newSigner := func(t *testing.T, fakeURL, secret string, opts ...uploadsign.Option) *uploadsign.Signer {
		s, err := uploadsign.New("demo", "123456789012345", secret, append([]uploadsign.Option{clock,
			uploadsign.WithUploadURL(fakeURL), uploadsign.WithParamSets(explainSet)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	copyFields := func(f map[string]string, change func(map[string]string)) map[string]string {
		out := map[string]string{}
		for k, v := range f {
			out[k] = v
		}
		change(out)
		return out
	}
	// stringToSign is the payload's string as the rules make it, for
	// signatures made the wrong way.
	stringToSign := func(f map[string]string) string {
		v := url.Values{}
		for k, x := range f {
			v.Set(k, x)
		}
		return uploadsign.StringToSign(v, 2)
	}

	tests := []struct {
		name      string
		fakeOpts  []uploadsigntest.ServerOption
		signer    func(t *testing.T, fakeURL string) *uploadsign.Signer // signs and explains; default: the account's secret
		post      func(f map[string]string) map[string]string
		want      string // in the first cause
		orSecond  string // in the first or second cause
		notSecret bool
	}{
		{name: "posted but not signed: the widget's source", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { f["source"] = "uw" })
		}, want: "ClientParams"},
		{name: "posted but not signed: a preset", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { f["upload_preset"] = "mine" })
		}, want: "upload_preset was posted"},
		{name: "signed but not posted", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { delete(f, "folder") })
		}, want: "folder was signed but not posted"},
		{name: "timestamp replaced", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { f["timestamp"] = "1700000005" })
		}, want: "timestamp differs"},
		{name: "tags in another order", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { f["tags"] = "profile,avatar" })
		}, want: "tags were posted in another order"},
		{name: "context escaped differently", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { f["context"] = "alt=a=b" })
		}, want: "context is escaped differently"},
		{name: "a value changed", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { f["folder"] = "someone_else" })
		}, want: "folder differs"},
		{name: "a wrong secret", signer: func(t *testing.T, fakeURL string) *uploadsign.Signer {
			return newSigner(t, fakeURL, "an-old-secret")
		}, want: "regenerated"},
		{name: "unknown signature", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { f["signature"] = hexSHA1(stringToSign(f) + "another-key's-secret") })
		}, want: "matches no known way"},
		{name: "secret with a trailing newline", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { f["signature"] = hexSHA1(stringToSign(f) + explainSecret + "\n") })
		}, want: "line break"},
		{name: "secret in quotes", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { f["signature"] = hexSHA1(stringToSign(f) + `"` + explainSecret + `"`) })
		}, want: "in quotes"},
		{name: "secret with a space", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { f["signature"] = hexSHA1(stringToSign(f) + explainSecret + " ") })
		}, want: "spaces around the secret"},
		{name: "HMAC", post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) {
				mac := hmac.New(sha1.New, []byte(explainSecret))
				mac.Write([]byte(stringToSign(f)))
				f["signature"] = hex.EncodeToString(mac.Sum(nil))
			})
		}, want: "HMAC"},
		{name: "SHA-1 refused by a SHA-256-only account", fakeOpts: []uploadsigntest.ServerOption{uploadsigntest.WithSHA256Only()},
			want: "secret", orSecond: "SHA-256 signatures only"},
		{name: "a previous key's secret", signer: func(t *testing.T, fakeURL string) *uploadsign.Signer {
			return newSigner(t, fakeURL, explainSecret, uploadsign.WithPreviousKey("999999999999999", "an-old-secret"))
		}, post: func(f map[string]string) map[string]string {
			return copyFields(f, func(f map[string]string) { f["signature"] = hexSHA1(stringToSign(f) + "an-old-secret") })
		}, want: "previous key 999999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := uploadsigntest.NewServer("demo", "123456789012345", explainSecret,
				append([]uploadsigntest.ServerOption{uploadsigntest.WithClock(func() time.Time { return explainTime })}, tt.fakeOpts...)...)
			defer fake.Close()
			s := newSigner(t, fake.URL, explainSecret)
			if tt.signer != nil {
				s = tt.signer(t, fake.URL)
			}
			p, err := s.Sign("avatar", 1, uploadsign.Request{Owner: "42"})
			if err != nil {
				t.Fatal(err)
			}
			posted := p.Fields
			if tt.post != nil {
				posted = tt.post(p.Fields)
			}
			d := postAndExplain(t, fake, s, p.Fields, posted)
			first := d.Causes[0]
			switch {
			case tt.orSecond != "":
				if !strings.Contains(first, tt.want) && !strings.Contains(first, tt.orSecond) ||
					len(d.Causes) < 2 || !strings.Contains(d.Causes[0]+d.Causes[1], tt.orSecond) {
					t.Errorf("causes %q, want %q first or second", d.Causes, tt.orSecond)
				}
			case !strings.Contains(first, tt.want):
				t.Errorf("first cause %q, want %q; all: %q", first, tt.want, d.Causes)
			}
			if d.Unexplained != (tt.want == "matches no known way") {
				t.Errorf("Unexplained = %v, causes %q", d.Unexplained, d.Causes)
			}
			if d.SignedString == "" || d.ServerString == "" {
				t.Errorf("diagnosis without its strings: %+v", d)
			}
		})
	}
}

// TestExplainVersion1Ampersand: a version-1 signature of a value holding
// "&", which the fake checks as version 2.
func TestExplainVersion1Ampersand(t *testing.T) {
	fake := uploadsigntest.NewServer("demo", "123456789012345", explainSecret, uploadsigntest.WithClock(func() time.Time { return explainTime }))
	defer fake.Close()
	v1, err := uploadsign.New("demo", "123456789012345", explainSecret, uploadsign.WithSignatureVersion(1), uploadsign.WithUploadURL(fake.URL))
	if err != nil {
		t.Fatal(err)
	}
	params := url.Values{"timestamp": {"1700000000"}, "public_id": {"tom&jerry"}}
	fields := map[string]string{"timestamp": "1700000000", "public_id": "tom&jerry", "api_key": "123456789012345",
		"signature": v1.SignValues(params)} // the raw primitive signs "&" under version 1
	d := postAndExplain(t, fake, v1, fields, fields)
	if !strings.Contains(d.Causes[0], "signature version 1") {
		t.Errorf("causes %q, want signature version 1 first", d.Causes)
	}
}

func TestExplainRefusesOtherMessages(t *testing.T) {
	s, err := uploadsign.New("demo", "123456789012345", explainSecret)
	if err != nil {
		t.Fatal(err)
	}
	good := "Invalid Signature 0123456789abcdef0123456789abcdef01234567. String to sign - 'timestamp=1'."
	for _, msg := range []string{
		"", "Stale request - reported time is 2015-06-20 12:59:41 +0000 which is more than 1 hour ago",
		"Invalid Signature 0123", good[:len(good)-2], good[:len(good)-1], `{"error":{}}`, `{"error":{"message":"Unknown API key x"}}`,
		`{"error":`, "Upload preset must be specified when using unsigned upload",
	} {
		if _, err := s.Explain(msg, url.Values{}); !errors.Is(err, uploadsign.ErrInvalidParam) {
			t.Errorf("Explain(%q): %v, want ErrInvalidParam", msg, err)
		}
	}
	for _, msg := range []string{good, "  " + good + "\n", `{"error":{"message":` + quoteJSON(good) + `}}`} {
		d, err := s.Explain(msg, url.Values{"timestamp": {"1"}})
		if err != nil || d.ServerString != "timestamp=1" || len(d.Causes) == 0 {
			t.Errorf("Explain(%q) = %+v, %v", msg, d, err)
		}
	}
}

// TestExplainCap: an answer over 1 MiB is refused without being read; one
// just under is read.
func TestExplainCap(t *testing.T) {
	s, err := uploadsign.New("demo", "123456789012345", explainSecret)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1 << 20, 1<<20 + 1} {
		msg := hostileAnswer(size)
		_, err := s.Explain(msg, url.Values{"timestamp": {"1"}})
		if over := len(msg) > 1<<20; over != errors.Is(err, uploadsign.ErrInvalidParam) || over && !strings.Contains(err.Error(), "1 MiB") {
			t.Errorf("Explain of %d bytes: %v", len(msg), err)
		}
	}
}

// hostileAnswer is an "Invalid Signature" answer of size bytes whose
// string to sign is mostly "&" pieces without "=", the input on which
// joining values with += took quadratic time.
func hostileAnswer(size int) string {
	head := "Invalid Signature 0123456789abcdef0123456789abcdef01234567. String to sign - 'public_id="
	tail := "&timestamp=1'."
	body := strings.Repeat("&x", (size-len(head)-len(tail))/2)
	return head + body + strings.Repeat("x", size-len(head)-len(tail)-len(body)) + tail
}

// BenchmarkExplainLinear: four times the input costs about four times the
// time (a quadratic Explain took 5 s at 64 KiB and 68 s at 256 KiB).
func BenchmarkExplainLinear(b *testing.B) {
	s, err := uploadsign.New("demo", "123456789012345", explainSecret)
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{64 << 10, 256 << 10} {
		msg := hostileAnswer(size)
		b.Run(strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
			b.SetBytes(int64(size))
			for i := 0; i < b.N; i++ {
				if _, err := s.Explain(msg, url.Values{"public_id": {"x"}, "timestamp": {"1"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func quoteJSON(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// FuzzExplain: Explain never panics on any message, and refuses what it
// cannot read with ErrInvalidParam.
func FuzzExplain(f *testing.F) {
	f.Add("Invalid Signature 0123456789abcdef0123456789abcdef01234567. String to sign - 'folder=a&timestamp=1'.", "folder=a&timestamp=1")
	f.Add(`{"error":{"message":"Invalid Signature zz. String to sign - 'a&&b=&=c'."}}`, "a=b")
	f.Add("Invalid Signature . String to sign - ''.", "")
	s, err := uploadsign.New("demo", "123456789012345", explainSecret, uploadsign.WithPreviousKey("9", "x"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, msg, signed string) {
		v, _ := url.ParseQuery(signed)
		d, err := s.Explain(msg, v)
		if err != nil {
			if !errors.Is(err, uploadsign.ErrInvalidParam) {
				t.Fatalf("error %v does not wrap ErrInvalidParam", err)
			}
			return
		}
		if len(d.Causes) == 0 && d.ServerString != d.SignedString {
			t.Fatalf("no cause for %q against %q", d.ServerString, d.SignedString)
		}
		for _, c := range d.Causes {
			if strings.Contains(c, explainSecret) {
				t.Fatalf("a cause holds the secret: %s", c)
			}
		}
	})
}

// TestExplainNamesAnotherSignature: when the signature the browser posted
// is not the one the backend returned for the fields, Explain says so,
// whether or not the parameters agree.
func TestExplainNamesAnotherSignature(t *testing.T) {
	s, err := uploadsign.New("demo", "123456789012345", explainSecret)
	if err != nil {
		t.Fatal(err)
	}
	issued := hexSHA1("folder=a&timestamp=1700000000" + explainSecret)
	other := hexSHA1("an old payload")
	signed := url.Values{"folder": {"a"}, "timestamp": {"1700000000"}, "signature": {issued}, "api_key": {"123456789012345"}}
	answer := func(posted, str string) string {
		return "Invalid Signature " + posted + ". String to sign - '" + str + "'."
	}
	tests := []struct {
		name, posted, str string
		want              string // in the last cause; "" for none about another signature
	}{
		{"parameters differ, another signature", other, "folder=b&timestamp=1700000000", "also posted another signature"},
		{"parameters agree, another signature", other, "folder=a&timestamp=1700000000", "reuses an old signature"},
		{"parameters differ, the issued signature", issued, "folder=b&timestamp=1700000000", ""},
	}
	for _, tt := range tests {
		d, err := s.Explain(answer(tt.posted, tt.str), signed)
		if err != nil {
			t.Fatal(err)
		}
		last := d.Causes[len(d.Causes)-1]
		mentions := strings.Contains(strings.Join(d.Causes, " "), "another signature")
		switch {
		case tt.want == "" && mentions:
			t.Errorf("%s: causes %q mention another signature", tt.name, d.Causes)
		case tt.want != "" && !strings.Contains(last, tt.want):
			t.Errorf("%s: causes %q, want the last to say %q", tt.name, d.Causes, tt.want)
		}
	}
}
