package uploadsign

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLimitsRefusedAtNew(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  ParamSet
		ok   bool
	}{
		{"negative bytes", ParamSet{Limits: Limits{MaxBytes: -1}}, false},
		{"negative width", ParamSet{Limits: Limits{MaxWidth: -1}}, false},
		{"negative duration", ParamSet{ResourceType: "video", Limits: Limits{MaxDuration: -time.Second}}, false},
		{"raw with a width", ParamSet{ResourceType: "raw", Limits: Limits{MaxWidth: 100}}, false},
		{"raw with a duration", ParamSet{ResourceType: "raw", Limits: Limits{MaxDuration: time.Minute}}, false},
		{"raw with bytes", ParamSet{ResourceType: "raw", Limits: Limits{MaxBytes: 1 << 20}}, true},
		{"video with all", ParamSet{ResourceType: "video", Limits: Limits{MaxBytes: 1, MaxWidth: 1, MaxHeight: 1, MaxDuration: 1}}, true},
		{"valid for 59 seconds", ParamSet{ValidFor: 59 * time.Second}, false},
		{"valid for a minute", ParamSet{ValidFor: time.Minute}, true},
		{"valid for an hour", ParamSet{ValidFor: time.Hour}, true},
		{"valid for an hour and a second", ParamSet{ValidFor: time.Hour + time.Second}, false},
		{"valid for a negative time", ParamSet{ValidFor: -time.Minute}, false},
	} {
		tt.set.Name, tt.set.Version = "s", 1
		_, err := New(testCloud, testKey, testSecret, WithParamSets(tt.set))
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

// TestValidFor: the payload's timestamp is dated back so that
// Cloudinary's hour ends ValidFor (less the clock margin) from now.
func TestValidFor(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(
		ParamSet{Name: "short", Version: 1, ValidFor: 5 * time.Minute, Params: Params{Folder: "short"}},
		ParamSet{Name: "hour", Version: 1, ValidFor: time.Hour, Params: Params{Folder: "hour"}},
		ParamSet{Name: "default", Version: 1, Params: Params{Folder: "default"}}))
	for _, tt := range []struct {
		set     string
		expires time.Time
	}{
		{"short", testTime.Add(5*time.Minute - 30*time.Second)},
		{"hour", testTime.Add(time.Hour)},
		{"default", testTime.Add(time.Hour)},
	} {
		p, err := s.Sign(tt.set, 1, Request{})
		if err != nil {
			t.Fatal(err)
		}
		// Cloudinary refuses a timestamp more than an hour old: the
		// signed one plus an hour is when.
		ts, _ := strconv.ParseInt(p.Fields["timestamp"], 10, 64)
		if got := time.Unix(ts, 0).Add(time.Hour); !got.Equal(tt.expires) || !p.ExpiresAt.Equal(tt.expires) || p.Timestamp != ts {
			t.Errorf("%s: timestamp %d (Cloudinary's hour ends %v), ExpiresAt %v; want both %v", tt.set, ts, got, p.ExpiresAt, tt.expires)
		}
		if p.Fields["signature"] != wantSignature(withoutKeys(p.Fields), testSecret) {
			t.Errorf("%s: the signature is not that of the fields", tt.set)
		}
	}
	// A proposal may be no older than ValidFor.
	for _, tt := range []struct {
		age time.Duration
		ok  bool
	}{{0, true}, {5 * time.Minute, true}, {5*time.Minute + time.Second, false}} {
		proposed := url.Values{"timestamp": {fmt.Sprint(testTime.Add(-tt.age).Unix())}, "folder": {"short"}}
		_, err := s.SignProposed("short", 1, proposed, Request{})
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, ErrParamNotAllowed) {
			t.Errorf("a proposal %v old: %v, want ok %v", tt.age, err, tt.ok)
		}
	}
}

// withoutKeys returns fields without api_key and signature.
func withoutKeys(fields map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		if k != "api_key" && k != "signature" {
			out[k] = v
		}
	}
	return out
}

// TestLimitsChecked: a report of a value over a limit is refused, and a
// notification's upload over a limit has no Upload and a Problem.
func TestLimitsChecked(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(
		ParamSet{Name: "avatar", Version: 1, Params: Params{PublicID: "avatars/{owner}"},
			Limits: Limits{MaxBytes: 1000, MaxWidth: 200, MaxHeight: 100}},
		ParamSet{Name: "clip", Version: 1, ResourceType: "video", Params: Params{PublicID: "clips/{owner}"},
			Limits: Limits{MaxDuration: time.Minute}}))
	report := func(id, rt string, change func(r *UploadResult)) UploadResult {
		r := UploadResult{PublicID: id, Version: 1700000000, ResourceType: rt, Type: "upload", Format: "png",
			Signature: resultSignature(id, 1700000000, testSecret), Bytes: 1000, Width: 200, Height: 100}
		if change != nil {
			change(&r)
		}
		return r
	}
	for _, tt := range []struct {
		name   string
		set    string
		result UploadResult
		want   string // "" for accepted
	}{
		{"at the limits", "avatar", report("avatars/42", "image", nil), ""},
		{"a byte over", "avatar", report("avatars/42", "image", func(r *UploadResult) { r.Bytes = 1001 }), "bytes 1001, over the set's 1000"},
		{"a pixel wider", "avatar", report("avatars/42", "image", func(r *UploadResult) { r.Width = 201 }), "width 201"},
		{"a pixel taller", "avatar", report("avatars/42", "image", func(r *UploadResult) { r.Height = 101 }), "height 101"},
		{"a minute long", "clip", report("clips/42", "video", func(r *UploadResult) { r.Duration = 60 }), ""},
		{"a second longer", "clip", report("clips/42", "video", func(r *UploadResult) { r.Duration = 61 }), "duration 1m1s"},
	} {
		_, err := s.VerifyUploadOf(tt.set, 1, Request{Owner: "42"}, tt.result)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (!errors.Is(err, ErrLimitExceeded) || sentinels(err) != 1 || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "the report")):
			t.Errorf("%s: %v, want ErrLimitExceeded alone saying %q", tt.name, err, tt.want)
		}
		// The same file in a notification, signed by Cloudinary.
		r := tt.result
		body := fmt.Sprintf(`{"notification_type":"upload","public_id":%q,"version":%d,"resource_type":%q,"type":"upload","format":"png","bytes":%d,"width":%d,"height":%d,"duration":%v}`,
			r.PublicID, r.Version, r.ResourceType, r.Bytes, r.Width, r.Height, r.Duration)
		ts := strconv.FormatInt(testTime.Unix(), 10)
		n, err := s.VerifyNotification([]byte(body), ts, sha1Hex(body+ts+testSecret))
		switch {
		case err != nil:
			t.Errorf("%s: notification: %v", tt.name, err)
		case tt.want == "" && (n.Upload == nil || n.Problem != nil || n.Upload.Details.Bytes != r.Bytes):
			t.Errorf("%s: notification %+v, problem %v", tt.name, n, n.Problem)
		case tt.want != "" && (n.Upload != nil || !errors.Is(n.Problem, ErrLimitExceeded) || !strings.Contains(n.Problem.Error(), "Cloudinary says "+strings.SplitN(tt.want, ",", 2)[0])):
			t.Errorf("%s: notification upload %+v, problem %v; want none, and ErrLimitExceeded saying %q", tt.name, n.Upload, n.Problem, tt.want)
		case n.Asset == nil || n.Asset.PublicID != r.PublicID:
			t.Errorf("%s: notification asset %+v", tt.name, n.Asset)
		}
	}
}

// TestNotificationSizes: a notification that leaves out a size its set
// limits proves nothing about it and has no Upload; one that leaves out a
// size no limit needs, or that a raw file or an image cannot have, is
// fine; a negative size is malformed.
func TestNotificationSizes(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(
		ParamSet{Name: "avatar", Version: 1, Params: Params{PublicID: "avatars/{owner}"}, Limits: Limits{MaxBytes: 1000, MaxWidth: 200}},
		ParamSet{Name: "any", Version: 1, ResourceType: "auto", Params: Params{PublicID: "any/{owner}"}, Limits: Limits{MaxWidth: 200, MaxDuration: time.Minute}},
		ParamSet{Name: "free", Version: 1, Params: Params{PublicID: "free/{owner}"}}))
	for _, tt := range []struct {
		name, id, rt, sizes string
		wantErr             error
		want                string
	}{
		{"all there", "avatars/42", "image", `"bytes":1000,"width":200,"height":10`, nil, ""},
		{"no bytes", "avatars/42", "image", `"width":200,"height":10`, ErrLimitExceeded, "gives no bytes"},
		{"no width", "avatars/42", "image", `"bytes":1000,"height":10`, ErrLimitExceeded, "gives no width"},
		{"null width", "avatars/42", "image", `"bytes":1000,"width":null`, ErrLimitExceeded, "gives no width"},
		{"no height, which is not limited", "avatars/42", "image", `"bytes":1000,"width":200`, nil, ""},
		{"an image has no duration", "any/42", "image", `"width":200`, nil, ""},
		{"a video without one", "any/42", "video", `"width":200`, ErrLimitExceeded, "gives no duration"},
		{"a raw file has no width", "any/42", "raw", `"bytes":5`, nil, ""},
		{"nothing limited", "free/42", "image", ``, nil, ""},
		{"negative bytes", "free/42", "image", `"bytes":-1`, ErrMalformedResult, "bytes -1"},
		{"negative duration", "any/42", "video", `"width":1,"duration":-1`, ErrMalformedResult, "duration -1"},
	} {
		body := fmt.Sprintf(`{"notification_type":"upload","public_id":%q,"version":1700000000,"resource_type":%q,"type":"upload","format":"png"`, tt.id, tt.rt)
		if tt.sizes != "" {
			body += "," + tt.sizes
		}
		body += "}"
		ts := strconv.FormatInt(testTime.Unix(), 10)
		n, err := s.VerifyNotification([]byte(body), ts, sha1Hex(body+ts+testSecret))
		switch {
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr == nil && (n.Problem != nil || n.Upload == nil):
			t.Errorf("%s: problem %v", tt.name, n.Problem)
		case tt.wantErr != nil && (n.Upload != nil || !errors.Is(n.Problem, tt.wantErr) || !strings.Contains(n.Problem.Error(), tt.want)):
			t.Errorf("%s: upload %+v, problem %v; want %v saying %q", tt.name, n.Upload, n.Problem, tt.wantErr, tt.want)
		}
	}
}

// TestPayloadLimitsJSON: the payload tells the page the set's limits, the
// duration in seconds, and leaves them out when the set has none.
func TestPayloadLimitsJSON(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(
		ParamSet{Name: "clip", Version: 1, ResourceType: "video", Params: Params{Folder: "clips"},
			Limits: Limits{MaxBytes: 50 << 20, MaxWidth: 1920, MaxDuration: 90 * time.Second}},
		ParamSet{Name: "free", Version: 1, Params: Params{Folder: "free"}}))
	for set, want := range map[string]string{
		"clip": `"limits":{"max_bytes":52428800,"max_width":1920,"max_duration":90}`,
		"free": ``,
	} {
		p, err := s.Sign(set, 1, Request{})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(p)
		if has := strings.Contains(string(data), `"limits"`); want == "" && has || want != "" && !strings.Contains(string(data), want) {
			t.Errorf("%s: %s, want %s", set, data, want)
		}
	}
	var l Limits
	if err := json.Unmarshal([]byte(`{"max_bytes":1,"max_duration":1.5}`), &l); err != nil || l != (Limits{MaxBytes: 1, MaxDuration: 1500 * time.Millisecond}) {
		t.Errorf("UnmarshalJSON: %+v %v", l, err)
	}
	if err := json.Unmarshal([]byte(`{"max_duration":1e300}`), &l); err == nil {
		t.Error("UnmarshalJSON took a duration out of range")
	}
}

// FuzzVerifyNotification: any body Cloudinary could sign is read without
// a panic; an upload's notification has an Upload or a Problem, never
// both, and an Upload within its set's limits.
func FuzzVerifyNotification(f *testing.F) {
	for _, seed := range []string{
		`{"notification_type":"upload","public_id":"avatars/42","version":1700000000,"resource_type":"image","type":"upload","format":"png","bytes":10,"width":4,"height":3}`,
		`{"notification_type":"upload","public_id":"avatars/42","version":1700000000,"resource_type":"image","type":"upload","bytes":1e30,"duration":-1}`,
		`{"notification_type":"upload","public_id":"avatars/42","version":"x"}`,
		`{"notification_type":"delete","resources":[{"public_id":"avatars/42"}]}`,
		`{"notification_type":"upload","existing":true,"public_id":"avatars/42","version":1,"resource_type":"image","type":"upload"}`,
		`{}`, `[]`, `{"notification_type":7}`,
	} {
		f.Add([]byte(seed))
	}
	s := newSigner(f, testSecret, WithParamSets(ParamSet{Name: "avatar", Version: 1,
		Params: Params{PublicID: "avatars/{owner}"}, Limits: Limits{MaxBytes: 100, MaxWidth: 10, MaxDuration: time.Second}}))
	ts := strconv.FormatInt(testTime.Unix(), 10)
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := s.VerifyNotification(body, ts, sha1Hex(string(body)+ts+testSecret))
		if err != nil {
			if !errors.Is(err, ErrInvalidSignature) {
				t.Fatalf("a signed body: %v", err)
			}
			return
		}
		if n.Type != "upload" {
			if n.Upload != nil || n.Problem != nil || n.Asset != nil {
				t.Fatalf("a %q notification with an upload: %+v", n.Type, n)
			}
			return
		}
		switch {
		case (n.Upload == nil) == (n.Problem == nil):
			t.Fatalf("upload %+v and problem %v", n.Upload, n.Problem)
		case n.Upload != nil && (n.Upload.Details.Bytes > 100 || n.Upload.Details.Width > 10 || n.Upload.Details.Duration > time.Second):
			t.Fatalf("an upload over the limits: %+v", n.Upload.Details)
		case n.Upload != nil && n.Upload.Asset.PublicID != "avatars/"+n.Upload.Owner:
			t.Fatalf("upload %+v", n.Upload)
		}
	})
}
