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
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, 0).In(time.FixedZone("", 86400)),
		time.Unix(1700003600, 0).UTC(), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(2024, 2, 29, 9, 5, 7, 0, time.UTC), time.Unix(1700003600, 1).UTC(),
		time.Unix(1700003600, 0).In(time.FixedZone("UTC", 0))} {
		checkTime(t, tm)
	}
}

// checkTime fails unless Time appends what encoding/json writes for tm,
// or fails as it fails and leaves dst alone.
func checkTime(t *testing.T, tm time.Time) {
	t.Helper()
	want, wantErr := json.Marshal(tm)
	got, err := Time([]byte("x"), tm)
	if (err != nil) != (wantErr != nil) || err == nil && string(got) != "x"+string(want) || err != nil && string(got) != "x" {
		t.Errorf("Time(%v) = %s, %v; want x%s, %v", tm, got, err, want, wantErr)
	}
}

// FuzzTime compares Time with encoding/json on times in UTC, where Time
// writes the digits itself when there are no nanoseconds, and in a zone.
func FuzzTime(f *testing.F) {
	f.Add(int64(1700003600), int64(0), 0)
	f.Add(int64(-62167219200), int64(0), 3600)
	f.Add(int64(253402300799), int64(999999999), -60)
	f.Add(int64(253402300800), int64(0), 0)
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int) {
		tm := time.Unix(sec, nsec)
		checkTime(t, tm.UTC())
		checkTime(t, tm.In(time.FixedZone("", offset%(2*86400))))
	})
}
