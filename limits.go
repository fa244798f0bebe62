package uploadsign

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// Limits are the largest file a set's uploads may be (zero: no limit).
// A signature cannot limit a file, so they are checked on what Cloudinary
// signs in a notification, on what a report says (which can prove an
// upload over a limit, never under one), and told to the page
// ([Payload].Limits).
type Limits struct {
	MaxBytes    int64         // the file's size
	MaxWidth    int           // images and videos, in pixels
	MaxHeight   int           // images and videos, in pixels
	MaxDuration time.Duration // videos and audio
}

// limitsJSON is how Limits are written for a browser and read from a
// set file: durations in seconds.
type limitsJSON struct {
	MaxBytes    int64   `json:"max_bytes,omitempty"`
	MaxWidth    int     `json:"max_width,omitempty"`
	MaxHeight   int     `json:"max_height,omitempty"`
	MaxDuration float64 `json:"max_duration,omitempty"` // seconds
}

// MarshalJSON writes max_bytes, max_width, max_height and max_duration
// (in seconds), each left out when zero.
func (l Limits) MarshalJSON() ([]byte, error) {
	return json.Marshal(limitsJSON{l.MaxBytes, l.MaxWidth, l.MaxHeight, l.MaxDuration.Seconds()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *Limits) UnmarshalJSON(data []byte) error {
	var j limitsJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	if math.IsNaN(j.MaxDuration) || math.Abs(j.MaxDuration) > math.MaxInt64/float64(time.Second) {
		return errors.New("max_duration is out of range")
	}
	*l = Limits{j.MaxBytes, j.MaxWidth, j.MaxHeight, time.Duration(j.MaxDuration * float64(time.Second))}
	return nil
}

// checkLimits refuses negative limits, dimension or duration limits on a
// raw set, whose files have neither, and a ValidFor out of range.
func checkLimits(set *ParamSet) error {
	l := set.Limits
	switch {
	case l.MaxBytes < 0 || l.MaxWidth < 0 || l.MaxHeight < 0 || l.MaxDuration < 0:
		return errors.New("Limits: a limit is negative (zero means none)")
	case set.ResourceType == "raw" && (l.MaxWidth != 0 || l.MaxHeight != 0 || l.MaxDuration != 0):
		return errors.New("Limits: a raw file has no width, height or duration; a raw set may limit MaxBytes only")
	case set.ValidFor != 0 && (set.ValidFor < time.Minute || set.ValidFor > cloudinary.UploadValidity):
		return fmt.Errorf("ValidFor %v is outside one minute to %v (zero: Cloudinary's hour)", set.ValidFor, cloudinary.UploadValidity)
	}
	return nil
}

// exceeds says which limit of l a file of the given size passes, or
// returns "". who says whose the figures are: "Cloudinary" for a
// notification, "the report" for a browser's.
func (l *Limits) exceeds(who string, bytes int64, width, height int, duration time.Duration) string {
	over := func(name string, value, limit any) string {
		return fmt.Sprintf("%s says %s %v, over the set's %v", who, name, value, limit)
	}
	switch {
	case l.MaxBytes > 0 && bytes > l.MaxBytes:
		return over("bytes", bytes, l.MaxBytes)
	case l.MaxWidth > 0 && width > l.MaxWidth:
		return over("width", width, l.MaxWidth)
	case l.MaxHeight > 0 && height > l.MaxHeight:
		return over("height", height, l.MaxHeight)
	case l.MaxDuration > 0 && duration > l.MaxDuration:
		return over("duration", duration, l.MaxDuration)
	}
	return ""
}

// clockMargin is how much earlier than ValidFor a payload of a set with a
// shorter validity expires: Cloudinary judges a timestamp by its own
// clock, and a backend whose clock runs ahead of Cloudinary's by up to
// this much still sees its payloads refused once ValidFor has passed.
// Servers kept by NTP differ by well under a second; 30 seconds also
// covers a clock that drifted for days.
const clockMargin = 30 * time.Second

// signedTimestamp returns the timestamp a payload of cs signs at now:
// now, or, for a set with a ValidFor shorter than Cloudinary's hour, a
// time so far back that Cloudinary's hour ends ValidFor (less
// clockMargin) from now.
func (cs *compiledSet) signedTimestamp(now int64) int64 {
	if cs.ValidFor == 0 || cs.ValidFor == cloudinary.UploadValidity {
		return now
	}
	return now - int64((cloudinary.UploadValidity-cs.ValidFor+clockMargin)/time.Second)
}

// oldestProposal returns the oldest timestamp a proposal of cs may carry
// at now: an hour old, or ValidFor old for a set with a shorter validity.
func (cs *compiledSet) oldestProposal(now int64) int64 {
	return now - int64(cmp.Or(cs.ValidFor, cloudinary.UploadValidity)/time.Second)
}
