package uploadsign

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPayloadJSON: a Payload marshals to the JSON docs/routes.md documents,
// its optional dates left out when zero; the expected text is written
// here, not produced by the library.
func TestPayloadJSON(t *testing.T) {
	at := func(s string) *time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &tm
	}
	p := Payload{
		URL:       "https://api.cloudinary.com/v1_1/demo/image/upload",
		Fields:    map[string]string{"timestamp": "1700000000", "public_id": "<b>&amp;</b>", "api_key": "1", "signature": "ab"},
		Timestamp: 1700000000,
		ExpiresAt: time.Unix(1700003600, 0).UTC(),
		ParamSet:  "avatar",
		Version:   2,
	}
	tests := []struct {
		name   string
		change func(p *Payload)
		want   string
	}{
		{"no dates", func(*Payload) {},
			`{"url":"https://api.cloudinary.com/v1_1/demo/image/upload","fields":{"api_key":"1","public_id":"\u003cb\u003e\u0026amp;\u003c/b\u003e","signature":"ab","timestamp":"1700000000"},"timestamp":1700000000,"expires_at":"2023-11-14T23:13:20Z","param_set":"avatar","version":2}`},
		{"deprecated, with a sunset", func(p *Payload) {
			p.Deprecated, p.DeprecatedAt, p.Sunset = true, at("2025-06-01T00:00:00Z"), at("2025-09-01T00:00:00Z")
		}, `{"url":"https://api.cloudinary.com/v1_1/demo/image/upload","fields":{"api_key":"1","public_id":"\u003cb\u003e\u0026amp;\u003c/b\u003e","signature":"ab","timestamp":"1700000000"},"timestamp":1700000000,"expires_at":"2023-11-14T23:13:20Z","param_set":"avatar","version":2,"deprecated":true,"deprecated_at":"2025-06-01T00:00:00Z","sunset":"2025-09-01T00:00:00Z"}`},
		{"sunset only", func(p *Payload) { p.Sunset = at("2025-09-01T00:00:00Z") },
			`{"url":"https://api.cloudinary.com/v1_1/demo/image/upload","fields":{"api_key":"1","public_id":"\u003cb\u003e\u0026amp;\u003c/b\u003e","signature":"ab","timestamp":"1700000000"},"timestamp":1700000000,"expires_at":"2023-11-14T23:13:20Z","param_set":"avatar","version":2,"sunset":"2025-09-01T00:00:00Z"}`},
	}
	for _, tt := range tests {
		q := p
		tt.change(&q)
		got, err := json.Marshal(&q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, string(got)); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.name, diff)
		}
		var back Payload
		if err := json.Unmarshal(got, &back); err != nil || !cmp.Equal(q, back) {
			t.Errorf("%s: the JSON does not read back: %v\n%s", tt.name, err, cmp.Diff(q, back))
		}
	}
}
