package uploadsign

import (
	"errors"
	"strings"
	"testing"
)

// TestVerifyUploadOfNamingRule: a genuine result verifies only if a payload
// of its set for the request's owner could have made its public_id and
// format, composed as Cloudinary composes them (PREFIX/NAME, a raw file's
// extension), a whole path segment at a time.
func TestVerifyUploadOfNamingRule(t *testing.T) {
	no := Bool(false)
	sets := []ParamSet{
		{Name: "avatar", Version: 1, Params: Params{Folder: "avatars", PublicID: "user_{owner}", Overwrite: no}},
		{Name: "gallery", Version: 1, Params: Params{Folder: "gallery/user_{owner}"}},
		{Name: "tenant", Version: 1, Params: Params{PublicIDPrefix: "tenant_1"}},
		{Name: "both", Version: 1, Params: Params{Folder: "fixed", PublicIDPrefix: "dynamic", PublicID: "a"}},
		{Name: "assetprefix", Version: 1, Params: Params{AssetFolder: "af", UseAssetFolderAsPublicIDPrefix: Bool(true), PublicID: "a"}},
		{Name: "assetfolder", Version: 1, Params: Params{AssetFolder: "af", PublicID: "b"}},
		{Name: "docs", Version: 1, ResourceType: "raw", Params: Params{Folder: "docs", AllowedFormats: []string{"pdf", "txt"}}},
		{Name: "report", Version: 1, ResourceType: "raw", Params: Params{Folder: "reports", PublicID: "report.txt", AllowedFormats: []string{"pdf", "txt"}}},
		{Name: "auto", Version: 1, ResourceType: "auto", Params: Params{Folder: "any"}},
		{Name: "named", Version: 1, Params: Params{Folder: "uploads/{owner}", Overwrite: no}, ClientParams: []string{"public_id"}},
		{Name: "photos", Version: 1, Params: Params{Folder: "photos", AllowedFormats: []string{"jpg", "png"}}},
		{Name: "once", Version: 1, SingleUse: true, Params: Params{Folder: "once"}},
	}
	s := newSigner(t, testSecret, WithParamSets(sets...))
	tests := []struct {
		set      string
		owner    string
		publicID string
		resource string // "image" if empty
		format   string // "jpg" if empty, "-" for none
		ok       bool
	}{
		{"avatar", "42", "avatars/user_42", "", "", true},
		{"avatar", "42", "avatars/user_4", "", "", false},
		{"avatar", "4", "avatars/user_42", "", "", false},
		{"avatar", "42", "avatars/user_42/x", "", "", false},
		{"avatar", "42", "user_42", "", "", false},
		{"avatar", "42", "avatars/user_42.jpg", "", "", false}, // an extension only for raw

		// The owner's folder is a whole path segment.
		{"gallery", "bo", "gallery/user_bo/beach", "", "", true},
		{"gallery", "bo", "gallery/user_bo/trip/beach", "", "", false}, // Cloudinary's names are one segment
		{"gallery", "bo", "gallery/user_bob/beach", "", "", false},
		{"gallery", "bo", "gallery/user_bo", "", "", false},
		{"gallery", "bo", "beach", "", "", false},

		// Dynamic folder mode: public_id_prefix, or the asset folder used as one.
		{"tenant", "", "tenant_1/x7", "", "", true},
		{"tenant", "", "tenant_2/x7", "", "", false},
		{"both", "", "fixed/a", "", "", true},
		{"both", "", "dynamic/a", "", "", true},
		{"both", "", "a", "", "", false},
		{"assetprefix", "", "af/a", "", "", true},
		{"assetprefix", "", "a", "", "", false},
		{"assetfolder", "", "b", "", "", true}, // asset_folder alone does not name
		{"assetfolder", "", "af/b", "", "", false},

		// A raw file's format is its public_id's extension, never the
		// reported format; a public_id the set names is taken as given
		// (Cloudinary's docs ask for the extension in it).
		{"report", "", "reports/report.txt", "raw", "-", true},
		{"report", "", "reports/report.txt.txt", "raw", "-", false},
		{"report", "", "reports/report.txt", "raw", "exe", true},
		{"docs", "", "docs/notes_a8x.txt", "raw", "-", true},
		{"docs", "", "docs/notes_a8x.exe", "raw", "-", false},
		{"docs", "", "docs/notes_a8x.exe", "raw", "pdf", false}, // a reported format proves nothing
		{"docs", "", "docs/notes_a8x", "raw", "pdf", false},
		{"auto", "", "any/f.zip", "raw", "-", true},
		{"auto", "", "any/f", "video", "mp4", true},

		// What the browser chooses is not checked; the owner's folder is.
		{"named", "bob", "uploads/bob/whatever/it/chose", "", "", true},
		{"named", "bob", "uploads/alice/x", "", "", false},
		{"named", "bob", "elsewhere/x", "", "", false},

		// Formats.
		{"photos", "", "photos/p", "", "png", true},
		{"photos", "", "photos/p", "", "JPG", true},
		{"photos", "", "photos/p", "", "gif", false},
		{"photos", "", "photos/p", "", "-", false},

		// A single-use set's public_id is random: its folder still holds.
		{"once", "", "once/b3f1c2", "", "", true},
		{"once", "", "twice/b3f1c2", "", "", false},
	}
	for _, tt := range tests {
		r := UploadResult{PublicID: tt.publicID, Version: 1700000000, ResourceType: "image", Type: "upload", Format: "jpg",
			Signature: resultSignature(tt.publicID, 1700000000, testSecret)}
		if tt.resource != "" {
			r.ResourceType = tt.resource
		}
		if tt.format == "-" {
			r.Format = ""
		} else if tt.format != "" {
			r.Format = tt.format
		}
		u, err := s.VerifyUploadOf(tt.set, 1, Request{Owner: tt.owner}, r)
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s %q: %s (%s, %s): %v", tt.set, tt.owner, tt.publicID, r.ResourceType, r.Format, err)
		case tt.ok && (u.Asset.PublicID != tt.publicID || u.Set != tt.set || u.Version != 1 || u.Owner != tt.owner):
			t.Errorf("%s %q: %s: upload %+v", tt.set, tt.owner, tt.publicID, u)
		case !tt.ok && (!errors.Is(err, ErrUploadMismatch) || sentinels(err) != 1):
			t.Errorf("%s %q: %s (%s, %s): %v, want ErrUploadMismatch alone", tt.set, tt.owner, tt.publicID, r.ResourceType, r.Format, err)
		case !tt.ok && !strings.Contains(err.Error(), tt.set):
			t.Errorf("%s: %v, want the set named", tt.set, err)
		}
		// OwnerOf finds the same set and owner, without being told.
		got, err := s.OwnerOf(r)
		switch {
		case tt.ok && err != nil:
			t.Errorf("OwnerOf(%s): %v, want %s %q", tt.publicID, err, tt.set, tt.owner)
		case tt.ok && (got.Set != tt.set || got.Owner != tt.owner || got.Asset != u.Asset):
			t.Errorf("OwnerOf(%s) = %+v, want %+v", tt.publicID, got, u)
		case !tt.ok && err == nil && got.Set == tt.set && got.Owner == tt.owner:
			t.Errorf("OwnerOf(%s) = %+v, which VerifyUploadOf refuses", tt.publicID, got)
		}
	}
}

// TestPathRule: a public_id or folder that does not name one place is
// refused when a set fixes it, when proposed, in an owner and when
// verified; the raw primitives sign it as the SDK does.
func TestPathRule(t *testing.T) {
	bad := []string{"../user_alice/beach", "a/../b", "a/..", "..", "./a", "a/./b", ".", "a//b", "/a", "a/", "/",
		"v3/x", "a/v12/b", "https:/evil.example", "HTTP:/x"}
	good := []string{"a", "a/b", "a.b/c", "..a", "a..", "...", "a/.b", "a b/c d", "café/日本"}
	fields := map[string]func(v string) Params{
		"public_id":        func(v string) Params { return Params{PublicID: v, Overwrite: Bool(false)} },
		"folder":           func(v string) Params { return Params{Folder: v} },
		"public_id_prefix": func(v string) Params { return Params{PublicIDPrefix: v} },
		"asset_folder":     func(v string) Params { return Params{AssetFolder: v} },
	}
	free := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "free", Version: 1, Params: Params{Overwrite: Bool(false)},
		ClientParams: []string{"folder", "public_id_prefix", "asset_folder"}}))
	named := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "named", Version: 1,
		Params: Params{Folder: "u/{owner}", Overwrite: Bool(false)}, ClientParams: []string{"public_id"}}))
	for key, params := range fields {
		s := free
		set := "free"
		if key == "public_id" {
			s, set = named, "named"
		}
		for _, v := range bad {
			fixed := ParamSet{Name: "fixed", Version: 1, Params: params(v)}
			if _, err := New(testCloud, testKey, testSecret, WithParamSets(fixed)); !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), key) {
				t.Errorf("a set fixing %s=%q: %v, want ErrInvalidParam naming %s", key, v, err, key)
			}
			proposed := map[string][]string{"timestamp": {"1700000000"}, key: {v}, "overwrite": {"false"}}
			if _, err := s.SignProposed(set, 1, proposed, Request{Owner: testOwner(s, set, 1)}); !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), key) {
				t.Errorf("SignProposed %s=%q: %v, want ErrInvalidParam naming %s", key, v, err, key)
			}
			if strings.Contains(StringToSign(map[string][]string{key: {v}}, 2), key+"="+v) != true {
				t.Errorf("StringToSign %s=%q: the raw primitive must sign it", key, v)
			}
		}
		for _, v := range good {
			if _, err := New(testCloud, testKey, testSecret, WithParamSets(ParamSet{Name: "fixed", Version: 1, Params: params(v)})); err != nil {
				t.Errorf("a set fixing %s=%q: %v", key, v, err)
			}
		}
		// "v3" is a version only as a folder.
		_, err := New(testCloud, testKey, testSecret, WithParamSets(ParamSet{Name: "fixed", Version: 1, Params: params("v3")}))
		if isFolder := key != "public_id"; isFolder != errors.Is(err, ErrInvalidParam) {
			t.Errorf("a set fixing %s=\"v3\": %v", key, err)
		}
	}
	// The SDK's URL of a public_id with "%" is another's: VerifyUploadOf
	// refuses it, as it refuses every bad path.
	s := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "any", Version: 1}))
	for _, v := range append(bad, "100%") {
		if v == "/" || v == "." {
			continue // no sensible result
		}
		r := UploadResult{PublicID: v, Version: 1, ResourceType: "image", Type: "upload", Signature: resultSignature(v, 1, testSecret)}
		if _, err := s.VerifyUploadOf("any", 1, Request{}, r); !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), "public_id") {
			t.Errorf("VerifyUploadOf public_id %q: %v, want ErrInvalidParam naming public_id", v, err)
		}
	}
}

// TestPlacementCannotBeMoved: where the set binds the folder (or
// public_id_prefix, or asset_folder used as one), the browser may not
// choose another of them, which Cloudinary could apply instead.
func TestPlacementCannotBeMoved(t *testing.T) {
	no := Bool(false)
	for _, set := range []ParamSet{
		{Name: "s", Version: 1, Params: Params{Folder: "f"}, ClientParams: []string{"public_id_prefix"}},
		{Name: "s", Version: 1, Params: Params{PublicIDPrefix: "p"}, ClientParams: []string{"folder"}},
		{Name: "s", Version: 1, Params: Params{Folder: "f"}, ClientParams: []string{"asset_folder", "use_asset_folder_as_public_id_prefix"}},
		{Name: "s", Version: 1, Params: Params{AssetFolder: "a", UseAssetFolderAsPublicIDPrefix: Bool(true)}, ClientParams: []string{"folder"}},
		{Name: "s", Version: 1, Params: Params{Folder: "users/{owner}"}, ClientParams: []string{"public_id_prefix"}},
	} {
		if _, err := New(testCloud, testKey, testSecret, WithParamSets(set)); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("set %+v: %v, want ErrInvalidConfig", set.Params, err)
		}
	}
	for _, set := range []ParamSet{
		{Name: "s", Version: 1, Params: Params{Folder: "f"}, ClientParams: []string{"asset_folder"}}, // not a prefix
		{Name: "s", Version: 1, ClientParams: []string{"folder", "public_id_prefix"}},
	} {
		if _, err := New(testCloud, testKey, testSecret, WithParamSets(set)); err != nil {
			t.Errorf("set %+v: %v", set.Params, err)
		}
	}
	s := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "widget", Version: 1, Params: Params{Folder: "users/{owner}", Overwrite: no},
		ClientParams: []string{"asset_folder"}}))
	free := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "widget", Version: 1, Params: Params{Overwrite: no},
		ClientParams: []string{"folder", "public_id_prefix", "asset_folder", "use_asset_folder_as_public_id_prefix"}}))
	ts := "1700000000"
	for _, tt := range []struct {
		s        *Signer
		proposed map[string][]string
		ok       bool
	}{
		{s, map[string][]string{"timestamp": {ts}, "folder": {"users/42"}, "public_id_prefix": {"users/alice"}, "overwrite": {"0"}}, false},
		{s, map[string][]string{"timestamp": {ts}, "folder": {"users/42"}, "asset_folder": {"x"}, "use_asset_folder_as_public_id_prefix": {"1"}, "overwrite": {"0"}}, false},
		{s, map[string][]string{"timestamp": {ts}, "folder": {"users/42"}, "asset_folder": {"x"}, "overwrite": {"0"}}, true},
		{s, map[string][]string{"timestamp": {ts}, "folder": {"users/42"}, "overwrite": {"0"}}, true},
		{free, map[string][]string{"timestamp": {ts}, "folder": {"a"}, "public_id_prefix": {"b"}, "overwrite": {"0"}}, true}, // nothing bound
	} {
		_, err := tt.s.SignProposed("widget", 1, tt.proposed, Request{Owner: testOwner(tt.s, "widget", 1)})
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, ErrParamNotAllowed) {
			t.Errorf("SignProposed(%v): %v, want ok %v", tt.proposed, err, tt.ok)
		}
	}
}
