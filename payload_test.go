package uploadsign

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// reflectPayload is Payload without its methods: encoding/json encodes it
// by reflection, as it encoded Payload before Payload.AppendJSON existed.
type reflectPayload Payload

// checkSameJSON fails unless p's AppendJSON, its MarshalJSON through
// encoding/json, and encoding/json's reflection give the same bytes and
// decode to the same value. The only bytes allowed to differ are those of
// Go before 1.22, which escaped \b and \f as \u0008 and \u000c.
func checkSameJSON(t *testing.T, p *Payload) {
	t.Helper()
	want, wantErr := json.Marshal((*reflectPayload)(p))
	got, gotErr := p.AppendJSON([]byte("prefix"))
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("AppendJSON error %v, encoding/json error %v", gotErr, wantErr)
	}
	if gotErr != nil {
		if string(got) != "prefix" {
			t.Errorf("AppendJSON failed and changed dst to %q", got)
		}
		return
	}
	got, ok := bytes.CutPrefix(got, []byte("prefix"))
	if !ok {
		t.Fatalf("AppendJSON lost dst: %q", got)
	}
	viaMarshal, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("json.Marshal through MarshalJSON: %v", err)
	}
	if !bytes.Equal(viaMarshal, got) {
		t.Errorf("json.Marshal through MarshalJSON differs from AppendJSON:\n%s", cmp.Diff(string(got), string(viaMarshal)))
	}
	var gotValue, wantValue any
	if err := json.Unmarshal(got, &gotValue); err != nil {
		t.Fatalf("AppendJSON wrote invalid JSON %q: %v", got, err)
	}
	if err := json.Unmarshal(want, &wantValue); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantValue, gotValue); diff != "" {
		t.Errorf("decoded JSON differs (-encoding/json +AppendJSON):\n%s", diff)
	}
	oldGo := bytes.Contains(want, []byte(`\u0008`)) || bytes.Contains(want, []byte(`\u000c`))
	if !bytes.Equal(got, want) && !oldGo {
		t.Errorf("JSON differs (-encoding/json +AppendJSON):\n%s", cmp.Diff(string(want), string(got)))
	}
}

// TestPayloadJSONGolden encodes a payload of every golden case's fields,
// without and with the lifecycle fields.
func TestPayloadJSONGolden(t *testing.T) {
	g := readGolden[[]typedCase](t, "upload_params.json")
	if len(g.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			p := &Payload{
				URL:       "https://api.cloudinary.com/v1_1/demo/image/upload",
				Fields:    c.Fields,
				Timestamp: c.Timestamp,
				ExpiresAt: time.Unix(c.Timestamp, 0).Add(time.Hour).UTC(),
				ParamSet:  c.Name,
				Version:   c.SignatureVersion,
			}
			checkSameJSON(t, p)
			p.Deprecated, p.DeprecatedAt, p.Sunset = true, timePtr(deprecatedAt.UTC()), timePtr(sunsetAt.UTC())
			checkSameJSON(t, p)
		})
	}
}

// TestSignedPayloadJSON encodes what Sign makes, with and without dates.
func TestSignedPayloadJSON(t *testing.T) {
	sets := append(avatarSets(), lifecycleSets()[0])
	sets[len(sets)-1].Name = "old"
	s := newSigner(t, testSecret, WithParamSets(sets...), fixedClock(deprecatedAt))
	for _, set := range sets {
		p, err := s.Sign(set.Name, set.Version, Params{PublicID: "<b>&amp;</b>", Context: map[string]string{"alt": "a \u2028 b"}})
		if err != nil {
			t.Fatal(err)
		}
		checkSameJSON(t, p)
	}
}

func TestPayloadJSONEscaping(t *testing.T) {
	tests := []struct{ name, s string }{
		{"empty", ""},
		{"html", `<script>alert("x&y")</script>`},
		{"backslash", `C:\path\`},
		{"controls", "\x00\x01\x1f\x7f\t\n\r"},
		{"b and f", "\b\f"},
		{"line separators", "a\u2028b\u2029c"},
		{"invalid UTF-8", "a\xffb\xc3(\xe2\x82"},
		{"unicode", "héllo, 世界 🙂"},
		{"escaped already", `\u003c \"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSameJSON(t, &Payload{
				URL:       tt.s,
				Fields:    map[string]string{tt.s: tt.s, "z" + tt.s: "", "a": tt.s},
				ParamSet:  tt.s,
				ExpiresAt: testTime,
			})
		})
	}
}

func TestPayloadJSONEdges(t *testing.T) {
	zone := func(offset int) *time.Location { return time.FixedZone("", offset) }
	tests := []struct {
		name string
		p    Payload
	}{
		{"zero", Payload{}},
		{"nil fields", Payload{ExpiresAt: testTime}},
		{"empty fields", Payload{Fields: map[string]string{}}},
		{"negative numbers", Payload{Timestamp: -1, Version: -7}},
		{"nanoseconds and a zone", Payload{ExpiresAt: time.Unix(1700000000, 120).In(zone(-9000))}},
		{"zone with seconds", Payload{ExpiresAt: testTime.In(zone(3601))}},
		{"year 10000", Payload{ExpiresAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"year -1", Payload{ExpiresAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"zone of a day", Payload{ExpiresAt: testTime.In(zone(24 * 3600))}},
		{"sunset in year 10000", Payload{Sunset: timePtr(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))}},
		{"deprecated_at out of range", Payload{DeprecatedAt: timePtr(time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC))}},
		{"many fields", Payload{Fields: func() map[string]string {
			m := map[string]string{}
			for i := 0; i < 100; i++ {
				m[strings.Repeat("k", i%7)+string(rune('a'+i%26))+strings.Repeat("x", i)] = "v"
			}
			return m
		}()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkSameJSON(t, &tt.p) })
	}
}

// FuzzPayloadJSON compares AppendJSON with encoding/json on payloads of
// any strings, numbers and times.
func FuzzPayloadJSON(f *testing.F) {
	f.Add("https://api.cloudinary.com/v1_1/demo/image/upload", "public_id", "user_42", "tags", "a,b", "avatar",
		int64(1700000000), int64(1700003600), int64(0), 0, 2, false, int64(0), int64(0))
	f.Add("<u>", "&", "\u2028", "\xff", "\b\f", "\x00", int64(-1), int64(-62135596800), int64(999999999), -3600, -1, true, int64(1), int64(2))
	f.Add("", "", "", "", "", "", int64(0), int64(253402300799), int64(1), 86399, 0, true, int64(253402300800), int64(-62135596801))
	f.Fuzz(func(t *testing.T, url, k1, v1, k2, v2, set string, ts, sec, nsec int64, offset, version int,
		deprecated bool, deprecatedUnix, sunsetUnix int64) {
		p := &Payload{
			URL:        url,
			Fields:     map[string]string{k1: v1, k2: v2},
			Timestamp:  ts,
			ExpiresAt:  time.Unix(sec, nsec).In(time.FixedZone("", offset)),
			ParamSet:   set,
			Version:    version,
			Deprecated: deprecated,
		}
		if deprecatedUnix != 0 {
			p.DeprecatedAt = timePtr(time.Unix(deprecatedUnix, nsec).UTC())
		}
		if sunsetUnix != 0 {
			p.Sunset = timePtr(time.Unix(sunsetUnix, 0).In(time.FixedZone("", -offset)))
		}
		if k1 == "" {
			p.Fields = nil
		}
		checkSameJSON(t, p)
	})
}

func BenchmarkPayloadJSON(b *testing.B) {
	s := newSigner(b, testSecret, WithParamSets(ParamSet{Name: "avatar", Version: 1,
		Params: Params{Folder: "avatars", Tags: []string{"avatar", "profile"}, Context: map[string]string{"app": "web"}}}))
	p, err := s.Sign("avatar", 1, Params{PublicID: "users/42/avatar"})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for i := 0; i < b.N; i++ {
			if _, err := p.AppendJSON(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := json.Marshal((*reflectPayload)(p)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSignJSON signs and writes a payload's JSON, with
// AppendPayloadJSON beside Sign and AppendJSON.
func BenchmarkSignJSON(b *testing.B) {
	s := newSigner(b, testSecret, WithParamSets(ParamSet{Name: "avatar", Version: 1,
		Params: Params{Folder: "avatars", Tags: []string{"avatar", "profile"}, Context: map[string]string{"app": "web"}}}))
	req := Params{PublicID: "users/42/avatar"}
	buf := make([]byte, 0, 1024)
	b.Run("AppendPayloadJSON", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := s.AppendPayloadJSON(buf[:0], "avatar", 1, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Sign+AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p, err := s.Sign("avatar", 1, req)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := p.AppendJSON(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// checkAppendPayloadJSON fails unless AppendPayloadJSON appends to dst
// the bytes AppendJSON writes for the payload Sign returns, or fails with
// Sign's error and leaves dst as it was. A single-use set's public_id is
// random, so it differs between the two: AppendPayloadJSON's must then
// be signed by its signature, and both are replaced by Sign's before the
// bytes are compared.
func checkAppendPayloadJSON(t *testing.T, s *Signer, set string, version int, req Params) {
	t.Helper()
	p, signErr := s.Sign(set, version, req)
	got, err := s.AppendPayloadJSON([]byte("prefix"), set, version, req)
	if signErr != nil || err != nil {
		if fmt.Sprint(err) != fmt.Sprint(signErr) {
			t.Fatalf("AppendPayloadJSON error %v, Sign error %v", err, signErr)
		}
		if string(got) != "prefix" {
			t.Errorf("AppendPayloadJSON failed and changed dst to %q", got)
		}
		return
	}
	want, err := p.AppendJSON([]byte("prefix"))
	if err != nil {
		t.Fatalf("AppendJSON: %v", err)
	}
	if id := p.Fields["public_id"]; set != "" && s.sets[set] != nil && s.sets[set][0].SingleUse {
		var decoded Payload
		if err := json.Unmarshal(got[len("prefix"):], &decoded); err != nil {
			t.Fatalf("AppendPayloadJSON wrote invalid JSON %q: %v", got, err)
		}
		values := url.Values{}
		for k, v := range decoded.Fields {
			values.Set(k, v)
		}
		if sig := s.SignValues(values); sig != decoded.Fields["signature"] {
			t.Fatalf("AppendPayloadJSON's signature %s does not sign its fields (want %s)", decoded.Fields["signature"], sig)
		}
		got = bytes.Replace(got, []byte(decoded.Fields["public_id"]), []byte(id), 1)
		got = bytes.Replace(got, []byte(decoded.Fields["signature"]), []byte(p.Fields["signature"]), 1)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("AppendPayloadJSON differs from Sign and AppendJSON (-AppendJSON +AppendPayloadJSON):\n%s", cmp.Diff(string(want), string(got)))
	}
}

// TestAppendPayloadJSONGolden signs every typed golden case with
// AppendPayloadJSON and with Sign, its parameters fixed by the set and
// given by the request, with and without lifecycle dates.
func TestAppendPayloadJSONGolden(t *testing.T) {
	g := readGolden[[]typedCase](t, "upload_params.json")
	if len(g.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			p := c.params(t)
			now := time.Unix(c.Timestamp, 0)
			for _, split := range []struct {
				name     string
				set, req Params
			}{{"in set", p, Params{}}, {"in request", Params{}, p}} {
				for _, dated := range []bool{false, true} {
					set := ParamSet{Name: "golden", Version: 1, Params: split.set}
					if dated {
						set.Deprecated, set.Sunset = now.Add(-time.Minute), now.Add(time.Hour)
					}
					s, err := New(testCloud, g.APIKey, g.APISecret,
						WithAlgorithm(c.Algorithm), WithSignatureVersion(c.SignatureVersion),
						fixedClock(now), WithParamSets(set))
					if err != nil {
						continue // TestSignGolden checks the refusal
					}
					checkAppendPayloadJSON(t, s, "golden", 1, split.req)
				}
			}
		})
	}
}

// TestAppendPayloadJSONSets covers each kind of set and each failure of
// Sign: unknown sets, a sunset, conflicts, invalid parameters, a file
// name without overwrite false, a single-use set, a clock out of range.
func TestAppendPayloadJSONSets(t *testing.T) {
	sets := avatarSets()
	for _, set := range lifecycleSets() {
		set.Name = "dated"
		sets = append(sets, set)
	}
	sets = append(sets, ParamSet{Name: "once", Version: 1, SingleUse: true, Params: Params{Folder: "once"}})
	for _, now := range []time.Time{testTime, deprecatedAt, sunsetAt, time.Unix(-1, 0), time.Unix(maxTimestamp+1, 0)} {
		s := newSigner(t, testSecret, WithParamSets(sets...), fixedClock(now))
		for _, set := range append(sets, ParamSet{Name: "avatar", Version: 9}, ParamSet{Name: "nope", Version: 1}) {
			for _, req := range []Params{
				{},
				{PublicID: "<b>&amp;</b>", Tags: []string{"user", "avatar"}, Context: map[string]string{"alt": "a \u2028 b", "app": "web"}},
				{Folder: "other"},
				{Tags: []string{"a,b"}},
				{UseFilename: Bool(true), UniqueFilename: Bool(false)},
				{Extra: map[string]string{"source": "uw", "z_last": "\xff"}},
			} {
				checkAppendPayloadJSON(t, s, set.Name, set.Version, req)
			}
		}
	}
}

// FuzzAppendPayloadJSON compares AppendPayloadJSON with Sign and
// AppendJSON on sets and requests of random parameters.
func FuzzAppendPayloadJSON(f *testing.F) {
	f.Add("avatars", "user_42", "avatar", "v2", "alt", "a & b", "source", "uw", uint16(0), int64(1700000000))
	f.Add("<b>", "", "\u2028", "x", "", "", "", "", uint16(0xffff), int64(1700000000))
	f.Add("a&b", "p&q", "", "", "k", "v=|", "zz", "\xff", uint16(1<<8|1<<1), int64(0))
	f.Add("", "", "", "", "", "", "eager", "w_1", uint16(1<<5|1<<6|1<<0), int64(maxTimestamp))
	f.Fuzz(func(t *testing.T, folder, publicID, setTag, reqTag, contextKey, contextValue, extraKey, extraValue string, flags uint16, clock int64) {
		bit := func(i int) bool { return flags&(1<<i) != 0 }
		now := time.Unix(clock, 0)
		set := ParamSet{Name: "fuzz", Version: 1, SingleUse: bit(0)}
		req := Params{PublicID: publicID, Extra: map[string]string{extraKey: extraValue}}
		if bit(1) {
			set.Params.Folder = folder
		} else {
			req.Folder = folder
		}
		if setTag != "" {
			set.Params.Tags = []string{setTag}
		}
		if reqTag != "" {
			req.Tags = []string{reqTag}
		}
		if bit(2) {
			set.Params.Context = map[string]string{contextKey: contextValue}
		} else {
			req.Context = map[string]string{contextKey: contextValue}
		}
		if bit(3) {
			set.Params.Overwrite = Bool(bit(4))
		}
		if bit(5) {
			req.UseFilename, req.UniqueFilename = Bool(true), Bool(false)
		}
		if bit(6) {
			req.Overwrite = Bool(false)
		}
		algorithm, version := SHA1, 2
		if bit(7) {
			algorithm = SHA256
		}
		if bit(8) {
			version = 1
		}
		if bit(9) {
			set.Deprecated = now.Add(-time.Hour)
		}
		if bit(10) {
			set.Sunset = now.Add(time.Hour)
		}
		if bit(11) {
			set.Sunset = now
		}
		s, err := New(testCloud, testKey, testSecret, WithAlgorithm(algorithm), WithSignatureVersion(version),
			fixedClock(now), WithParamSets(set))
		if err != nil {
			return // a set New refuses
		}
		checkAppendPayloadJSON(t, s, "fuzz", 1, req)
	})
}
