package uploadsignhttp_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
)

// Version 1 of "avatar" and of "avatar-widget" is deprecated a day after
// testTime and retired a week after; version 2 of each has no dates.
var (
	deprecatedAt = testTime.Add(24 * time.Hour)
	sunsetAt     = testTime.Add(7 * 24 * time.Hour)
)

const (
	wantDeprecation = "@1700086400"                   // deprecatedAt
	wantSunset      = "Tue, 21 Nov 2023 22:13:20 GMT" // sunsetAt
)

func datedSets() []uploadsign.ParamSet {
	v1, w1 := avatarV1, avatarWidget
	v1.Deprecated, v1.Sunset = deprecatedAt, sunsetAt
	w1.Deprecated, w1.Sunset = deprecatedAt, sunsetAt
	w2 := avatarWidget
	w2.Version = 2
	return []uploadsign.ParamSet{v1, avatarV2, w1, w2}
}

// datedSigner signs datedSets with the clock at now.
func datedSigner(t *testing.T, now time.Time) *uploadsign.Signer {
	t.Helper()
	s, err := uploadsign.New(cloud, key, secret, uploadsign.WithClock(func() time.Time { return now }),
		uploadsign.WithParamSets(datedSets()...))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// proposalAt is the widget's proposal for user 42 at time now.
func proposalAt(now time.Time) string {
	return fmt.Sprintf(`{"paramsToSign": {"timestamp": %d, "source": "uw", "folder": "avatars", "tags": ["avatar"], "public_id": "widget_42"}}`, now.Unix())
}

func TestDeprecationAndSunset(t *testing.T) {
	tests := []struct {
		name            string
		now             time.Time
		proposal        bool // the proposal handler, else NewHandler
		version         int
		status          int
		deprecation     string // the Deprecation header, "" for none
		sunset          string
		deprecated      bool   // the payload's "deprecated"
		wantInError     string // for the 410
		wantPayloadKeys bool   // the payload has deprecated_at and sunset
	}{
		{"announced", testTime, false, 1, 200, wantDeprecation, wantSunset, false, "", true},
		{"deprecated", deprecatedAt, false, 1, 200, wantDeprecation, wantSunset, true, "", true},
		{"a second before sunset", sunsetAt.Add(-time.Second), false, 1, 200, wantDeprecation, wantSunset, true, "", true},
		{"at sunset", sunsetAt, false, 1, 410, wantDeprecation, wantSunset, false, "live versions: 2", false},
		{"a year later", sunsetAt.AddDate(1, 0, 0), false, 1, 410, wantDeprecation, wantSunset, false, "live versions: 2", false},
		{"no dates", sunsetAt, false, 2, 200, "", "", false, "", false},
		{"widget announced", testTime, true, 1, 200, wantDeprecation, wantSunset, false, "", false},
		{"widget deprecated", deprecatedAt.Add(time.Hour), true, 1, 200, wantDeprecation, wantSunset, false, "", false},
		{"widget at sunset", sunsetAt, true, 1, 410, wantDeprecation, wantSunset, false, "live versions: 2", false},
		{"widget no dates", sunsetAt, true, 2, 200, "", "", false, "", false},
	}
	for _, tt := range tests {
		for _, withOptions := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/options=%v", tt.name, withOptions), func(t *testing.T) {
				s := datedSigner(t, tt.now)
				var opts []uploadsignhttp.HandlerOption
				if withOptions {
					opts = append(opts, uploadsignhttp.WithLogger(slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil))),
						uploadsignhttp.OnSigned(func(*http.Request, *uploadsign.Payload) {}))
				}
				var w interface {
					Header() http.Header
				}
				var body []byte
				var code int
				if tt.proposal {
					rec := serve(uploadsignhttp.NewProposalHandler(s, "avatar-widget", tt.version, widgetAuth, opts...), "POST", "", "42", proposalAt(tt.now))
					w, body, code = rec, rec.Body.Bytes(), rec.Code
				} else {
					rec := serve(uploadsignhttp.NewHandler(s, userAuth, append(opts, uploadsignhttp.Sets("avatar"))...), "POST", "application/json", "42", `{"param_set":"avatar","version":`+strconv.Itoa(tt.version)+`}`)
					w, body, code = rec, rec.Body.Bytes(), rec.Code
				}
				if code != tt.status {
					t.Fatalf("status %d %s, want %d", code, redact(string(body)), tt.status)
				}
				if got := w.Header().Get("Deprecation"); got != tt.deprecation {
					t.Errorf("Deprecation: %q, want %q", got, tt.deprecation)
				}
				if got := w.Header().Get("Sunset"); got != tt.sunset {
					t.Errorf("Sunset: %q, want %q", got, tt.sunset)
				}
				var answer map[string]any
				if err := json.Unmarshal(body, &answer); err != nil {
					t.Fatal(err)
				}
				if tt.status == 410 {
					if msg, _ := answer["error"].(string); !strings.Contains(msg, tt.wantInError) {
						t.Errorf("error %q does not say %q", msg, tt.wantInError)
					}
					return
				}
				if tt.proposal {
					return
				}
				if got, _ := answer["deprecated"].(bool); got != tt.deprecated {
					t.Errorf("payload deprecated = %v, want %v", got, tt.deprecated)
				}
				_, hasDeprecatedAt := answer["deprecated_at"]
				_, hasSunset := answer["sunset"]
				if hasDeprecatedAt != tt.wantPayloadKeys || hasSunset != tt.wantPayloadKeys {
					t.Errorf("payload has deprecated_at %v, sunset %v; want %v", hasDeprecatedAt, hasSunset, tt.wantPayloadKeys)
				}
				if tt.wantPayloadKeys && (answer["deprecated_at"] != "2023-11-15T22:13:20Z" || answer["sunset"] != "2023-11-21T22:13:20Z") {
					t.Errorf("payload dates %v, %v", answer["deprecated_at"], answer["sunset"])
				}
			})
		}
	}
}

// hookErrors is an authorize hook whose X-User header chooses its error.
func hookErrors(r *http.Request) (uploadsign.Request, error) {
	switch r.Header.Get("X-User") {
	case "store down":
		return uploadsign.Request{}, fmt.Errorf("session store: dial tcp 10.0.0.7:6379: %w",
			&uploadsignhttp.StatusError{Code: 503, Message: "try again in a minute"})
	case "teapot":
		return uploadsign.Request{}, &uploadsignhttp.StatusError{Code: 418}
	case "too many":
		return uploadsign.Request{}, &uploadsignhttp.StatusError{Code: 429, Message: "slow down"}
	case "out of range":
		return uploadsign.Request{}, &uploadsignhttp.StatusError{Code: 600, Message: "internal detail"}
	case "redirect":
		return uploadsign.Request{}, &uploadsignhttp.StatusError{Code: 302, Message: "internal detail"}
	case "7":
		return uploadsign.Request{Owner: "7"}, nil
	}
	return userAuth(r)
}

func TestHookStatusErrors(t *testing.T) {
	h := uploadsignhttp.NewHandler(newSigner(t), hookErrors)
	w := uploadsignhttp.NewProposalHandler(newSigner(t, uploadsign.WithParamSets(avatarWidget)), "avatar-widget", 1, hookErrors)
	tests := []struct {
		user, wantError string
		status          int
	}{
		{"store down", "try again in a minute", 503},
		{"teapot", "I'm a teapot", 418},
		{"too many", "slow down", 429},
		{"out of range", "not authorized to upload", 401},
		{"redirect", "not authorized to upload", 401},
		{"", "not authorized to upload", 401},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			for _, rec := range []interface {
				Result() *http.Response
			}{
				serve(h, "POST", "application/json", tt.user, `{"param_set":"avatar","version":1}`),
				serve(w, "POST", "", tt.user, proposalAt(testTime)),
			} {
				resp := rec.Result()
				var answer struct{ Error string }
				if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tt.status || answer.Error != tt.wantError {
					t.Errorf("%d %q, want %d %q", resp.StatusCode, answer.Error, tt.status, tt.wantError)
				}
			}
		})
	}
}

// logRecord is a record of slog's JSON handler.
type logRecord struct {
	Level    string
	Msg      string
	Set      string
	Version  int
	Status   int
	Outcome  string
	Duration *int64
	Error    *string
}

func TestLogRecords(t *testing.T) {
	s := newSigner(t, uploadsign.WithParamSets(avatarWidget, gallery,
		uploadsign.ParamSet{Name: "retired", Version: 1, Sunset: testTime}))
	str := func(s string) *string { return &s }
	const js = "application/json"
	tests := []struct {
		name                string
		proposal            string // the proposal handler's set, else NewHandler
		method, ct, user    string
		body                string
		want                logRecord // Duration: not nil; Error: the start of the error, nil for none
		wantNotInAnyRecords []string
	}{
		{"signed", "", "POST", js, "42", `{"param_set":"avatar","version":2}`,
			logRecord{Level: "INFO", Msg: "upload payload", Set: "avatar", Version: 2, Status: 200, Outcome: "signed"}, nil},
		{"unauthorized", "", "POST", js, "", `{"param_set":"avatar","version":1}`,
			logRecord{Level: "WARN", Msg: "upload payload", Set: "avatar", Version: 1, Status: 401, Outcome: "unauthorized", Error: str("not authorized to upload")},
			[]string{"hunter2"}},
		{"forbidden", "", "POST", js, "banned", `{"param_set":"avatar","version":1}`,
			logRecord{Level: "WARN", Msg: "upload payload", Set: "avatar", Version: 1, Status: 403, Outcome: "forbidden", Error: str("this account may not upload")}, nil},
		{"not found", "", "POST", js, "42", `{"param_set":"avatar","version":9}`,
			logRecord{Level: "WARN", Msg: "upload payload", Set: "avatar", Version: 9, Status: 404, Outcome: "not found", Error: str("unknown parameter set")}, nil},
		{"conflict", "", "POST", js, "conflict", `{"param_set":"avatar","version":1}`,
			logRecord{Level: "WARN", Msg: "upload payload", Set: "avatar", Version: 1, Status: 409, Outcome: "conflict", Error: str("parameter conflicts with its parameter set: context")}, nil},
		{"gone", "", "POST", js, "42", `{"param_set":"retired","version":1}`,
			logRecord{Level: "WARN", Msg: "upload payload", Set: "retired", Version: 1, Status: 410, Outcome: "gone", Error: str("parameter set past its sunset")}, nil},
		{"bad request", "", "POST", js, "42", `{"param_set":"avatar","version":1,"public_id":"x"}`,
			logRecord{Level: "WARN", Msg: "upload payload", Status: 400, Outcome: "bad request", Error: str("want a JSON body")}, nil},
		{"wrong method", "", "GET", js, "42", ``,
			logRecord{Level: "WARN", Msg: "upload payload", Status: 405, Outcome: "bad request", Error: str("use POST")}, nil},
		{"too large", "", "POST", js, "42", `{"param_set":"` + strings.Repeat("a", 5000) + `"}`,
			logRecord{Level: "WARN", Msg: "upload payload", Status: 413, Outcome: "bad request", Error: str("the request body is over")},
			[]string{strings.Repeat("a", 100)}},
		{"long set name", "", "POST", js, "42", `{"param_set":"` + strings.Repeat("b", 3000) + `","version":1}`,
			logRecord{Level: "WARN", Msg: "upload payload", Set: strings.Repeat("b", 64) + "…", Version: 1, Status: 404, Outcome: "not found", Error: str("unknown parameter set")},
			[]string{strings.Repeat("b", 600)}},
		{"hook's other 4xx", "", "POST", js, "too many", `{"param_set":"avatar","version":1}`,
			logRecord{Level: "WARN", Msg: "upload payload", Set: "avatar", Version: 1, Status: 429, Outcome: "refused", Error: str("slow down")}, nil},
		{"hook's 503", "", "POST", js, "store down", `{"param_set":"avatar","version":1}`,
			logRecord{Level: "ERROR", Msg: "upload payload", Set: "avatar", Version: 1, Status: 503, Outcome: "error", Error: str("session store: dial tcp 10.0.0.7:6379: uploadsignhttp: 503 try again")}, nil},
		{"parameters not encodable", "", "POST", js, "invalid", `{"param_set":"avatar","version":1}`,
			logRecord{Level: "ERROR", Msg: "upload payload", Set: "avatar", Version: 1, Status: 500, Outcome: "error", Error: str("uploadsign: invalid parameter: tags")}, nil},
		{"widget signed", "avatar-widget", "POST", "", "42", proposalAt(testTime),
			logRecord{Level: "INFO", Msg: "widget signature", Set: "avatar-widget", Version: 1, Status: 200, Outcome: "signed"}, nil},
		{"widget not allowed", "avatar-widget", "POST", "", "7", proposalAt(testTime),
			logRecord{Level: "WARN", Msg: "widget signature", Set: "avatar-widget", Version: 1, Status: 403, Outcome: "not allowed", Error: str("parameter not allowed: public_id")}, nil},
		{"widget's value not logged", "avatar-widget", "POST", "", "42",
			`{"paramsToSign": {"timestamp": 1700000000, "source": "uw", "folder": "avatars", "tags": "avatar,PRIVATE-NOTE", "public_id": "widget_42"}}`,
			logRecord{Level: "WARN", Msg: "widget signature", Set: "avatar-widget", Version: 1, Status: 403, Outcome: "not allowed", Error: str("parameter not allowed: tags")},
			[]string{"PRIVATE-NOTE"}},
		{"widget's key logged, not its value", "avatar-widget", "POST", "", "42",
			`{"paramsToSign": {"timestamp": 1700000000, "source": "uw", "folder": "avatars", "tags": "avatar", "public_id": "widget_42", "note": "PRIVATE-NOTE"}}`,
			logRecord{Level: "WARN", Msg: "widget signature", Set: "avatar-widget", Version: 1, Status: 403, Outcome: "not allowed", Error: str(`parameter not allowed: "note"`)},
			[]string{"PRIVATE-NOTE"}},
		{"widget forbidden", "avatar-widget", "POST", "", "banned", proposalAt(testTime),
			logRecord{Level: "WARN", Msg: "widget signature", Set: "avatar-widget", Version: 1, Status: 403, Outcome: "forbidden", Error: str("this account may not upload")}, nil},
		{"widget unauthorized", "avatar-widget", "POST", "", "", proposalAt(testTime),
			logRecord{Level: "WARN", Msg: "widget signature", Set: "avatar-widget", Version: 1, Status: 401, Outcome: "unauthorized", Error: str("not authorized to upload")},
			[]string{"no session"}},
		{"widget bad request", "avatar-widget", "POST", "", "42", `{"paramsToSign": [1]}`,
			logRecord{Level: "WARN", Msg: "widget signature", Set: "avatar-widget", Version: 1, Status: 400, Outcome: "bad request", Error: str("")}, nil},
		{"widget overwrite left out", "avatar-widget", "POST", "", "conflict", proposalAt(testTime),
			logRecord{Level: "WARN", Msg: "widget signature", Set: "avatar-widget", Version: 1, Status: 403, Outcome: "not allowed", Error: str("parameter not allowed: context")}, nil},
		{"widget gone", "retired", "POST", "", "42", proposalAt(testTime),
			logRecord{Level: "WARN", Msg: "widget signature", Set: "retired", Version: 1, Status: 410, Outcome: "gone", Error: str("parameter set past its sunset")}, nil},
		{"widget error", "avatar-widget", "POST", "", "invalid", proposalAt(testTime),
			logRecord{Level: "ERROR", Msg: "widget signature", Set: "avatar-widget", Version: 1, Status: 500, Outcome: "error", Error: str("uploadsign: invalid parameter: tags")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			opt := uploadsignhttp.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			h := uploadsignhttp.NewHandler(s, hookErrors, opt, uploadsignhttp.Sets("avatar", "retired"))
			if tt.proposal != "" {
				h = uploadsignhttp.NewProposalHandler(s, tt.proposal, 1, hookErrors, opt)
			}
			w := serve(h, tt.method, tt.ct, tt.user, tt.body)
			if w.Code != tt.want.Status {
				t.Fatalf("status %d %s, want %d", w.Code, redact(w.Body.String()), tt.want.Status)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("%d records, want 1:\n%s", len(lines), redact(logs.String()))
			}
			var got logRecord
			dec := json.NewDecoder(strings.NewReader(lines[0]))
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("record %s: %v", redact(lines[0]), err)
			}
			if got.Duration == nil || *got.Duration < 0 {
				t.Errorf("duration missing or negative: %s", redact(lines[0]))
			}
			if (got.Error == nil) != (tt.want.Error == nil) || got.Error != nil && !strings.HasPrefix(*got.Error, *tt.want.Error) {
				t.Errorf("error %v, want one starting with %v", redact(fmt.Sprint(deref(got.Error))), deref(tt.want.Error))
			}
			got.Duration, got.Error, tt.want.Error = nil, nil, nil
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("record (-want +got):\n%s\n%s", redact(diff), redact(lines[0]))
			}
			// Named, so that a failure does not print what leaked.
			notInRecord := map[string]string{"the secret": secret}
			for i, s := range tt.wantNotInAnyRecords {
				notInRecord[fmt.Sprintf("wantNotInAnyRecords[%d]", i)] = s
			}
			var answer map[string]any
			_ = json.Unmarshal(w.Body.Bytes(), &answer)
			if sig, ok := answer["signature"].(string); ok {
				notInRecord["the signature"] = sig
			}
			if fields, ok := answer["fields"].(map[string]any); ok {
				notInRecord["the signature"] = fields["signature"].(string)
			}
			if _, ok := notInRecord["the signature"]; tt.want.Status == 200 && !ok {
				t.Fatal("no signature to look for")
			}
			for name, leak := range notInRecord {
				if strings.Contains(logs.String(), leak) {
					t.Errorf("the record holds %s", name)
				}
			}
		})
	}
}

// redact hides the secret in what a failing test prints.
func redact(s string) string { return strings.ReplaceAll(s, secret, "[the secret]") }

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func TestLogLevelFiltered(t *testing.T) {
	var logs bytes.Buffer
	h := uploadsignhttp.NewHandler(newSigner(t), userAuth,
		uploadsignhttp.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	serve(h, "POST", "application/json", "42", `{"param_set":"avatar","version":1}`)
	if logs.Len() != 0 {
		t.Errorf("an Info record passed a Warn level: %s", redact(logs.String()))
	}
	serve(h, "POST", "application/json", "42", `{"param_set":"avatar","version":7}`)
	if !strings.Contains(logs.String(), `"outcome":"not found"`) {
		t.Errorf("the Warn record is missing: %s", redact(logs.String()))
	}
}

// counter counts signatures per set and version.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) Add(set string, version int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[fmt.Sprintf("%s v%d", set, version)]++
}

func TestOnSigned(t *testing.T) {
	s := datedSigner(t, deprecatedAt)
	var counts counter
	var payloads []*uploadsign.Payload
	var requests []uploadsignhttp.ClientSet
	onSigned := uploadsignhttp.OnSigned(func(r *http.Request, p *uploadsign.Payload) {
		counts.Add(p.ParamSet, p.Version)
		payloads = append(payloads, p)
		req, _ := uploadsignhttp.ClientSetFrom(r)
		requests = append(requests, req)
	})
	h := uploadsignhttp.NewHandler(s, hookErrors, onSigned, uploadsignhttp.Sets("avatar"))
	widget := uploadsignhttp.NewProposalHandler(s, "avatar-widget", 1, hookErrors, onSigned)
	requestsMade := []struct {
		h          http.Handler
		ct, user   string
		body       string
		wantStatus int
	}{
		{h, "application/json", "42", `{"param_set":"avatar","version":1}`, 200},
		{h, "application/json", "42", `{"param_set":"avatar","version":2}`, 200},
		{h, "application/json", "42", `{"param_set":"avatar","version":2}`, 200},
		{h, "application/json", "", `{"param_set":"avatar","version":2}`, 401},
		{h, "application/json", "42", `{"param_set":"avatar","version":3}`, 404},
		{h, "application/json", "conflict", `{"param_set":"avatar","version":2}`, 409},
		{h, "application/json", "invalid", `{"param_set":"avatar","version":2}`, 500},
		{h, "application/json", "store down", `{"param_set":"avatar","version":2}`, 503},
		{h, "text/plain", "42", `{"param_set":"avatar","version":2}`, 415},
		{widget, "", "42", proposalAt(deprecatedAt), 200},
		{widget, "", "7", proposalAt(deprecatedAt), 403},
		{widget, "", "42", proposalAt(testTime.Add(-time.Hour)), 403},
	}
	var bodies []map[string]any
	for _, rq := range requestsMade {
		w := serve(rq.h, "POST", rq.ct, rq.user, rq.body)
		if w.Code != rq.wantStatus {
			t.Fatalf("%s: status %d %s, want %d", rq.body, w.Code, redact(w.Body.String()), rq.wantStatus)
		}
		if w.Code == 200 {
			var answer map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil {
				t.Fatal(err)
			}
			bodies = append(bodies, answer)
		}
	}
	if diff := cmp.Diff(map[string]int{"avatar v1": 1, "avatar v2": 2, "avatar-widget v1": 1}, counts.n); diff != "" {
		t.Errorf("OnSigned counts (-want +got):\n%s", diff)
	}
	if len(payloads) != 4 {
		t.Fatalf("%d payloads", len(payloads))
	}
	for i, p := range payloads[:3] {
		var got map[string]any
		data, _ := json.Marshal(p)
		_ = json.Unmarshal(data, &got)
		if diff := cmp.Diff(bodies[i], got); diff != "" {
			t.Errorf("OnSigned's payload %d differs from the answer (-answer +hook):\n%s", i, diff)
		}
		if requests[i].ParamSet != "avatar" {
			t.Errorf("ClientSetFrom in OnSigned: %+v", requests[i])
		}
	}
	widgetPayload := payloads[3]
	wantFields := map[string]string{"timestamp": strconv.FormatInt(deprecatedAt.Unix(), 10), "source": "uw", "folder": "avatars",
		"tags": "avatar", "public_id": "widget_42", "api_key": key, "signature": bodies[3]["signature"].(string)}
	if diff := cmp.Diff(wantFields, widgetPayload.Fields); diff != "" {
		t.Errorf("widget payload's fields (-want +got):\n%s", diff)
	}
	if widgetPayload.ParamSet != "avatar-widget" || widgetPayload.Version != 1 || widgetPayload.Timestamp != deprecatedAt.Unix() ||
		!widgetPayload.Deprecated || !widgetPayload.Sunset.Equal(sunsetAt) || !widgetPayload.DeprecatedAt.Equal(deprecatedAt) {
		t.Errorf("widget payload %+v", widgetPayload)
	}
}

func TestOptionsMayBeNil(t *testing.T) {
	h := uploadsignhttp.NewHandler(newSigner(t), userAuth, nil, uploadsignhttp.WithLogger(nil), uploadsignhttp.OnSigned(nil))
	if w := serve(h, "POST", "application/json", "42", `{"param_set":"avatar","version":1}`); w.Code != 200 {
		t.Errorf("status %d %s", w.Code, redact(w.Body.String()))
	}
}

// TestAnswersSameWithOptions compares the answers of a handler without
// options with those of one with OnSigned: status, headers and body must
// be the same for every outcome.
func TestAnswersSameWithOptions(t *testing.T) {
	for _, now := range []time.Time{testTime, deprecatedAt, sunsetAt} {
		s := datedSigner(t, now)
		plain := uploadsignhttp.NewHandler(s, userAuth, uploadsignhttp.Sets("avatar"))
		hooked := uploadsignhttp.NewHandler(s, userAuth, uploadsignhttp.Sets("avatar"), uploadsignhttp.OnSigned(func(*http.Request, *uploadsign.Payload) {}))
		for _, req := range []struct{ user, body string }{
			{"42", `{"param_set":"avatar","version":1}`},
			{"42", `{"param_set":"avatar","version":2}`},
			{"42", `{"param_set":"avatar","version":3}`},
			{"42", `{"param_set":"nope","version":1}`},
			{"42", `{"param_set":"avatar-widget","version":1}`}, // the Signer's, not this endpoint's
			{"conflict", `{"param_set":"avatar","version":2}`},
			{"invalid", `{"param_set":"avatar","version":2}`},
			{"banned", `{"param_set":"avatar","version":1}`},
		} {
			want := serve(hooked, "POST", "application/json", req.user, req.body)
			got := serve(plain, "POST", "application/json", req.user, req.body)
			if got.Code != want.Code || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
				t.Errorf("at %v, %s %s: without options %d %s, with OnSigned %d %s", now, req.user, req.body,
					got.Code, redact(got.Body.String()), want.Code, redact(want.Body.String()))
			}
			if diff := cmp.Diff(want.Header(), got.Header()); diff != "" {
				t.Errorf("at %v, %s %s: headers differ (-with OnSigned +without options):\n%s", now, req.user, req.body, diff)
			}
		}
	}
}
