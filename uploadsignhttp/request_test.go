package uploadsignhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// decodeLikeBefore is how the handler read its request before
// parseRequest: encoding/json's Decoder, unknown fields refused, nothing
// but white space after the object.
func decodeLikeBefore(data []byte) (Request, error) {
	var req Request
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, errors.New("data after the JSON object")
	}
	return req, nil
}

func checkParse(t *testing.T, body string) {
	t.Helper()
	want, wantErr := decodeLikeBefore([]byte(body))
	got, err := parseRequest([]byte(body))
	if (err != nil) != (wantErr != nil) {
		t.Errorf("parseRequest(%q) error %v, encoding/json %v", body, err, wantErr)
		return
	}
	if err == nil && got != want {
		t.Errorf("parseRequest(%q) = %+v, encoding/json %+v", body, got, want)
	}
}

func TestParseRequest(t *testing.T) {
	for _, body := range []string{
		`{"param_set":"avatar","version":1}`,
		" \t\r\n{ \"param_set\" : \"avatar\" , \"version\" : 12 } \n",
		`{}`, ``, ` `, `{`, `}`, `[]`, `null`, `"x"`, `{"param_set":"avatar","version":1}x`, `{"param_set":"avatar","version":1}{}`,
		`{"param_set":"avatar",}`, `{,}`, `{"param_set" "a"}`, `{"param_set":"a" "version":1}`, `{"param_set":"a",,"version":1}`,
		`{"PARAM_SET":"a","Version":2}`, `{"param_ſet":"a","\u212aersion":2}`, `{"versıon":1}`, `{"param_set\u0000":"a"}`,
		`{"param_set":null,"version":null}`, `{"param_set":"a","param_set":null}`, `{"param_set":"a","param_set":"b"}`,
		`{"param_set":nul}`, `{"param_set":nullx}`, `{"param_set":true}`, `{"param_set":1}`, `{"param_set":{}}`, `{"param_set":[]}`,
		`{"param_set":"a\u0062c\n"}`, `{"param_set":"a\qb"}`, `{"param_set":"a` + "\x01" + `"}`, `{"param_set":"\xff\xfe"}`,
		`{"param_set":"é世"}`, `{"param_set":"\ud800"}`, `{"param_set":"a\"b\\"}`, `{"param_set":"a\`, `{"param_set":"abc`,
		`{"version":-0}`, `{"version":-1}`, `{"version":01}`, `{"version":1.0}`, `{"version":1e2}`, `{"version":1E+2}`,
		`{"version":1.}`, `{"version":.5}`, `{"version":-}`, `{"version":+1}`, `{"version":9223372036854775807}`,
		`{"version":9223372036854775808}`, `{"version":"1"}`, `{"version":true}`, `{"version":1e}`, `{"version":0x1}`,
		`{"public_id":"x"}`, `{"param_set":"a","version":1,"x":{}}`, `{1:2}`, "\ufeff{}",
	} {
		checkParse(t, body)
	}
}

func TestParseRequestNamesUnknownField(t *testing.T) {
	_, err := parseRequest([]byte(`{"param_set":"a","` + strings.Repeat("x", 1000) + `":1}`))
	if err == nil || !strings.Contains(err.Error(), "unknown field") || len(err.Error()) > 100 {
		t.Errorf("err = %v, want a short unknown-field error", err)
	}
}

// FuzzParseRequest checks that parseRequest accepts what encoding/json
// accepts, with the same values, and refuses what it refuses.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{`{"param_set":"avatar","version":1}`, `{"Param_Set":"a\u00e9","VERSION":1e0}`,
		`{"param_set":null} `, `{"version":-12,"param_set":"x\"y"}`, `{"param_set":"\xff"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkParse(t, string(body)) })
}

func BenchmarkParseRequest(b *testing.B) {
	body := []byte(`{"param_set": "avatar", "version": 1}`)
	b.Run("parseRequest", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := parseRequest(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := decodeLikeBefore(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
