package uploadsign

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The dates of the lifecycle tests: version 1 of "avatar" is deprecated a
// day after testTime and retired a week after; version 2 is retired a
// month after, without being deprecated first; version 3 has no dates.
var (
	deprecatedAt = testTime.Add(24 * time.Hour)
	sunsetAt     = testTime.Add(7 * 24 * time.Hour)
	sunsetV2     = testTime.Add(30 * 24 * time.Hour)
)

func lifecycleSets() []ParamSet {
	// A zone other than UTC: payloads carry the dates in UTC.
	zone := time.FixedZone("CET", 3600)
	return []ParamSet{
		{Name: "avatar", Version: 1, Params: Params{Folder: "avatars"}, ClientParams: []string{"source"},
			Deprecated: deprecatedAt.In(zone), Sunset: sunsetAt.In(zone)},
		{Name: "avatar", Version: 2, Params: Params{Folder: "avatars"}, Sunset: sunsetV2},
		{Name: "avatar", Version: 3, Params: Params{Folder: "avatars"}},
	}
}

func timePtr(t time.Time) *time.Time { return &t }

func TestSignLifecycle(t *testing.T) {
	tests := []struct {
		name    string
		now     time.Time
		version int
		// want* are the payload's lifecycle fields, or wantErr the error.
		wantDeprecated   bool
		wantDeprecatedAt *time.Time
		wantSunset       *time.Time
		wantErr          error
		wantInMessage    string
	}{
		{"announced", testTime, 1, false, timePtr(deprecatedAt.UTC()), timePtr(sunsetAt.UTC()), nil, ""},
		{"deprecated at its date", deprecatedAt, 1, true, timePtr(deprecatedAt.UTC()), timePtr(sunsetAt.UTC()), nil, ""},
		{"deprecated", deprecatedAt.Add(time.Hour), 1, true, timePtr(deprecatedAt.UTC()), timePtr(sunsetAt.UTC()), nil, ""},
		{"a second before sunset", sunsetAt.Add(-time.Second), 1, true, timePtr(deprecatedAt.UTC()), timePtr(sunsetAt.UTC()), nil, ""},
		{"at sunset", sunsetAt, 1, false, nil, nil, ErrSunset, `"avatar" version 1 was retired at 2023-11-21T22:13:20Z (live versions: 2, 3)`},
		{"after sunset", sunsetAt.Add(time.Hour), 1, false, nil, nil, ErrSunset, "live versions: 2, 3"},
		{"sunset without deprecation", testTime, 2, false, nil, timePtr(sunsetV2.UTC()), nil, ""},
		{"both retired", sunsetV2, 2, false, nil, nil, ErrSunset, "live versions: 3"},
		{"no dates", sunsetV2, 3, false, nil, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSigner(t, testSecret, WithParamSets(lifecycleSets()...), fixedClock(tt.now))
			p, err := s.Sign("avatar", tt.version, Request{})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Sign: err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if p != nil || !strings.Contains(err.Error(), tt.wantInMessage) {
					t.Errorf("Sign = %v, %q; want nil and a message with %q", p, err, tt.wantInMessage)
				}
				return
			}
			got := struct {
				Deprecated           bool
				DeprecatedAt, Sunset *time.Time
			}{p.Deprecated, p.DeprecatedAt, p.Sunset}
			want := struct {
				Deprecated           bool
				DeprecatedAt, Sunset *time.Time
			}{tt.wantDeprecated, tt.wantDeprecatedAt, tt.wantSunset}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("lifecycle fields (-want +got):\n%s", diff)
			}
			if p.Sunset != nil && p.Sunset.Location() != time.UTC {
				t.Errorf("Sunset in %v, want UTC", p.Sunset.Location())
			}
		})
	}
}

// TestPayloadDatesAreCopies changes one payload's dates: the next payload
// and the set must not change.
func TestPayloadDatesAreCopies(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(lifecycleSets()...))
	a, err := s.Sign("avatar", 1, Request{})
	if err != nil {
		t.Fatal(err)
	}
	*a.Sunset = time.Time{}
	*a.DeprecatedAt = time.Time{}
	b, err := s.Sign("avatar", 1, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if !b.Sunset.Equal(sunsetAt) || !b.DeprecatedAt.Equal(deprecatedAt) {
		t.Errorf("a payload's dates changed the set's: %v, %v", b.DeprecatedAt, b.Sunset)
	}
}

func TestSignProposedSunset(t *testing.T) {
	proposal := url.Values{"timestamp": {"1700000000"}, "folder": {"avatars"}, "source": {"uw"}}
	for _, tt := range []struct {
		name    string
		now     time.Time
		wantErr error
	}{
		{"deprecated", deprecatedAt, nil},
		{"at sunset", sunsetAt, ErrSunset},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSigner(t, testSecret, WithParamSets(lifecycleSets()...), fixedClock(tt.now))
			p := cloneValues(proposal)
			p.Set("timestamp", strconv.FormatInt(tt.now.Unix(), 10))
			_, err := s.SignProposed("avatar", 1, p, Request{})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "live versions: 2, 3") {
				t.Errorf("error %q does not name the live versions", err)
			}
		})
	}
}

func TestNewRefusesSunsetBeforeDeprecation(t *testing.T) {
	tests := []struct {
		name               string
		deprecated, sunset time.Time
		wantErr            error
	}{
		{"sunset before deprecation", deprecatedAt, deprecatedAt.Add(-time.Second), ErrInvalidConfig},
		{"same time", deprecatedAt, deprecatedAt, nil},
		{"sunset only", time.Time{}, sunsetAt, nil},
		{"deprecation only", deprecatedAt, time.Time{}, nil},
		{"in order", deprecatedAt, sunsetAt, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(testCloud, testKey, testSecret, WithParamSets(ParamSet{Name: "avatar", Version: 1,
				Deprecated: tt.deprecated, Sunset: tt.sunset}))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil && (!strings.Contains(err.Error(), `"avatar" version 1`) || !strings.Contains(err.Error(), "Sunset")) {
				t.Errorf("error %q does not name the set and Sunset", err)
			}
		})
	}
}

// TestSetList: the handlers read each set's dates through setList, past
// its Sunset too.
func TestSetList(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(lifecycleSets()...), fixedClock(sunsetV2))
	got := map[int][2]time.Time{}
	for _, set := range s.setList() {
		if set.Name != "avatar" {
			t.Errorf("set %q", set.Name)
		}
		got[set.Version] = [2]time.Time{set.Deprecated, set.Sunset}
	}
	want := map[int][2]time.Time{1: {deprecatedAt, sunsetAt}, 2: {{}, sunsetV2}, 3: {}}
	if len(got) != len(want) {
		t.Fatalf("versions %v, want %v", got, want)
	}
	for v, dates := range want {
		if !got[v][0].Equal(dates[0]) || !got[v][1].Equal(dates[1]) {
			t.Errorf("version %d: %v, want %v", v, got[v], dates)
		}
	}
}
