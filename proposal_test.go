package uploadsign

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type proposalCase struct {
	Name             string    `json:"name"`
	JSON             string    `json:"json"`
	Algorithm        Algorithm `json:"algorithm"`
	SignatureVersion int       `json:"signature_version"`
	StringToSign     string    `json:"string_to_sign"`
	Signature        string    `json:"signature"`
}

// refusedGoldenProposals are the golden proposals SignProposed must refuse
// even with a set that lets the browser choose every key, and why.
var refusedGoldenProposals = map[string]string{
	"booleans": "file name", // use_filename true, unique_filename false: the file's name, shared by every user
	"specials": "public_id", // "a&b=c": Cloudinary forbids "&" in a name
}

// TestProposalGolden parses each proposal the Node generator signed and
// checks that ParseProposal gives the values the SDK hashed, and that
// SignProposed, given a set that allows the proposal, returns the SDK's
// signature.
func TestProposalGolden(t *testing.T) {
	g := readGolden[[]proposalCase](t, "proposals.json")
	if len(g.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	accepted := 0
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			proposed, err := ParseProposal([]byte(c.JSON))
			if err != nil {
				t.Fatalf("ParseProposal: %v", err)
			}
			got := signResult{StringToSign(proposed, c.SignatureVersion), ""}
			if got.StringToSign != c.StringToSign {
				t.Fatalf("string to sign differs from the Node SDK's (-sdk +uploadsign):\n%s", cmp.Diff(c.StringToSign, got.StringToSign))
			}
			s, err := New(testCloud, testKey, g.APISecret, fixedClock(testTime), WithAlgorithm(c.Algorithm),
				WithSignatureVersion(c.SignatureVersion), WithParamSets(allowingSet(proposed)))
			var sig string
			if err == nil {
				sig, err = s.SignProposed("any", 1, proposed, Request{})
			}
			name, _, _ := strings.Cut(c.Name, "/")
			wantRefusal, refused := refusedGoldenProposals[name]
			for k, vs := range proposed {
				if c.SignatureVersion == 1 && strings.Contains(k+vs[0], "&") {
					wantRefusal, refused = "&", true // smuggling, under version 1
				}
			}
			switch {
			case refused && (err == nil || !strings.Contains(err.Error(), wantRefusal)):
				t.Fatalf("SignProposed = %q, %v; want a refusal naming %q", sig, err, wantRefusal)
			case refused:
				return
			case err != nil:
				t.Fatalf("SignProposed: %v", err)
			case sig != c.Signature:
				t.Fatalf("SignProposed = %s, the Node SDK signs %s", sig, c.Signature)
			}
			accepted++
		})
	}
	if accepted < len(g.Cases)/2 {
		t.Errorf("only %d of %d golden proposals accepted", accepted, len(g.Cases))
	}
}

// allowingSet returns a set that allows the proposal: it lets the browser
// choose every key of proposed but those that say where the upload goes
// and the preset, which only a set may give, and which it fixes as
// proposed.
func allowingSet(proposed url.Values) ParamSet {
	set := ParamSet{Name: "any", Version: 1}
	for k := range proposed {
		v := proposed.Get(k)
		switch k {
		case "timestamp":
		case "upload_preset":
			set.Params.UploadPreset = v
		case "public_id", "folder":
			setNamingField(&set.Params, k, v)
		case "use_filename":
			set.Params.UseFilename = Bool(isTrue(v))
		case "unique_filename":
			set.Params.UniqueFilename = Bool(isTrue(v))
		default:
			set.ClientParams = append(set.ClientParams, k)
		}
	}
	return set
}

func TestParseProposal(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    url.Values
		wantErr string // empty: no error
	}{
		{"widget", `{"timestamp":1700000000,"source":"uw","tags":["a","b"],"overwrite":false}`,
			url.Values{"timestamp": {"1700000000"}, "source": {"uw"}, "tags": {"a,b"}, "overwrite": {"false"}}, ""},
		{"numbers as JavaScript writes them", `{"a":1.50,"b":1E21,"c":1e2,"d":-0.0,"e":12345678901234567890}`,
			url.Values{"a": {"1.5"}, "b": {"1e+21"}, "c": {"100"}, "d": {"0"}, "e": {"12345678901234567000"}}, ""},
		{"null dropped", `{"folder":null,"a":"x"}`, url.Values{"a": {"x"}}, ""},
		{"null in an array", `{"tags":["a",null,"b"]}`, url.Values{"tags": {"a,,b"}}, ""},
		{"empty object", `{}`, url.Values{}, ""},
		{"array", `["timestamp",1]`, nil, "not a JSON object"},
		{"string", `"timestamp=1"`, nil, "not a JSON object"},
		{"null", `null`, nil, "not a JSON object"},
		{"empty", ``, nil, "not a JSON object"},
		{"nested object", `{"context":{"alt":"x"}}`, nil, "nested object"},
		{"array in array", `{"custom_coordinates":[[1,2,3,4]]}`, nil, "array inside an array"},
		{"object in array", `{"tags":[{"a":1}]}`, nil, "nested object"},
		{"deeply nested", `{"a":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`, nil, "array inside an array"},
		{"duplicate key", `{"public_id":"mine","public_id":"yours"}`, nil, "twice"},
		{"duplicate key after null", `{"public_id":null,"public_id":"yours"}`, nil, "twice"},
		{"trailing data", `{"a":"x"} {"b":"y"}`, nil, "after the JSON object"},
		{"truncated", `{"a":"x"`, nil, "malformed"},
		{"number beyond float64", `{"a":1e400}`, nil, "beyond"},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", nil, "UTF-8"},
		{"NUL", `{"a":"x\u0000y"}`, nil, "NUL"},
		{"NUL in a key", `{"a\u0000":"x"}`, nil, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseProposal([]byte(tt.json))
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrInvalidParam saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func widgetSet() ParamSet {
	return ParamSet{Name: "widget", Version: 1,
		Params:       Params{Folder: "avatars/{owner}", Tags: []string{"avatar"}, Overwrite: Bool(false)},
		ClientParams: []string{"source", "public_id", "custom_coordinates"},
	}
}

// boundSet fixes the folder, the owner's public_id and a tag, and lets the
// browser choose only source: the request binds the rest.
func boundSet() ParamSet {
	return ParamSet{Name: "bound", Version: 1,
		Params:       Params{Folder: "avatars", PublicID: "user_{owner}", Tags: []string{"avatar"}, Extra: map[string]string{"flag": "1"}},
		ClientParams: []string{"source"},
	}
}

// openSet lets the browser choose how its upload is named, in its owner's
// folder.
func openSet() ParamSet {
	return ParamSet{Name: "open", Version: 1,
		Params: Params{Folder: "gallery/{owner}", Tags: []string{"gallery"}},
		ClientParams: []string{"source", "public_id", "use_filename", "unique_filename",
			"filename_override", "asset_folder", "overwrite"},
	}
}

// freeSet lets the browser choose the folder of a name Cloudinary makes up.
func freeSet() ParamSet {
	return ParamSet{Name: "free", Version: 1,
		ClientParams: []string{"source", "folder", "public_id_prefix", "asset_folder", "use_asset_folder_as_public_id_prefix"},
	}
}

func TestSignProposed(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(widgetSet(), boundSet(), openSet()))
	signers := map[string]*Signer{"widget": s, "bound": s, "open": s, "nope": s,
		"free": newSigner(t, testSecret, WithParamSets(freeSet()))} // it shares no place with others
	widget := url.Values{
		"timestamp": {"1700000000"}, "folder": {"avatars/42"}, "tags": {"avatar"}, "overwrite": {"false"},
		"source": {"uw"}, "public_id": {"photo_1"},
	}
	bound := url.Values{"timestamp": {"1700000000"}, "folder": {"avatars"}, "public_id": {"user_42"}, "tags": {"avatar"}, "flag": {"1"}, "source": {"uw"}}
	open := url.Values{"timestamp": {"1700000000"}, "folder": {"gallery/42"}, "tags": {"gallery"}, "source": {"uw"}}
	free := url.Values{"timestamp": {"1700000000"}, "source": {"uw"}}
	with := func(base url.Values, change func(v url.Values)) url.Values {
		v := cloneValues(base)
		change(v)
		return v
	}
	set := func(kv ...string) func(url.Values) {
		return func(v url.Values) {
			for i := 0; i < len(kv); i += 2 {
				if kv[i+1] == "" {
					delete(v, kv[i])
				} else {
					v.Set(kv[i], kv[i+1])
				}
			}
		}
	}
	tests := []struct {
		name     string
		set      string
		proposed url.Values
		req      Params
		wantErr  error
		wantText string
	}{
		// The set's fixed values.
		{"widget's proposal, JS false for the set's 0", "widget", widget, Params{}, nil, ""},
		{"overwrite 0", "widget", with(widget, set("overwrite", "0")), Params{}, nil, ""},
		{"overwrite true", "widget", with(widget, set("overwrite", "true")), Params{}, ErrParamNotAllowed, "overwrite must be false"},
		{"overwrite 1", "widget", with(widget, set("overwrite", "1")), Params{}, ErrParamNotAllowed, "overwrite must be false"},
		{"overwrite left out", "widget", with(widget, set("overwrite", "")), Params{}, ErrParamNotAllowed, "overwrite"},
		{"empty and unsigned keys ignored", "widget", with(widget, set("upload_preset", "", "api_key", "x", "file", "y")), Params{}, nil, ""},
		{"fixed value left out", "widget", with(widget, set("folder", "")), Params{}, ErrParamNotAllowed, "folder"},
		{"other folder", "widget", with(widget, set("folder", "other")), Params{}, ErrParamNotAllowed, "folder"},
		{"another owner's folder", "widget", with(widget, set("folder", "avatars/43")), Params{}, ErrParamNotAllowed, "folder"},
		{"extra tag", "widget", with(widget, set("tags", "avatar,admin")), Params{}, ErrParamNotAllowed, "tags"},
		{"parameter not listed", "widget", with(widget, set("notification_url", "https://evil.example")), Params{}, ErrParamNotAllowed, "notification_url"},
		{"unknown parameter", "widget", with(widget, set("Public_ID", "x")), Params{}, ErrParamNotAllowed, "Public_ID"},
		{"a second public_id", "widget", with(widget, func(v url.Values) { v.Add("public_id", "victim") }), Params{}, ErrParamNotAllowed, "public_id"},

		// The timestamp.
		{"no timestamp", "widget", with(widget, set("timestamp", "")), Params{}, ErrParamNotAllowed, "timestamp"},
		{"timestamp not a number", "widget", with(widget, set("timestamp", "soon")), Params{}, ErrInvalidParam, "timestamp"},
		{"timestamp with a sign", "widget", with(widget, set("timestamp", "+1700000000")), Params{}, ErrInvalidParam, "timestamp"},
		{"timestamp with a fraction", "widget", with(widget, set("timestamp", "1700000000.5")), Params{}, ErrInvalidParam, "timestamp"},
		{"timestamp 59 min old", "widget", with(widget, set("timestamp", "1699996460")), Params{}, nil, ""},
		{"timestamp an hour old", "widget", with(widget, set("timestamp", "1699996400")), Params{}, nil, ""},
		{"timestamp an hour and a minute old", "widget", with(widget, set("timestamp", "1699996340")), Params{}, ErrParamNotAllowed, "timestamp"},
		{"timestamp 5 min ahead", "widget", with(widget, set("timestamp", "1700000300")), Params{}, nil, ""},
		{"timestamp 10 min ahead", "widget", with(widget, set("timestamp", "1700000600")), Params{}, ErrParamNotAllowed, "timestamp"},

		// The owner's public_id, and values the request binds.
		{"the owner's public_id", "bound", bound, Params{}, nil, ""},
		{"another owner's public_id", "bound", with(bound, set("public_id", "user_43")), Params{}, ErrParamNotAllowed, "public_id"},
		{"the owner's public_id left out", "bound", with(bound, set("public_id", "")), Params{}, ErrParamNotAllowed, "public_id"},
		{"bound tags appended to the set's", "bound", with(bound, set("tags", "avatar,user_42")), Params{Tags: []string{"user_42"}}, nil, ""},
		{"bound tags in another order", "bound", with(bound, set("tags", "user_42,avatar")), Params{Tags: []string{"user_42"}}, ErrParamNotAllowed, "tags"},
		{"bound context", "bound", with(bound, set("context", "uid=42")), Params{Context: map[string]string{"uid": "42"}}, nil, ""},
		{"bound overwrite true, JS true", "bound", with(bound, set("overwrite", "true")), Params{Overwrite: Bool(true)}, nil, ""},
		{"bound overwrite true, proposed false", "bound", with(bound, set("overwrite", "false")), Params{Overwrite: Bool(true)}, ErrParamNotAllowed, "overwrite"},
		{"a string bound to 1 does not take true", "bound", with(bound, set("flag", "true")), Params{}, ErrParamNotAllowed, "flag"},
		{"overwrite true, neither fixed nor listed", "bound", with(bound, set("overwrite", "true")), Params{}, ErrParamNotAllowed, "overwrite"},
		{"overwrite false, neither fixed nor listed", "bound", with(bound, set("overwrite", "false")), Params{}, nil, ""},
		{"request contradicts the set", "bound", bound, Params{Extra: map[string]string{"flag": "2"}}, ErrParamConflict, "flag"},
		{"request names the upload", "bound", bound, Params{Folder: "elsewhere"}, ErrInvalidParam, "folder"},
		{"request cannot be encoded", "bound", bound, Params{Tags: []string{"a,b"}}, ErrInvalidParam, "tags"},

		// No browser-chosen public_id may overwrite.
		{"random public_id", "open", open, Params{}, nil, ""},
		{"browser's public_id", "open", with(open, set("public_id", "victim")), Params{}, ErrParamNotAllowed, "overwrite"},
		{"browser's public_id, overwrite true", "open", with(open, set("public_id", "victim", "overwrite", "true")), Params{}, ErrParamNotAllowed, "overwrite"},
		{"browser's public_id, overwrite false", "open", with(open, set("public_id", "victim", "overwrite", "false")), Params{}, nil, ""},
		{"file name as public_id", "open", with(open, set("use_filename", "true", "unique_filename", "false")), Params{}, ErrParamNotAllowed, "file name"},
		{"file name as public_id, 1 and 0", "open", with(open, set("use_filename", "1", "unique_filename", "0")), Params{}, ErrParamNotAllowed, "file name"},
		{"filename_override as public_id", "open", with(open, set("use_filename", "true", "unique_filename", "false", "filename_override", "victim.png")), Params{}, ErrParamNotAllowed, "overwrite"},
		{"file name as public_id, overwrite false", "open", with(open, set("use_filename", "true", "unique_filename", "false", "overwrite", "0")), Params{}, nil, ""},
		{"file name made unique", "open", with(open, set("use_filename", "true")), Params{}, nil, ""},
		{"boolean spelled True", "open", with(open, set("use_filename", "True", "unique_filename", "False")), Params{}, ErrInvalidParam, "unique_filename"},
		{"boolean spelled yes", "open", with(open, set("use_filename", "yes")), Params{}, ErrInvalidParam, "use_filename"},
		{"boolean spelled on", "open", with(open, set("unique_filename", "off")), Params{}, ErrInvalidParam, "unique_filename"},
		{"asset folder only for the Media Library", "open", with(open, set("asset_folder", "users/7")), Params{}, nil, ""},
		{"the owner's folder moved", "open", with(open, set("folder", "users/7")), Params{}, ErrParamNotAllowed, "folder"},

		// A browser that chooses the folder of a name Cloudinary makes up.
		{"folder chosen, public_id random", "free", with(free, set("folder", "users/7")), Params{}, nil, ""},
		{"public_id proposed", "free", with(free, set("public_id", "avatar", "folder", "users/7", "overwrite", "false")), Params{}, ErrParamNotAllowed, "public_id"},
		{"file name in a chosen folder", "free", with(free, set("use_filename", "true", "unique_filename", "false", "folder", "users/7")), Params{}, ErrParamNotAllowed, "ClientParams does not list it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cloneValues(tt.proposed)
			s := signers[tt.set]
			sig, err := s.SignProposed(tt.set, 1, tt.proposed, Request{Owner: testOwner(s, tt.set, 1), Params: tt.req})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if sig != "" || !strings.Contains(err.Error(), tt.wantText) {
					t.Errorf("signature %q, error %q; want none, naming %q", sig, err, tt.wantText)
				}
				if n := sentinels(err); n != 1 {
					t.Errorf("error %q wraps %d of the package's sentinels, want one", err, n)
				}
				if strings.Contains(err.Error(), testSecret) {
					t.Error("the error holds the secret")
				}
				return
			}
			if want := sha1Hex(referenceStringToSign(tt.proposed, 2) + testSecret); sig != want {
				t.Errorf("signature %s, want SignValues' %s", sig, want)
			}
			if diff := cmp.Diff(before, tt.proposed); diff != "" {
				t.Errorf("SignProposed modified the proposal:\n%s", diff)
			}
		})
	}
	if _, err := s.SignProposed("nope", 1, widget, Request{}); !errors.Is(err, ErrUnknownParamSet) {
		t.Errorf("unknown set: %v", err)
	}
}

func TestSignProposedLeavesRequestAlone(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(boundSet()))
	req := Params{Tags: []string{"user_42"}, Context: map[string]string{"uid": "42"}}
	proposed := url.Values{"timestamp": {"1700000000"}, "folder": {"avatars"}, "public_id": {"user_42"}, "tags": {"avatar,user_42"}, "flag": {"1"}, "context": {"uid=42"}}
	if _, err := s.SignProposed("bound", 1, proposed, Request{Owner: "42", Params: req}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(req.Tags, []string{"user_42"}) || len(req.Context) != 1 {
		t.Errorf("SignProposed changed the request: %+v", req)
	}
}

func TestClientParamsValidated(t *testing.T) {
	for _, bad := range []string{"folder", "timestamp", "api_key", "file", "Source", "a&b", "", "upload_preset", "eval", "on_success", "type"} {
		set := widgetSet()
		set.ClientParams = []string{bad}
		if _, err := New(testCloud, testKey, testSecret, WithParamSets(set)); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("ClientParams %q: err = %v, want ErrInvalidConfig", bad, err)
		}
	}
	set := widgetSet()
	set.ClientParams = []string{"type"}
	if _, err := New(testCloud, testKey, testSecret, WithParamSets(set)); err == nil || !strings.Contains(err.Error(), "signed URL") {
		t.Errorf("ClientParams type: %v, want an error saying what type decides", err)
	}
	for _, script := range []string{"eval", "on_success"} {
		set := widgetSet()
		set.ClientParams = []string{script}
		_, err := New(testCloud, testKey, testSecret, WithParamSets(set))
		if err == nil || !strings.Contains(err.Error(), "JavaScript") || !strings.Contains(err.Error(), script) {
			t.Errorf("ClientParams %q: %v, want an error naming it and saying why", script, err)
		}
		set = widgetSet()
		set.Params.Eval, set.Params.OnSuccess = "upload_options.tags = 'x'", "current_asset.update({tags: ['y']})" // the backend's code
		if _, err := New(testCloud, testKey, testSecret, WithParamSets(set)); err != nil {
			t.Errorf("a set fixing eval and on_success: %v", err)
		}
	}
	for _, naming := range []string{"public_id", "folder", "use_filename", "filename_override"} {
		set := openSet()
		set.ClientParams = []string{naming}
		set.Params.Overwrite = Bool(true)
		if _, err := New(testCloud, testKey, testSecret, WithParamSets(set)); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), naming) {
			t.Errorf("overwrite true with %s in ClientParams: %v, want ErrInvalidConfig naming it", naming, err)
		}
	}
	set = widgetSet()
	set.Params.UploadPreset = "signed_avatars" // the backend's choice
	if _, err := New(testCloud, testKey, testSecret, WithParamSets(set)); err != nil {
		t.Errorf("a set fixing its preset: %v", err)
	}
}

// TestSignRefusesFileNameAsPublicID: a set whose public_id is the
// browser's file name must sign overwrite false, and put it in its owner's
// folder.
func TestSignRefusesFileNameAsPublicID(t *testing.T) {
	named := Params{Folder: "files/{owner}", UseFilename: Bool(true), UniqueFilename: Bool(false)}
	_, err := New(testCloud, testKey, testSecret, WithParamSets(ParamSet{Name: "files", Version: 1, Params: named}))
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "overwrite") {
		t.Errorf("file name as public_id, overwrite unset: %v, want ErrInvalidConfig naming overwrite", err)
	}
	named.Folder = "files"
	named.Overwrite = Bool(false)
	_, err = New(testCloud, testKey, testSecret, WithParamSets(ParamSet{Name: "files", Version: 1, Params: named}))
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "{owner}") {
		t.Errorf("file name as public_id in a shared folder: %v, want ErrInvalidConfig naming {owner}", err)
	}
	named.Folder = "files/{owner}"
	s := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "files", Version: 1, Params: named}))
	p, err := s.Sign("files", 1, Request{Owner: "42"})
	if err != nil || p.Fields["folder"] != "files/42" || p.Fields["overwrite"] != "0" {
		t.Errorf("file name as public_id, overwrite false: %v %v", p, err)
	}
}

// FuzzParseProposal: ParseProposal never panics, and what it accepts has
// one value per key and signs through SignProposed or is refused with a
// sentinel error.
func FuzzParseProposal(f *testing.F) {
	for _, seed := range []string{
		`{"timestamp":1700000000,"source":"uw","tags":["a",1,true,null],"overwrite":false}`,
		`{"a":1.5e300,"b":-0.0,"c":[],"d":null}`, `{"a":[[1]]}`, `{"a":{"b":1}}`, `[]`, `{"a":"\ud800"}`,
	} {
		f.Add([]byte(seed))
	}
	s := newSigner(f, testSecret, WithParamSets(openSet()))
	f.Fuzz(func(t *testing.T, data []byte) {
		proposed, err := ParseProposal(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidParam) {
				t.Fatalf("error %v does not wrap ErrInvalidParam", err)
			}
			return
		}
		for k, vs := range proposed {
			if len(vs) != 1 {
				t.Fatalf("%q has %d values", k, len(vs))
			}
		}
		if _, err := s.SignProposed("open", 1, proposed, Request{}); err != nil &&
			!errors.Is(err, ErrParamNotAllowed) && !errors.Is(err, ErrInvalidParam) {
			t.Fatalf("SignProposed: %v", err)
		}
	})
}
