package uploadsign

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
)

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
			if !json.Valid(body) || !strings.HasPrefix(strings.TrimSpace(c.Body), "{") {
				// Signed by the SDK's rule, but no notification of Cloudinary's.
				_, err := at(sent).VerifyNotification(body, c.Timestamp, c.Signature)
				if !errors.Is(err, ErrInvalidSignature) || !strings.Contains(err.Error(), "JSON object") {
					t.Errorf("body %q is not a JSON object: err = %v, want ErrInvalidSignature saying so", c.Body, err)
				}
				return
			}
			if _, err := at(sent.Add(time.Minute)).VerifyNotification(body, c.Timestamp, c.Signature); err != nil {
				t.Errorf("genuine notification: %v", err)
			}
			if _, err := at(sent.Add(2*time.Hour+time.Second)).VerifyNotification(body, c.Timestamp, c.Signature); !errors.Is(err, ErrExpired) {
				t.Errorf("notification 2h1s old: err = %v, want ErrExpired", err)
			}
			if _, err := at(sent.Add(-10*time.Minute)).VerifyNotification(body, c.Timestamp, c.Signature); !errors.Is(err, ErrExpired) {
				t.Errorf("notification 10m in the future: err = %v, want ErrExpired", err)
			}
			s := at(sent)
			for name, tampered := range map[string]func() error{
				"body": func() error { _, err := s.VerifyNotification(append(body, ' '), c.Timestamp, c.Signature); return err },
				"timestamp": func() error {
					_, err := s.VerifyNotification(body, strconv.FormatInt(ts-1, 10), c.Signature)
					return err
				},
				"signature": func() error { _, err := s.VerifyNotification(body, c.Timestamp, flipHex(c.Signature)); return err },
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
	valid := sha1Hex("not the notification") // 40 hex digits, wrong value
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
			_, err := s.VerifyNotification(body, tt.timestamp, tt.signature)
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
	if _, err := s.VerifyNotification(body, ts, sig); !errors.Is(err, ErrExpired) {
		t.Errorf("err = %v, want ErrExpired", err)
	}
	long := newSigner(t, testSecret, WithNotificationMaxAge(time.Hour))
	if _, err := long.VerifyNotification(body, ts, sig); err != nil {
		t.Errorf("within max age: %v", err)
	}
}

func TestVerifyNotificationSignatureCase(t *testing.T) {
	s := newSigner(t, testSecret)
	body, ts := []byte(`{"x":1}`), "1700000000"
	sig := sha1Hex(string(body) + ts + testSecret)
	for _, v := range []string{sig, strings.ToUpper(sig)} {
		if _, err := s.VerifyNotification(body, ts, v); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	if _, err := s.VerifyNotification(body, ts, sig[:39]+"z"); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("non-hex digit: %v", err)
	}
}

// TestVerifyNotificationRefusesNonJSON: a notification is a JSON object,
// so no other signature of the account passes as one, such as the
// signature of an upload result, which Cloudinary hands to the browser.
func TestVerifyNotificationRefusesNonJSON(t *testing.T) {
	g := readGolden[verifyCases](t, "verify.json")
	result := g.Cases.UploadResults[0] // public_id=sample&version=1315060510, signed by the SDK
	if result.Algorithm != SHA1 {
		t.Fatalf("golden upload result 0 uses %s, want sha1", result.Algorithm)
	}
	version := strconv.FormatInt(result.Version, 10)
	s := newSigner(t, g.APISecret, fixedClock(time.Unix(result.Version, 0)))
	forged := "public_id=" + result.PublicID + "&version=" // + the timestamp: the result's string to sign
	_, err := s.VerifyNotification([]byte(forged), version, result.Signature)
	if !errors.Is(err, ErrInvalidSignature) || !strings.Contains(err.Error(), "JSON object") {
		t.Errorf("an upload result's signature as a webhook: err = %v, want ErrInvalidSignature saying the body is not a JSON object", err)
	}

	ts := strconv.FormatInt(testTime.Unix(), 10)
	sign := func(body string) string { return sha1Hex(body + ts + testSecret) }
	s = newSigner(t, testSecret)
	for _, body := range []string{"", " ", "[1]", `"x"`, "1", "null", "public_id=a&version=1", "{", `{"a":1}x`, `{"a":1}{}`, "\x00{}"} {
		if _, err := s.VerifyNotification([]byte(body), ts, sign(body)); !errors.Is(err, ErrInvalidSignature) {
			t.Errorf("body %q, rightly signed: err = %v, want ErrInvalidSignature", body, err)
		}
	}
	for _, body := range []string{"{}", " {\"a\":1}\n", "\t\r\n{\"a\":[1]} "} {
		if _, err := s.VerifyNotification([]byte(body), ts, sign(body)); err != nil {
			t.Errorf("body %q: %v", body, err)
		}
	}
}

// TestNotificationKey: Key is the same for every delivery of one event
// (Cloudinary's request_id, else the upload's asset and version, else the
// body) and differs between events.
func TestNotificationKey(t *testing.T) {
	s := newSigner(t, testSecret)
	key := func(body string, at time.Time) string {
		t.Helper()
		ts := strconv.FormatInt(at.Unix(), 10)
		n, err := s.VerifyNotification([]byte(body), ts, sha1Hex(body+ts+testSecret))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		return n.Key
	}
	upload := func(version int, requestID string) string {
		b := fmt.Sprintf(`{"notification_type":"upload","public_id":"a/b","version":%d,"resource_type":"image","type":"upload","format":"png","bytes":1`, version)
		if requestID != "" {
			b += fmt.Sprintf(`,"request_id":%q`, requestID)
		}
		return b + "}"
	}
	later := testTime.Add(time.Minute)
	for _, tt := range []struct {
		name     string
		a, b     string
		same     bool
		aAt, bAt time.Time
	}{
		{"one request, delivered again later", upload(1, "r1"), upload(1, "r1"), true, testTime, later},
		{"two requests", upload(1, "r1"), upload(1, "r2"), false, testTime, testTime},
		{"no request_id, one upload", upload(1, ""), upload(1, ""), true, testTime, later},
		{"no request_id, two versions", upload(1, ""), upload(2, ""), false, testTime, testTime},
		{"another type, one body", `{"notification_type":"delete","x":1}`, `{"notification_type":"delete","x":1}`, true, testTime, later},
		{"another type, two bodies", `{"notification_type":"delete","x":1}`, `{"notification_type":"delete","x":2}`, false, testTime, testTime},
	} {
		a, b := key(tt.a, tt.aAt), key(tt.b, tt.bAt)
		if a == "" || (a == b) != tt.same {
			t.Errorf("%s: keys %q and %q, want same %v", tt.name, a, b, tt.same)
		}
	}
}
