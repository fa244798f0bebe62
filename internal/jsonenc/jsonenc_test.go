package jsonenc

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestString(t *testing.T) {
	for _, s := range []string{"", "plain", `"\`, "<>&", "\x00\x1f\x7f", "\t\n\r", "\u2028\u2029", "\xff\xc3(", "é世🙂"} {
		want, _ := json.Marshal(s)
		if got := String(nil, s); !bytes.Equal(got, want) {
			t.Errorf("String(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestStringMap(t *testing.T) {
	for _, m := range []map[string]string{nil, {}, {"b": "1", "a": "<", "\xff": "x", "": ""}} {
		want, _ := json.Marshal(m)
		if got := StringMap(nil, m); !bytes.Equal(got, want) {
			t.Errorf("StringMap(%q) = %s, want %s", m, got, want)
		}
	}
}

// FuzzString compares String with encoding/json, which from Go 1.22 on
// writes \b and \f as String does.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "a<b", "\b\f\u2028", "\xe2\x80", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := String(nil, s); !bytes.Equal(got, want) {
			t.Errorf("String(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestTime(t *testing.T) {
	for _, tm := range []time.Time{{}, time.Unix(1700000000, 5).In(time.FixedZone("", -5400)),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, 0).In(time.FixedZone("", 86400))} {
		want, wantErr := json.Marshal(tm)
		got, err := Time([]byte("x"), tm)
		if (err != nil) != (wantErr != nil) || err == nil && string(got) != "x"+string(want) || err != nil && string(got) != "x" {
			t.Errorf("Time(%v) = %s, %v; want x%s, %v", tm, got, err, want, wantErr)
		}
	}
}
