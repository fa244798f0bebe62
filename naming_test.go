package uploadsign

import (
	"errors"
	"strings"
	"testing"
)

// TestVerifyUploadOfNamingRule: a genuine result verifies only if a payload
// of its set for the request could have made its public_id and format,
// composed as Cloudinary composes them (PREFIX/NAME, a raw file's
// extension), a whole path segment at a time.
func TestVerifyUploadOfNamingRule(t *testing.T) {
	no := Bool(false)
	sets := []ParamSet{
		{Name: "avatar", Version: 1, Params: Params{Folder: "avatars", Overwrite: no}},
		{Name: "gallery", Version: 1},
		{Name: "tenant", Version: 1, Params: Params{PublicIDPrefix: "tenant_1"}},
		{Name: "both", Version: 1, Params: Params{Folder: "fixed", PublicIDPrefix: "dynamic"}},
		{Name: "assetprefix", Version: 1, Params: Params{AssetFolder: "af", UseAssetFolderAsPublicIDPrefix: Bool(true)}},
		{Name: "assetfolder", Version: 1, Params: Params{AssetFolder: "af"}},
		{Name: "docs", Version: 1, ResourceType: "raw", Params: Params{Folder: "docs", AllowedFormats: []string{"pdf", "txt"}}},
		{Name: "auto", Version: 1, ResourceType: "auto", Params: Params{Folder: "any"}},
		{Name: "widget", Version: 1, Params: Params{Overwrite: no}, ClientParams: []string{"folder"}},
		{Name: "named", Version: 1, Params: Params{Folder: "uploads"}, ClientParams: []string{"public_id"}},
		{Name: "open", Version: 1, Params: Params{Overwrite: no}, ClientParams: []string{"public_id", "folder"}},
		{Name: "photos", Version: 1, Params: Params{AllowedFormats: []string{"jpg", "png"}}},
		{Name: "prefixed", Version: 1, Params: Params{Overwrite: no}, ClientParams: []string{"public_id_prefix"}},
		{Name: "once", Version: 1, SingleUse: true, Params: Params{Folder: "once"}},
	}
	s := newSigner(t, testSecret, WithParamSets(sets...))
	tests := []struct {
		set      string
		req      Params
		publicID string
		resource string // "image" if empty
		format   string // "jpg" if empty, "-" for none
		ok       bool
	}{
		{"avatar", Params{PublicID: "user_42"}, "avatars/user_42", "", "", true},
		{"avatar", Params{PublicID: "user_42"}, "avatars/user_4", "", "", false},
		{"avatar", Params{PublicID: "user_42"}, "avatars/user_42/x", "", "", false},
		{"avatar", Params{PublicID: "user_42"}, "user_42", "", "", false},
		{"avatar", Params{PublicID: "user_42"}, "avatars/user_42.jpg", "", "", false}, // an extension only for raw
		{"avatar", Params{}, "avatars/k3j4h5", "", "", true},
		{"avatar", Params{}, "avatarsx/k3j4h5", "", "", false},

		// A bound folder is a whole path prefix.
		{"gallery", Params{Folder: "gallery/user_bo"}, "gallery/user_bo/beach", "", "", true},
		{"gallery", Params{Folder: "gallery/user_bo"}, "gallery/user_bo/trip/beach", "", "", true},
		{"gallery", Params{Folder: "gallery/user_bo"}, "gallery/user_bob/beach", "", "", false},
		{"gallery", Params{Folder: "gallery/user_bo"}, "gallery/user_bo", "", "", false},
		{"gallery", Params{Folder: "gallery/user_bo"}, "beach", "", "", false},
		{"gallery", Params{}, "anything/at/all", "", "", true}, // nothing bound

		// Dynamic folder mode: public_id_prefix, or the asset folder used as one.
		{"tenant", Params{PublicID: "a"}, "tenant_1/a", "", "", true},
		{"tenant", Params{PublicID: "a"}, "a", "", "", false},
		{"tenant", Params{}, "tenant_1/x7", "", "", true},
		{"tenant", Params{}, "tenant_2/x7", "", "", false},
		{"both", Params{PublicID: "a"}, "fixed/a", "", "", true},
		{"both", Params{PublicID: "a"}, "dynamic/a", "", "", true},
		{"both", Params{PublicID: "a"}, "a", "", "", false},
		{"assetprefix", Params{PublicID: "a"}, "af/a", "", "", true},
		{"assetprefix", Params{PublicID: "a"}, "a", "", "", false},
		{"assetfolder", Params{PublicID: "a"}, "a", "", "", true}, // asset_folder alone does not name
		{"assetfolder", Params{PublicID: "a"}, "af/a", "", "", false},

		// A raw file's format is its public_id's extension; a public_id the
		// request names is taken as given (Cloudinary's docs ask for the
		// extension in it).
		{"docs", Params{PublicID: "report"}, "docs/report", "raw", "-", false}, // no extension: no allowed format
		{"docs", Params{PublicID: "report"}, "docs/report.pdf", "raw", "-", false},
		{"docs", Params{PublicID: "bo"}, "docs/bo.b", "raw", "-", false},
		{"docs", Params{PublicID: "report.txt"}, "docs/report.txt", "raw", "-", true},
		{"docs", Params{PublicID: "report.txt"}, "docs/report.txt.txt", "raw", "-", false},
		{"docs", Params{}, "docs/notes_a8x.txt", "raw", "-", true},
		{"docs", Params{}, "docs/notes_a8x.exe", "raw", "-", false},
		{"auto", Params{PublicID: "f.zip"}, "any/f.zip", "raw", "-", true},
		{"auto", Params{PublicID: "f"}, "any/f.zip", "raw", "-", false},
		{"auto", Params{PublicID: "f"}, "any/f", "video", "mp4", true},

		// What the browser chooses is not checked; what is bound is.
		{"widget", Params{PublicID: "user_42"}, "user_42", "", "", true},
		{"widget", Params{PublicID: "user_42"}, "chosen/user_42", "", "", true},
		{"widget", Params{PublicID: "user_42"}, "chosen/user_7", "", "", false},
		{"widget", Params{PublicID: "user_42"}, "chosen/xuser_42", "", "", false},
		{"widget", Params{Folder: "users/42"}, "users/42/mine", "", "", true}, // bound, so no longer the browser's
		{"widget", Params{Folder: "users/42"}, "users/7/mine", "", "", false},
		{"named", Params{}, "uploads/whatever/it/chose", "", "", true},
		{"named", Params{}, "elsewhere/x", "", "", false},
		{"open", Params{}, "anything", "", "", true},
		{"prefixed", Params{}, "chosen/x", "", "", true},
		{"prefixed", Params{Folder: "users/bob"}, "users/bob/x", "", "", true}, // a bound folder holds
		{"prefixed", Params{Folder: "users/bob"}, "users/alice/x", "", "", false},
		{"prefixed", Params{Folder: "users/bob", PublicID: "avatar"}, "users/alice/avatar", "", "", false},

		// Formats.
		{"photos", Params{}, "p", "", "png", true},
		{"photos", Params{}, "p", "", "JPG", true},
		{"photos", Params{}, "p", "", "gif", false},
		{"photos", Params{}, "p", "", "-", false},
		{"photos", Params{AllowedFormats: []string{"gif"}}, "p", "", "gif", false}, // a set's fixed value holds

		// A single-use set's public_id is random: its folder still holds.
		{"once", Params{}, "once/b3f1c2", "", "", true},
		{"once", Params{}, "twice/b3f1c2", "", "", false},
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
		a, err := s.VerifyUploadOf(tt.set, 1, Request{Params: tt.req}, r)
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s %+v: %s (%s, %s): %v", tt.set, tt.req, tt.publicID, r.ResourceType, r.Format, err)
		case tt.ok && a.Asset.PublicID != tt.publicID:
			t.Errorf("%s %+v: %s: asset %+v", tt.set, tt.req, tt.publicID, a)
		case !tt.ok && tt.set == "photos" && tt.req.AllowedFormats != nil:
			if !errors.Is(err, ErrParamConflict) {
				t.Errorf("%s %+v: %v, want ErrParamConflict", tt.set, tt.req, err)
			}
		case !tt.ok && (!errors.Is(err, ErrUploadMismatch) || errors.Is(err, ErrInvalidSignature) || errors.Is(err, ErrInvalidParam)):
			t.Errorf("%s %+v: %s (%s, %s): %v, want ErrUploadMismatch alone", tt.set, tt.req, tt.publicID, r.ResourceType, r.Format, err)
		case !tt.ok && !strings.Contains(err.Error(), tt.set):
			t.Errorf("%s: %v, want the set named", tt.set, err)
		}
	}
}

// TestPathRule: a public_id or folder that does not name one place is
// refused when signed, proposed, bound or verified; the raw primitives
// sign it as the SDK does.
func TestPathRule(t *testing.T) {
	bad := []string{"../user_alice/beach", "a/../b", "a/..", "..", "./a", "a/./b", ".", "a//b", "/a", "a/", "/",
		"v3/x", "a/v12/b", "https:/evil.example", "HTTP:/x"}
	good := []string{"a", "a/b", "a.b/c", "..a", "a..", "...", "a/.b", "a b/c d", "café/☕", "a&b"}
	fields := map[string]func(v string) Params{
		"public_id":        func(v string) Params { return Params{PublicID: v, Overwrite: Bool(false)} },
		"folder":           func(v string) Params { return Params{Folder: v} },
		"public_id_prefix": func(v string) Params { return Params{PublicIDPrefix: v} },
		"asset_folder":     func(v string) Params { return Params{AssetFolder: v} },
	}
	open := ParamSet{Name: "open", Version: 1, Params: Params{Overwrite: Bool(false)},
		ClientParams: []string{"public_id", "folder", "public_id_prefix", "asset_folder"}}
	s := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "any", Version: 1}, open))
	for key, params := range fields {
		for _, v := range bad {
			if _, err := s.Sign("any", 1, Request{Params: params(v)}); !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), key) {
				t.Errorf("Sign %s=%q: %v, want ErrInvalidParam naming %s", key, v, err, key)
			}
			set := ParamSet{Name: "fixed", Version: 1, Params: params(v)}
			if _, err := New(testCloud, testKey, testSecret, WithParamSets(set)); !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), key) {
				t.Errorf("a set fixing %s=%q: %v, want ErrInvalidParam naming %s", key, v, err, key)
			}
			proposed := map[string][]string{"timestamp": {"1700000000"}, key: {v}, "overwrite": {"false"}}
			if _, err := s.SignProposed("open", 1, proposed, Request{}); !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), key) {
				t.Errorf("SignProposed %s=%q: %v, want ErrInvalidParam naming %s", key, v, err, key)
			}
			if _, err := s.SignProposed("any", 1, map[string][]string{"timestamp": {"1700000000"}}, Request{Params: params(v)}); !errors.Is(err, ErrInvalidParam) {
				t.Errorf("SignProposed binding %s=%q: %v, want ErrInvalidParam", key, v, err)
			}
			if strings.Contains(StringToSign(map[string][]string{key: {v}}, 2), key+"="+v) != true {
				t.Errorf("StringToSign %s=%q: the raw primitive must sign it", key, v)
			}
		}
		for _, v := range good {
			if _, err := s.Sign("any", 1, Request{Params: params(v)}); err != nil {
				t.Errorf("Sign %s=%q: %v", key, v, err)
			}
		}
		// "v3" is a version only as a folder.
		_, err := s.Sign("any", 1, Request{Params: params("v3")})
		if isFolder := key != "public_id"; isFolder != errors.Is(err, ErrInvalidParam) {
			t.Errorf("Sign %s=\"v3\": %v", key, err)
		}
	}
	// "%" is signed, as the SDK signs it, but the SDK's URL of such a
	// public_id is another's: VerifyUploadOf refuses it.
	if _, err := s.Sign("any", 1, Request{Params: Params{PublicID: "100%", Overwrite: Bool(false)}}); err != nil {
		t.Errorf("Sign public_id 100%%: %v", err)
	}
	r := UploadResult{PublicID: "100%", Version: 1, ResourceType: "image", Type: "upload", Signature: resultSignature("100%", 1, testSecret)}
	if _, err := s.VerifyUploadOf("any", 1, Request{}, r); !errors.Is(err, ErrInvalidParam) {
		t.Errorf("VerifyUploadOf public_id 100%%: %v, want ErrInvalidParam", err)
	}
	for _, v := range bad {
		if v == "/" || v == "." {
			continue // no sensible result
		}
		r := UploadResult{PublicID: v, Version: 1, ResourceType: "image", Type: "upload", Signature: resultSignature(v, 1, testSecret)}
		if _, err := s.VerifyUploadOf("any", 1, Request{}, r); !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), "public_id") {
			t.Errorf("VerifyUploadOf public_id %q: %v, want ErrInvalidParam naming public_id", v, err)
		}
	}
}

// TestPlacementCannotBeMoved: where the set or request binds the folder
// (or public_id_prefix, or asset_folder used as one), the browser may not
// choose another of them, which Cloudinary could apply instead.
func TestPlacementCannotBeMoved(t *testing.T) {
	no := Bool(false)
	for _, set := range []ParamSet{
		{Name: "s", Version: 1, Params: Params{Folder: "f"}, ClientParams: []string{"public_id_prefix"}},
		{Name: "s", Version: 1, Params: Params{PublicIDPrefix: "p"}, ClientParams: []string{"folder"}},
		{Name: "s", Version: 1, Params: Params{Folder: "f"}, ClientParams: []string{"asset_folder", "use_asset_folder_as_public_id_prefix"}},
		{Name: "s", Version: 1, Params: Params{AssetFolder: "a", UseAssetFolderAsPublicIDPrefix: Bool(true)}, ClientParams: []string{"folder"}},
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
	s := newSigner(t, testSecret, WithParamSets(ParamSet{Name: "widget", Version: 1, Params: Params{Overwrite: no},
		ClientParams: []string{"folder", "public_id_prefix", "asset_folder", "use_asset_folder_as_public_id_prefix"}}))
	ts := "1700000000"
	for _, tt := range []struct {
		proposed map[string][]string
		req      Params
		ok       bool
	}{
		{map[string][]string{"timestamp": {ts}, "folder": {"users/bob"}, "public_id_prefix": {"users/alice"}, "overwrite": {"0"}}, Params{Folder: "users/bob"}, false},
		{map[string][]string{"timestamp": {ts}, "folder": {"users/bob"}, "asset_folder": {"x"}, "use_asset_folder_as_public_id_prefix": {"1"}, "overwrite": {"0"}}, Params{Folder: "users/bob"}, false},
		{map[string][]string{"timestamp": {ts}, "folder": {"users/bob"}, "asset_folder": {"x"}, "overwrite": {"0"}}, Params{Folder: "users/bob"}, true},
		{map[string][]string{"timestamp": {ts}, "folder": {"users/bob"}, "overwrite": {"0"}}, Params{Folder: "users/bob"}, true},
		{map[string][]string{"timestamp": {ts}, "folder": {"a"}, "public_id_prefix": {"b"}, "overwrite": {"0"}}, Params{}, true}, // nothing bound
	} {
		_, err := s.SignProposed("widget", 1, tt.proposed, Request{Params: tt.req})
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, ErrParamNotAllowed) {
			t.Errorf("SignProposed(%v, %+v): %v, want ok %v", tt.proposed, tt.req.Folder, err, tt.ok)
		}
	}
}
