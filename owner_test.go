package uploadsign

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOwnerPlaceholder: "{owner}" stands once, as a whole path segment or
// the end of one, in the parameter that makes PREFIX or NAME.
func TestOwnerPlaceholder(t *testing.T) {
	yes := Bool(true)
	for _, tt := range []struct {
		name    string
		params  Params
		client  []string
		wantErr string // "" for accepted
	}{
		{"public_id", Params{PublicID: "avatars/user_{owner}"}, nil, ""},
		{"whole public_id", Params{PublicID: "{owner}"}, nil, ""},
		{"folder", Params{Folder: "gallery/{owner}", Overwrite: Bool(false)}, []string{"public_id"}, ""},
		{"inner folder segment", Params{Folder: "users/{owner}/photos"}, nil, ""},
		{"public_id_prefix", Params{PublicIDPrefix: "tenant_{owner}"}, nil, ""},
		{"asset folder as prefix", Params{AssetFolder: "users/{owner}", UseAssetFolderAsPublicIDPrefix: yes}, nil, ""},
		{"asset folder alone", Params{AssetFolder: "users/{owner}"}, nil, "use_asset_folder_as_public_id_prefix"},
		{"twice in one", Params{PublicID: "{owner}/{owner}"}, nil, "twice"},
		{"twice in two", Params{Folder: "u/{owner}", PublicID: "x_{owner}"}, nil, "twice"},
		{"start of a segment", Params{PublicID: "{owner}_avatar"}, nil, "end a path segment"},
		{"in tags", Params{Folder: "f", Tags: []string{"{owner}"}}, nil, "may stand only"},
		{"in context", Params{Folder: "f", Context: map[string]string{"by": "{owner}"}}, nil, "may stand only"},
		{"in extra", Params{Folder: "f", Extra: map[string]string{"source": "{owner}"}}, nil, "may stand only"},
		{"in display name", Params{Folder: "f", DisplayName: "{owner}"}, nil, "may stand only"},
		{"misspelt", Params{Folder: "u/{user}"}, nil, "holds '{'"},
		{"client may choose the owner's parameter", Params{Folder: "u/{owner}"}, []string{"folder"}, "fixes folder"},
		{"a folder after it that is a version", Params{PublicID: "{owner}/v1/x"}, nil, "version"},
		{"owner in folder beside a public_id_prefix", Params{Folder: "u/{owner}", PublicIDPrefix: "p"}, nil, "bind one prefix"},
		{"owner in public_id_prefix beside a folder", Params{Folder: "f", PublicIDPrefix: "p_{owner}"}, nil, "bind one prefix"},
		{"owner in folder beside an asset folder prefix", Params{Folder: "u/{owner}", AssetFolder: "a", UseAssetFolderAsPublicIDPrefix: yes}, nil, "bind one prefix"},
		{"owner in folder beside a plain asset folder", Params{Folder: "u/{owner}", AssetFolder: "a"}, nil, ""},
		{"owner in the name under two prefixes", Params{Folder: "f", PublicIDPrefix: "p", PublicID: "user_{owner}"}, nil, ""},
	} {
		_, err := New(testCloud, testKey, testSecret, WithParamSets(ParamSet{Name: "s", Version: 1, Params: tt.params, ClientParams: tt.client}))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || sentinels(err) != 1):
			t.Errorf("%s: %v, want one sentinel and %q", tt.name, err, tt.wantErr)
		}
	}
}

// TestRequestOwner: a set with "{owner}" takes one plain path segment as
// its owner, and a set without one takes none; a Request never names the
// upload.
func TestRequestOwner(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(
		ParamSet{Name: "avatar", Version: 1, Params: Params{PublicID: "avatars/user_{owner}"}},
		ParamSet{Name: "team", Version: 1, Params: Params{AssetFolder: "teams/{owner}", UseAssetFolderAsPublicIDPrefix: Bool(true)}},
		ParamSet{Name: "hero", Version: 1, Params: Params{PublicID: "site/hero"}}))
	for _, tt := range []struct {
		name, set string
		req       Request
		wantErr   string // "" for signed
	}{
		{"owner", "avatar", Request{Owner: "42"}, ""},
		{"letters of any script", "avatar", Request{Owner: "ζωή-Ü_ß.9"}, ""},
		{"no owner", "avatar", Request{}, "gives none"},
		{"an owner for a set without one", "hero", Request{Owner: "42"}, "names no {owner}"},
		{"slash", "avatar", Request{Owner: "bob/evil"}, `holds "/"`},
		{"dot dot", "avatar", Request{Owner: ".."}, `".."`},
		{"version-like segment is fine where it ends a name", "avatar", Request{Owner: "v3"}, ""},
		{"version-like folder", "team", Request{Owner: "v3"}, "owner: \"v3\""},
		{"composed letter", "avatar", Request{Owner: "jos\u00e9"}, ""},
		{"combining mark", "avatar", Request{Owner: "jose\u0301"}, "mark U+0301"},
		{"braces", "avatar", Request{Owner: "{owner}"}, "holds '{'"},
		{"space", "avatar", Request{Owner: "bob smith"}, "holds ' '"},
		{"at sign", "avatar", Request{Owner: "bob@example.com"}, "holds '@'"},
		{"plus", "avatar", Request{Owner: "a+b"}, "holds '+'"},
		{"question mark", "avatar", Request{Owner: "a?b"}, "holds '?'"},
		{"hash", "avatar", Request{Owner: "a#b"}, "holds '#'"},
		{"ampersand", "avatar", Request{Owner: "a&b"}, "holds '&'"},
		{"percent", "avatar", Request{Owner: "a%2Fb"}, "holds '%'"},
		{"zero-width space", "avatar", Request{Owner: "bob\u200b"}, `'\u200b'`},
		{"right-to-left override", "avatar", Request{Owner: "bob\u202e"}, `'\u202e'`},
		{"invalid UTF-8", "avatar", Request{Owner: "bob\xff"}, "UTF-8"},
		{"upper case in an asset folder", "team", Request{Owner: "Red"}, "upper-case"},
		{"lower case in an asset folder", "team", Request{Owner: "red"}, ""},
		{"request names the public_id", "avatar", Request{Owner: "42", Params: Params{PublicID: "x"}}, "public_id: a Request may not bind it"},
		{"request names the asset folder", "avatar", Request{Owner: "42", Params: Params{AssetFolder: "x"}}, "asset_folder: a Request may not bind it"},
		{"request names the file", "avatar", Request{Owner: "42", Params: Params{FilenameOverride: "x.png"}}, "filename_override: a Request may not bind it"},
		{"request binds a preset", "avatar", Request{Owner: "42", Params: Params{UploadPreset: "p"}}, "upload_preset: a Request may not bind it"},
		{"request binds eval", "avatar", Request{Owner: "42", Params: Params{Eval: "upload_options.public_id = 'x'"}}, "eval: a Request may not bind it"},
		{"request binds on_success", "avatar", Request{Owner: "42", Params: Params{OnSuccess: "x"}}, "on_success: a Request may not bind it"},
		{"request names the folder", "hero", Request{Params: Params{Folder: "x"}}, "folder: a Request may not bind it"},
		{"request picks the file name", "hero", Request{Params: Params{UseFilename: Bool(true)}}, "use_filename"},
		{"request picks the type", "hero", Request{Params: Params{Type: "authenticated"}}, "type"},
		{"request binds tags", "avatar", Request{Owner: "42", Params: Params{Tags: []string{"mine"}}}, ""},
	} {
		p, err := s.Sign(tt.set, 1, tt.req)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (!errors.Is(err, ErrInvalidParam) || sentinels(err) != 1 || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: %v, want ErrInvalidParam saying %q", tt.name, err, tt.wantErr)
		case tt.wantErr == "" && tt.set == "avatar" && p.Fields["public_id"] != "avatars/user_"+tt.req.Owner:
			t.Errorf("%s: public_id %q", tt.name, p.Fields["public_id"])
		}
		// Verifying takes the same Request: the same refusals.
		r := UploadResult{PublicID: "avatars/user_42", Version: 1700000000, ResourceType: "image", Type: "upload", Format: "png",
			Signature: resultSignature("avatars/user_42", 1700000000, testSecret)}
		if _, verr := s.VerifyUploadOf(tt.set, 1, tt.req, r); tt.wantErr != "" && !errors.Is(verr, ErrInvalidParam) {
			t.Errorf("%s: VerifyUploadOf: %v, want ErrInvalidParam", tt.name, verr)
		}
	}
}

// TestNameCharacters: a name a set signs holds none of the characters
// Cloudinary trims, replaces or refuses, one test per class; the raw
// primitives still sign them.
func TestNameCharacters(t *testing.T) {
	for _, tt := range []struct {
		class, value string
	}{
		{"leading space", " avatars"},
		{"trailing space", "avatars "},
		{"space at a segment's end", "avatars /x"},
		{"tab", "a\tb"},
		{"no-break space", "a\u00a0b"},
		{"question mark", "a?b"},
		{"hash", "a#b"},
		{"ampersand", "a&b"},
		{"plus", "a+b"},
		{"backslash", `a\b`},
		{"percent", "100%"},
		{"less than", "a<b"},
		{"greater than", "a>b"},
		{"brace", "a{b"},
		{"zero-width space", "a\u200bb"},
		{"zero-width joiner", "a\u200db"},
		{"byte order mark", "\ufeffa"},
		{"left-to-right mark", "a\u200eb"},
		{"right-to-left override", "a\u202eb"},
		{"isolate", "a\u2066b"},
		{"control character", "a\x1bb"},
		{"256 characters", strings.Repeat("é", 256)},
		{"at sign", "a@b"},
		{"exclamation mark", "a!"},
		{"parenthesis", "a(1)"},
		{"comma", "a,b"},
		{"emoji", "x😀"},
		{"symbol", "café/☕"},
	} {
		for _, params := range []Params{{PublicID: tt.value}, {Folder: tt.value}, {PublicIDPrefix: tt.value},
			{AssetFolder: tt.value, UseAssetFolderAsPublicIDPrefix: Bool(true)}} {
			_, err := New(testCloud, testKey, testSecret, WithParamSets(ParamSet{Name: "s", Version: 1, Params: params}))
			if !errors.Is(err, ErrInvalidParam) {
				t.Errorf("%s in %+v: %v, want ErrInvalidParam", tt.class, params, err)
			}
		}
		if !strings.Contains(StringToSign(map[string][]string{"public_id": {tt.value}}, 2), "public_id=") {
			t.Errorf("%s: the raw primitive must sign it", tt.class)
		}
	}
	for _, ok := range []string{"a b/c d", "café/日本語", "नमस्ते/हिन्दी", strings.Repeat("é", 255), "a_b-c.d"} {
		if _, err := New(testCloud, testKey, testSecret, WithParamSets(ParamSet{Name: "s", Version: 1, Params: Params{PublicID: ok}})); err != nil {
			t.Errorf("public_id %q: %v", ok, err)
		}
	}
}

// TestNoSharedFolderForBrowserNames: a set in which the browser names the
// upload needs "{owner}" in PREFIX, or single use; New says how.
func TestNoSharedFolderForBrowserNames(t *testing.T) {
	no := Bool(false)
	for _, tt := range []struct {
		name string
		set  ParamSet
		ok   bool
	}{
		{"public_id chosen in a shared folder", ParamSet{Params: Params{Folder: "team", Overwrite: no}, ClientParams: []string{"public_id"}}, false},
		{"file name in a shared folder", ParamSet{Params: Params{Folder: "team", UseFilename: Bool(true), UniqueFilename: no, Overwrite: no}}, false},
		{"file name the browser may make plain", ParamSet{Params: Params{Folder: "team", Overwrite: no}, ClientParams: []string{"use_filename", "unique_filename"}}, false},
		{"owner in the name is not enough", ParamSet{Params: Params{PublicID: "x_{owner}", Overwrite: no}, ClientParams: []string{"folder"}}, false},
		{"public_id chosen in the owner's folder", ParamSet{Params: Params{Folder: "team/{owner}", Overwrite: no}, ClientParams: []string{"public_id"}}, true},
		{"file name in the owner's folder", ParamSet{Params: Params{Folder: "team/{owner}", UseFilename: Bool(true), UniqueFilename: no, Overwrite: no}}, true},
		{"file name made unique", ParamSet{Params: Params{Folder: "team", UseFilename: Bool(true)}}, true},
		{"Cloudinary's names", ParamSet{Params: Params{Folder: "team"}}, true},
		{"single use", ParamSet{SingleUse: true, Params: Params{Folder: "team"}}, true},
	} {
		tt.set.Name, tt.set.Version = "s", 1
		_, err := New(testCloud, testKey, testSecret, WithParamSets(tt.set))
		if tt.ok != (err == nil) || err != nil && (!errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "{owner}")) {
			t.Errorf("%s: %v, want ok %v (or ErrInvalidConfig naming the fix)", tt.name, err, tt.ok)
		}
	}
}

// TestExistingRefused: Bob uploads a name that Alice's asset holds in a
// folder shared by the browser's names; Cloudinary answers with Alice's
// asset and "existing": true. Only an owner's folder keeps it Bob's, and a
// result that says existing is refused where the browser names uploads.
func TestExistingRefused(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(
		ParamSet{Name: "gallery", Version: 1, Params: Params{Folder: "gallery/{owner}", Overwrite: Bool(false)}, ClientParams: []string{"public_id"}},
		ParamSet{Name: "avatar", Version: 1, Params: Params{PublicID: "avatars/{owner}", Overwrite: Bool(false)}}))
	existing := func(id string) UploadResult {
		return UploadResult{PublicID: id, Version: 1700000000, ResourceType: "image", Type: "upload", Format: "gif",
			Signature: resultSignature(id, 1700000000, testSecret), Existing: true}
	}
	if _, err := s.VerifyUploadOf("gallery", 1, Request{Owner: "alice"}, existing("gallery/alice/passport")); !errors.Is(err, ErrUploadMismatch) || !strings.Contains(err.Error(), "existing") {
		t.Errorf("existing, browser-named: %v, want ErrUploadMismatch saying existing", err)
	}
	if _, err := s.VerifyUploadOf("gallery", 1, Request{Owner: "bob"}, existing("gallery/alice/passport")); !errors.Is(err, ErrUploadMismatch) {
		t.Errorf("Alice's asset reported by Bob: %v, want ErrUploadMismatch", err)
	}
	if _, err := s.VerifyUploadOf("avatar", 1, Request{Owner: "alice"}, existing("avatars/alice")); err != nil {
		t.Errorf("existing, named by the set for its owner: %v", err)
	}
}

// TestSetsMayNotShareAssets: two sets that could make the same asset are
// refused, naming both, whatever their resource types; versions of one set
// may share public_ids only when made alike.
func TestSetsMayNotShareAssets(t *testing.T) {
	for _, tt := range []struct {
		name string
		a, b ParamSet
		ok   bool
	}{
		{"same owner template", ParamSet{Params: Params{PublicID: "avatars/user_{owner}"}}, ParamSet{Params: Params{PublicID: "avatars/user_{owner}"}}, false},
		{"owner templates that overlap", ParamSet{Params: Params{PublicID: "avatars/{owner}"}}, ParamSet{Params: Params{PublicID: "avatars/user_{owner}"}}, false},
		{"the admin's name and the users'", ParamSet{Params: Params{PublicID: "site/hero"}}, ParamSet{Params: Params{PublicID: "site/{owner}"}}, false},
		{"template and a fixed name it makes", ParamSet{Params: Params{PublicID: "avatars/user_{owner}"}}, ParamSet{Params: Params{PublicID: "avatars/user_admin"}}, false},
		{"folder of random names and a name in it", ParamSet{Params: Params{Folder: "avatars"}}, ParamSet{Params: Params{PublicID: "avatars/hero"}}, false},
		{"owner folders that nest", ParamSet{Params: Params{Folder: "u/{owner}"}}, ParamSet{Params: Params{Folder: "u/x_{owner}"}}, false},
		{"a browser's folder reaches everywhere", ParamSet{ClientParams: []string{"folder"}}, ParamSet{Params: Params{PublicID: "site/hero"}}, false},
		{"dynamic prefix and fixed folder alike", ParamSet{Params: Params{PublicIDPrefix: "p"}}, ParamSet{Params: Params{Folder: "p"}}, false},
		{"auto meets image", ParamSet{ResourceType: "auto", Params: Params{Folder: "f"}}, ParamSet{Params: Params{Folder: "f"}}, false},
		{"distinct prefixes", ParamSet{Params: Params{PublicID: "avatars/user_{owner}"}}, ParamSet{Params: Params{PublicID: "avatars/admin_{owner}"}}, true},
		{"a segment's whole text differs", ParamSet{Params: Params{Folder: "avatars"}}, ParamSet{Params: Params{Folder: "avatars2"}}, true},
		{"one segment against two", ParamSet{Params: Params{Folder: "a"}}, ParamSet{Params: Params{PublicID: "a/b/c"}}, true},
		{"other resource types, which the browser picks by the URL", ParamSet{ResourceType: "video", Params: Params{Folder: "f"}}, ParamSet{ResourceType: "raw", Params: Params{Folder: "f"}}, false},
		{"a raw file's name an owner could take", ParamSet{Params: Params{PublicID: "f/{owner}"}}, ParamSet{ResourceType: "raw", Params: Params{PublicID: "f/terms.pdf"}}, false},
		{"other types", ParamSet{Params: Params{Folder: "f", Type: "authenticated"}}, ParamSet{Params: Params{Folder: "f"}}, true},
		{"the second prefix of a set", ParamSet{Params: Params{Folder: "f", PublicIDPrefix: "p"}}, ParamSet{Params: Params{PublicID: "p/hero"}}, false},
		{"a file name the browser gives", ParamSet{Params: Params{Folder: "docs/{owner}", Overwrite: Bool(false)}, ClientParams: []string{"filename_override"}},
			ParamSet{Params: Params{PublicID: "docs/x/terms"}}, false},
		{"an asset folder the browser gives as prefix", ParamSet{Params: Params{UseAssetFolderAsPublicIDPrefix: Bool(true)}, ClientParams: []string{"asset_folder"}},
			ParamSet{Params: Params{PublicID: "site/hero"}}, false},
		{"an asset folder that is no prefix", ParamSet{Params: Params{Folder: "f"}, ClientParams: []string{"asset_folder"}}, ParamSet{Params: Params{PublicID: "site/hero"}}, true},
	} {
		tt.a.Name, tt.a.Version, tt.b.Name, tt.b.Version = "first", 1, "second", 3
		_, err := New(testCloud, testKey, testSecret, WithParamSets(tt.a, tt.b))
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case !tt.ok && (!errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), `"first" version 1`) || !strings.Contains(err.Error(), `"second" version 3`)):
			t.Errorf("%s: %v, want ErrInvalidConfig naming both", tt.name, err)
		}
		// Versions of one set may share a template, but not make one
		// public_id for two owners.
		tt.b.Name = tt.a.Name
		sameNames := slices.Contains([]string{"same owner template", "dynamic prefix and fixed folder alike", "auto meets image",
			"other resource types, which the browser picks by the URL"}, tt.name)
		if _, err := New(testCloud, testKey, testSecret, WithParamSets(tt.a, tt.b)); (tt.ok || sameNames) != (err == nil) {
			t.Errorf("%s, as two versions of one set: %v, want ok %v", tt.name, err, tt.ok || sameNames)
		}
	}
}

// TestOwnerOfVersions: OwnerOf finds the newest version whose checks the
// asset passes, and refuses what no set made.
func TestOwnerOfVersions(t *testing.T) {
	s := newSigner(t, testSecret, WithParamSets(
		ParamSet{Name: "avatar", Version: 1, Params: Params{PublicID: "avatars/{owner}", AllowedFormats: []string{"png", "gif"}}},
		ParamSet{Name: "avatar", Version: 2, Params: Params{PublicID: "avatars/{owner}", AllowedFormats: []string{"png"}}},
		ParamSet{Name: "doc", Version: 1, ResourceType: "raw", Params: Params{Folder: "docs/{owner}"}},
		ParamSet{Name: "user", Version: 1, Params: Params{PublicID: "users/user_{owner}"}}))
	result := func(id, resourceType, format string) UploadResult {
		return UploadResult{PublicID: id, Version: 1700000000, ResourceType: resourceType, Type: "upload", Format: format,
			Signature: resultSignature(id, 1700000000, testSecret)}
	}
	for _, tt := range []struct {
		result  UploadResult
		set     string
		version int
		owner   string
		wantErr error
	}{
		{result("avatars/42", "image", "png"), "avatar", 2, "42", nil},
		{result("avatars/42", "image", "gif"), "avatar", 1, "42", nil},
		{result("avatars/42", "image", "jpg"), "", 0, "", ErrUploadMismatch},
		{result("docs/7/k3j4h5.pdf", "raw", ""), "doc", 1, "7", nil},
		{result("docs/7/k3j4h5.pdf", "image", "png"), "", 0, "", ErrUploadMismatch},
		{result("avatars/4 2", "image", "png"), "", 0, "", ErrUploadMismatch}, // no owner holds a space
		{result("elsewhere/42", "image", "png"), "", 0, "", ErrUploadMismatch},
		{result("users/user_42", "image", "png"), "user", 1, "42", nil},
		{result("users/user_", "image", "png"), "", 0, "", ErrUploadMismatch}, // no owner at all
	} {
		u, err := s.OwnerOf(tt.result)
		switch {
		case !errors.Is(err, tt.wantErr):
			t.Errorf("OwnerOf(%s %s): %v, want %v", tt.result.PublicID, tt.result.Format, err, tt.wantErr)
		case err == nil && (u.Set != tt.set || u.Version != tt.version || u.Owner != tt.owner || u.Asset.PublicID != tt.result.PublicID):
			t.Errorf("OwnerOf(%s %s) = %+v", tt.result.PublicID, tt.result.Format, u)
		}
	}
	forged := result("avatars/42", "image", "png")
	forged.PublicID = "avatars/7"
	if _, err := s.OwnerOf(forged); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("OwnerOf of a forged result: %v, want ErrInvalidSignature", err)
	}
}

// TestRawFormatsMustBeReachable: a raw set's format is its public_id's
// extension, so a set whose public_ids can have none cannot allow formats.
func TestRawFormatsMustBeReachable(t *testing.T) {
	formats := []string{"pdf"}
	for _, tt := range []struct {
		name string
		set  ParamSet
		ok   bool
	}{
		{"single use", ParamSet{SingleUse: true, Params: Params{AllowedFormats: formats}}, false},
		{"a public_id without an extension", ParamSet{Params: Params{PublicID: "docs/report", AllowedFormats: formats}}, false},
		{"the owner at the end", ParamSet{Params: Params{PublicID: "docs/{owner}", AllowedFormats: formats}}, false},
		{"the owner as a folder", ParamSet{Params: Params{PublicID: "docs/{owner}/file.pdf", AllowedFormats: formats}}, true},
		{"a public_id with another extension", ParamSet{Params: Params{PublicID: "docs/report.txt", AllowedFormats: formats}}, false},
		{"a public_id with the extension", ParamSet{Params: Params{PublicID: "docs/report.PDF", AllowedFormats: formats}}, true},
		{"Cloudinary's names", ParamSet{Params: Params{Folder: "docs", AllowedFormats: formats}}, true},
		{"single use without formats", ParamSet{SingleUse: true}, true},
	} {
		tt.set.Name, tt.set.Version, tt.set.ResourceType = "doc", 1, "raw"
		_, err := New(testCloud, testKey, testSecret, WithParamSets(tt.set))
		if tt.ok != (err == nil) || err != nil && (!errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "extension")) {
			t.Errorf("%s: %v, want ok %v (or ErrInvalidConfig about the extension)", tt.name, err, tt.ok)
		}
		if strings.Contains(tt.set.Params.PublicID, "{owner}") && err != nil && !strings.Contains(err.Error(), `"docs/{owner}/file.pdf"`) {
			t.Errorf("%s: %v, want the fix that works with an owner", tt.name, err)
		}
	}
}

// TestRetiredVersionVerifies: an upload made more than Cloudinary's hour
// (plus the skew allowance) after its version's Sunset is no payload's.
func TestRetiredVersionVerifies(t *testing.T) {
	sunset := testTime
	s := newSigner(t, testSecret, WithParamSets(
		ParamSet{Name: "avatar", Version: 1, Sunset: sunset, Params: Params{PublicID: "avatars/{owner}"}},
		ParamSet{Name: "avatar", Version: 2, Params: Params{PublicID: "avatars/{owner}", Tags: []string{"v2"}}}))
	at := func(uploaded time.Time) UploadResult {
		v := uploaded.Unix()
		return UploadResult{PublicID: "avatars/42", Version: v, ResourceType: "image", Type: "upload", Format: "png",
			Signature: resultSignature("avatars/42", v, testSecret)}
	}
	late := at(sunset.Add(time.Hour + 6*time.Minute))
	if _, err := s.VerifyUploadOf("avatar", 1, Request{Owner: "42"}, late); !errors.Is(err, ErrSunset) {
		t.Errorf("an upload long after the Sunset: %v, want ErrSunset", err)
	}
	if _, err := s.VerifyUploadOf("avatar", 1, Request{Owner: "42"}, at(sunset.Add(time.Hour))); err != nil {
		t.Errorf("an upload within the hour after the Sunset: %v", err)
	}
	if u, err := s.OwnerOf(late); err != nil || u.Version != 2 {
		t.Errorf("OwnerOf of a late upload: %+v, %v; want version 2", u, err)
	}
}

// FuzzOwnerRoundTrip: whatever owner a Request gives, what Sign signs
// composes (as Cloudinary composes PREFIX/NAME) into a public_id that
// OwnerOf and VerifyUploadOf give back to that owner and set, and no other
// owner's Request verifies it.
func FuzzOwnerRoundTrip(f *testing.F) {
	for _, seed := range []string{"42", "bob", "ζωή-Ü_ß.9", "a/b", "..", "v3", "x y", "", "A", "a\u200b"} {
		f.Add(seed, "43")
	}
	s := newSigner(f, testSecret, WithParamSets(
		ParamSet{Name: "avatar", Version: 1, Params: Params{PublicID: "avatars/user_{owner}"}},
		ParamSet{Name: "gallery", Version: 1, Params: Params{Folder: "gallery/{owner}", Overwrite: Bool(false)}, ClientParams: []string{"public_id"}},
		ParamSet{Name: "team", Version: 1, Params: Params{AssetFolder: "teams/{owner}", UseAssetFolderAsPublicIDPrefix: Bool(true)}}))
	f.Fuzz(func(t *testing.T, owner, other string) {
		for _, set := range []string{"avatar", "gallery", "team"} {
			p, err := s.Sign(set, 1, Request{Owner: owner})
			if err != nil {
				if !errors.Is(err, ErrInvalidParam) || sentinels(err) != 1 {
					t.Fatalf("Sign(%s, %q): %v", set, owner, err)
				}
				continue
			}
			id := p.Fields["public_id"]
			for _, prefix := range []string{p.Fields["folder"], p.Fields["asset_folder"]} {
				if prefix != "" {
					id = prefix + "/" + cmpOr(id, "k3j4h5")
				}
			}
			r := UploadResult{PublicID: id, Version: 1700000000, ResourceType: "image", Type: "upload", Format: "png",
				Signature: resultSignature(id, 1700000000, testSecret)}
			u, err := s.OwnerOf(r)
			if err != nil || u.Set != set || u.Owner != owner {
				t.Fatalf("OwnerOf(%q) = %+v, %v; want %s of %q", id, u, err, set, owner)
			}
			if _, err := s.VerifyUploadOf(set, 1, Request{Owner: owner}, r); err != nil {
				t.Fatalf("VerifyUploadOf(%s, %q, %q): %v", set, owner, id, err)
			}
			if other != owner {
				if _, err := s.VerifyUploadOf(set, 1, Request{Owner: other}, r); err == nil {
					t.Fatalf("%q's upload %q verifies as %q's", owner, id, other)
				}
			}
		}
	})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestVersionsMayShareTemplates: versions of one set with the same names
// are one set's; with other names that could meet, they are refused.
func TestVersionsMayShareTemplates(t *testing.T) {
	v := func(version int, p Params) ParamSet { return ParamSet{Name: "avatar", Version: version, Params: p} }
	if _, err := New(testCloud, testKey, testSecret, WithParamSets(v(1, Params{PublicID: "avatars/user_{owner}"}),
		v(2, Params{PublicID: "avatars/user_{owner}", Tags: []string{"v2"}}))); err != nil {
		t.Errorf("two versions of one template: %v", err)
	}
	_, err := New(testCloud, testKey, testSecret, WithParamSets(v(1, Params{PublicID: "avatars/{owner}"}), v(2, Params{PublicID: "avatars/user_{owner}"})))
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "avatars/user_") {
		t.Errorf("user_alice of version 1 is alice of version 2: %v, want ErrInvalidConfig", err)
	}
}
