package uploadsign

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Request is what the backend binds for one request: the owner the set's
// "{owner}" stands for, and parameters added to the set's (tags, context,
// metadata and the like). Where an upload goes is the set's alone: Params
// may not name it (see the package doc). The zero Request binds nothing.
type Request struct {
	// Owner is who the upload is for, such as a user's id: one path
	// segment of letters, digits, "-", "_" and ".". A set with "{owner}"
	// requires one; a set without refuses one.
	Owner string
	// Params are added to the set's, as [Signer.Sign] says.
	Params Params
}

// ownerPlaceholder stands for the request's owner in a set's public_id,
// folder, public_id_prefix or asset_folder.
const ownerPlaceholder = "{owner}"

// ownerSlot is where a set puts its owner: the parameter key, whose value
// is before + owner + after.
type ownerSlot struct {
	key, before, after string
}

func (o *ownerSlot) fill(owner string) string { return o.before + owner + o.after }

// findOwnerSlot finds the "{owner}" of a set's parameters p, removes it
// from p and returns where it was (nil for none). It refuses "{owner}"
// twice, outside the parameters that make PREFIX or NAME, or other than
// as a whole path segment or the end of one.
func findOwnerSlot(p *Params) (*ownerSlot, error) {
	var slot *ownerSlot
	for _, f := range []struct {
		key string
		v   *string
	}{{"public_id", &p.PublicID}, {"folder", &p.Folder}, {"public_id_prefix", &p.PublicIDPrefix}, {"asset_folder", &p.AssetFolder}} {
		before, after, found := strings.Cut(*f.v, ownerPlaceholder)
		switch {
		case !found:
			continue
		case slot != nil || strings.Contains(after, ownerPlaceholder):
			return nil, fmt.Errorf("%s: %q appears twice; a set names one owner", f.key, ownerPlaceholder)
		case after != "" && after[0] != '/':
			return nil, fmt.Errorf("%s: %q must end a path segment (%q or %q), not be followed by %q", f.key, ownerPlaceholder, "user_"+ownerPlaceholder, ownerPlaceholder+"/x", after)
		case f.key == "asset_folder" && (p.UseAssetFolderAsPublicIDPrefix == nil || !*p.UseAssetFolderAsPublicIDPrefix):
			return nil, fmt.Errorf("asset_folder: %q places uploads only with use_asset_folder_as_public_id_prefix true; otherwise the asset folder is not part of the public_id", ownerPlaceholder)
		}
		slot = &ownerSlot{key: f.key, before: before, after: after}
		*f.v = ""
	}
	if slot != nil && slot.key != "public_id" {
		useAssetFolder := p.UseAssetFolderAsPublicIDPrefix != nil && *p.UseAssetFolderAsPublicIDPrefix
		for _, other := range []struct{ key, v string }{{"folder", p.Folder}, {"public_id_prefix", p.PublicIDPrefix}, {"asset_folder", p.AssetFolder}} {
			if other.v != "" && other.key != slot.key && (other.key != "asset_folder" || useAssetFolder) {
				return nil, fmt.Errorf("%s: %q is in %s, and the set also binds %s=%q, which an account may use instead: its public_ids would not hold the owner; bind one prefix", slot.key, ownerPlaceholder, slot.key, other.key, other.v)
			}
		}
	}
	return slot, nil
}

// requestParams returns the parameters a request adds to cs: its Params,
// with the owner in its slot. It refuses, wrapping ErrInvalidParam, a
// missing or unwanted owner, an owner that is not one plain path segment,
// and Params that name the upload.
func (cs *compiledSet) requestParams(req *Request) (Params, error) {
	p := req.Params
	if k := namingField(&p); k != "" {
		return p, fmt.Errorf("%w: %s: a Request may not bind it: where an upload goes is its set's (use %q in the set for the owner's part)", ErrInvalidParam, k, ownerPlaceholder)
	}
	switch {
	case cs.owner == nil && req.Owner != "":
		return p, fmt.Errorf("%w: owner: the set %q names no %s, so a Request may not give an owner", ErrInvalidParam, cs.Name, ownerPlaceholder)
	case cs.owner == nil:
		return p, nil
	case req.Owner == "":
		return p, fmt.Errorf("%w: owner: the set %q places uploads by %s (%s=%q), and the Request gives none", ErrInvalidParam, cs.Name, ownerPlaceholder, cs.owner.key, cs.owner.fill(ownerPlaceholder))
	}
	if why := ownerProblem(req.Owner, cs.owner.key); why != "" {
		return p, fmt.Errorf("%w: owner: %.80q %s", ErrInvalidParam, req.Owner, why)
	}
	filled := cs.owner.fill(req.Owner)
	if why := pathProblem(cs.owner.key, filled); why != "" {
		return p, fmt.Errorf("%w: owner: %.80q makes %s=%.80q, which %s", ErrInvalidParam, req.Owner, cs.owner.key, filled, why)
	}
	setNamingField(&p, cs.owner.key, filled)
	return p, nil
}

// namingField returns the first parameter p sets that says where an
// upload goes (namingParams, and type, which a notification carries no
// request to learn from) or can change it after signing (upload_preset,
// eval, on_success), or "".
func namingField(p *Params) string {
	for _, f := range []struct {
		key string
		set bool
	}{
		{"public_id", p.PublicID != ""}, {"folder", p.Folder != ""}, {"public_id_prefix", p.PublicIDPrefix != ""},
		{"asset_folder", p.AssetFolder != ""}, {"filename_override", p.FilenameOverride != ""},
		{"use_filename", p.UseFilename != nil}, {"unique_filename", p.UniqueFilename != nil},
		{"use_asset_folder_as_public_id_prefix", p.UseAssetFolderAsPublicIDPrefix != nil}, {"type", p.Type != ""},
		{"upload_preset", p.UploadPreset != ""}, {"eval", p.Eval != ""}, {"on_success", p.OnSuccess != ""},
	} {
		if f.set {
			return f.key
		}
	}
	return ""
}

func setNamingField(p *Params, key, v string) {
	switch key {
	case "public_id":
		p.PublicID = v
	case "folder":
		p.Folder = v
	case "public_id_prefix":
		p.PublicIDPrefix = v
	case "asset_folder":
		p.AssetFolder = v
	}
}

// ownerProblem says why owner cannot be put in the slot key, or returns
// "". An owner is one path segment of letters, digits, "-", "_" and "."
// (not "." or ".."): Cloudinary replaces other characters with "_", trims
// some and refuses others (see nameProblem), so "a b" and "a_b" could name
// one asset; and a letter written with a combining mark has another
// spelling that Cloudinary may store as the same name. In an asset_folder
// it has no upper-case letters: asset folder names are not case-sensitive.
func ownerProblem(owner, key string) string {
	if !utf8.ValidString(owner) {
		return "is not valid UTF-8"
	}
	if owner == "." || owner == ".." {
		return `is a "." or ".." path segment`
	}
	for _, r := range owner {
		switch {
		case r == '/':
			return `holds "/": an owner is one path segment`
		case key == "asset_folder" && unicode.IsUpper(r):
			return "holds an upper-case letter, and asset folder names are not case-sensitive"
		case unicode.IsMark(r):
			return fmt.Sprintf("holds the mark %U: \"é\" may be one character or two, and two owners could name one asset; use letters, digits, \"-\", \"_\" and \".\"", r)
		case !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.", r):
			return fmt.Sprintf("holds %q: an owner is letters, digits, \"-\", \"_\" and \".\" (Cloudinary would replace or refuse the others)", r)
		}
	}
	return ""
}
