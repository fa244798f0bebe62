package bridge_test

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/bridge"
)

// The root package fills the bridge in when it is imported.
func TestBridge(t *testing.T) {
	sunset := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	s, err := uploadsign.New("demo", "123456789012345", "bridge-test-secret",
		uploadsign.WithClock(func() time.Time { return time.Unix(1700000000, 0) }),
		uploadsign.WithParamSets(
			uploadsign.ParamSet{Name: "b", Version: 2, Params: uploadsign.Params{Folder: "b"}, Sunset: sunset},
			uploadsign.ParamSet{Name: "a", Version: 1, Params: uploadsign.Params{Folder: "a"}},
			uploadsign.ParamSet{Name: "b", Version: 1, Params: uploadsign.Params{Folder: "b"}},
			uploadsign.ParamSet{Name: "w", Version: 1, Params: uploadsign.Params{Folder: "w"}, ClientParams: []string{"use_filename"}}))
	if err != nil {
		t.Fatal(err)
	}
	sets := bridge.Sets(s)
	var got []string
	for _, set := range sets {
		got = append(got, set.Name+"/"+strconv.Itoa(set.Version))
	}
	if want := "a/1 b/1 b/2 w/1"; strings.Join(got, " ") != want || !sets[2].Sunset.Equal(sunset) {
		t.Errorf("Sets = %v, want %s with b/2's sunset", sets, want)
	}

	u, fields, ts, err := bridge.SignRaw(s, "raw", url.Values{"folder": {"f"}})
	if err != nil || u != "https://api.cloudinary.com/v1_1/demo/raw/upload" || ts != 1700000000 || fields["timestamp"] != "1700000000" || fields["signature"] == "" {
		t.Errorf("SignRaw = %q, %v, %d, %v", u, fields, ts, err)
	}
	if _, _, _, err := bridge.SignRaw(s, "raw", url.Values{"api_key": {"x"}}); !errors.Is(err, uploadsign.ErrInvalidParam) {
		t.Errorf("SignRaw with api_key: %v", err)
	}

}
