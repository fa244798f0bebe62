package uploadsign

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// The naming rule of the package documentation: who decides an upload's
// public_id (browserNames, checkOverwrite, namingParams), what a public_id
// or folder may be (checkPath), and which public_ids a request could have
// made (checkOrigin).

// namingParams are the parameters browserNames reads to decide who names
// an upload: a set that signs overwrite true may let the browser choose
// none of them.
var namingParams = []string{"public_id", "folder", "public_id_prefix", "asset_folder",
	"use_asset_folder_as_public_id_prefix", "use_filename", "unique_filename", "filename_override"}

// browserNames says how the browser decides the public_id of an upload,
// or places a public_id the backend names, or returns "" when it does
// neither. value returns what a parameter is signed as, and chosen
// whether the browser chose it (a payload's parameters are all the
// backend's; the name of the file it posts is always the browser's). A
// public_id Cloudinary makes up (none given, unique file names) cannot
// collide, so a browser-chosen folder alone does not count.
func browserNames(value func(string) string, chosen func(string) bool) string {
	picks := func(k string) bool { return chosen(k) && value(k) != "" }
	fromFilename := value("public_id") == "" && cloudinary.True(value("use_filename")) && cloudinary.False(value("unique_filename"))
	var why string
	switch {
	case picks("public_id"):
		return "the browser chooses the public_id"
	case fromFilename:
		why = "the public_id is the file name the browser sends (use_filename true, unique_filename false)"
	case value("public_id") == "":
		return "" // Cloudinary makes up a unique public_id
	case picks("folder"):
		return "the browser chooses the folder that prefixes the public_id"
	case picks("public_id_prefix"):
		return "the browser chooses the public_id_prefix"
	case picks("asset_folder") && cloudinary.True(value("use_asset_folder_as_public_id_prefix")):
		return "the browser chooses the asset_folder that prefixes the public_id"
	default:
		return ""
	}
	if picks("folder") || picks("public_id_prefix") {
		why += ", in a folder it chooses"
	}
	return why
}

// checkOverwrite refuses, with ErrParamNotAllowed, an upload whose
// public_id the browser decides (browserNames) unless it signs overwrite
// false: otherwise one user could replace another's asset.
func checkOverwrite(value func(string) string, chosen func(string) bool) error {
	why := browserNames(value, chosen)
	if why == "" || cloudinary.False(value("overwrite")) {
		return nil
	}
	return fmt.Errorf("%w: overwrite: %s, so the upload must sign overwrite false, or one user could replace another's asset", ErrParamNotAllowed, why)
}

// checkPath refuses a value of one of the parameters that name a place
// (public_id, folder, public_id_prefix, asset_folder) with a "." or ".."
// segment, an empty segment or a leading or trailing "/", and any other
// value Params refuses in a string. It is the one rule that signing and
// verifying share.
func checkPath(key, v string) error {
	if slices.Contains(cloudinary.PathParams, key) {
		if err := cloudinary.CheckPath(v); err != nil {
			return fmt.Errorf("%.80q %w", v, err)
		}
	}
	return checkText(v)
}

// checkOrigin reports whether a genuine upload result r is one that a
// payload of cs could have made for the bound parameters (the set's fixed
// ones merged with a request's, encoded), by the naming rule of the
// package documentation: the resource type and type, the public_id, and
// the format.
func (cs *compiledSet) checkOrigin(bound map[string]string, r UploadResult) error {
	if want := cs.resourceType(); want != "auto" && r.ResourceType != want {
		return fmt.Errorf("resource_type %.40q, but the set uploads %s", r.ResourceType, want)
	}
	if want := cmp.Or(bound["type"], "upload"); r.Type != want && !cs.browserChooses("type", bound) {
		return fmt.Errorf("type %.40q, but the set uploads type %s", r.Type, want)
	}
	if err := cs.checkPublicID(bound, r); err != nil {
		return err
	}
	return checkFormat(bound["allowed_formats"], r)
}

// browserChooses reports whether the browser may choose key: the set lets
// it (ClientParams) and neither the set nor the request binds it.
func (cs *compiledSet) browserChooses(key string, bound map[string]string) bool {
	_, isBound := bound[key]
	return !isBound && slices.Contains(cs.ClientParams, key)
}

// checkPublicID checks r's public_id against the places the bound
// parameters allow. Cloudinary composes a public_id as PREFIX/NAME, where
// PREFIX is the folder (fixed folder mode), or the public_id_prefix, or
// the asset_folder with use_asset_folder_as_public_id_prefix true
// (dynamic folder mode), and NAME is the public_id, or one Cloudinary
// makes (random, or from the file name). A raw file's public_id may carry
// the file's extension after NAME.
func (cs *compiledSet) checkPublicID(bound map[string]string, r UploadResult) error {
	id := r.PublicID
	prefixes, free := cs.prefixes(bound)
	name, named := bound["public_id"]
	switch {
	case named && free:
		// The browser places a public_id the request names.
		if matchesName(lastSegments(id, name), name, r.ResourceType) {
			return nil
		}
		return fmt.Errorf("public_id %.80q is not %q in a folder", id, name)
	case named:
		for _, prefix := range prefixes {
			if matchesName(id, join(prefix, name), r.ResourceType) {
				return nil
			}
		}
		return fmt.Errorf("public_id %.80q is not %s", id, quoteAll(prefixes, name))
	case free:
		return nil // the browser chooses the place
	}
	for _, prefix := range prefixes {
		if prefix == "" || strings.HasPrefix(id, prefix+"/") {
			return nil
		}
	}
	return fmt.Errorf("public_id %.80q is not in %s", id, quoteAll(prefixes, ""))
}

// prefixes returns the PREFIXes the bound parameters allow: "" for none,
// the bound folder, and the bound public_id_prefix or asset_folder used as
// one. free is true when the browser may choose a prefix itself.
func (cs *compiledSet) prefixes(bound map[string]string) (prefixes []string, free bool) {
	if folder := bound["folder"]; folder != "" {
		prefixes = append(prefixes, folder) // fixed folder mode
	}
	switch {
	case bound["public_id_prefix"] != "":
		prefixes = append(prefixes, bound["public_id_prefix"]) // dynamic folder mode
	case bound["asset_folder"] != "" && cloudinary.True(bound["use_asset_folder_as_public_id_prefix"]):
		prefixes = append(prefixes, bound["asset_folder"])
	}
	for _, k := range []string{"folder", "public_id_prefix"} {
		free = free || cs.browserChooses(k, bound)
	}
	free = free || cs.browserChooses("asset_folder", bound) &&
		(cloudinary.True(bound["use_asset_folder_as_public_id_prefix"]) || cs.browserChooses("use_asset_folder_as_public_id_prefix", bound))
	if len(prefixes) == 0 {
		prefixes = []string{""}
	}
	return prefixes, free
}

// matchesName reports whether id is want, or for a raw file want with an
// extension (ASCII letters and digits) added from the file's name.
func matchesName(id, want, resourceType string) bool {
	if id == want {
		return true
	}
	ext, ok := strings.CutPrefix(id, want+".")
	return ok && resourceType == "raw" && ext != "" && allAlnum(ext)
}

// lastSegments returns the last segments of id, as many as name has, for
// a name placed in a folder the browser chose.
func lastSegments(id, name string) string {
	segs := strings.Split(id, "/")
	n := strings.Count(name, "/") + 1
	if n > len(segs) {
		return id
	}
	return strings.Join(segs[len(segs)-n:], "/")
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "/" + name
}

// quoteAll describes the public_ids (name set) or folders (name empty)
// that prefixes allow.
func quoteAll(prefixes []string, name string) string {
	var list []string
	for _, p := range prefixes {
		if name != "" {
			list = append(list, fmt.Sprintf("%q", join(p, name)))
		} else {
			list = append(list, fmt.Sprintf("folder %q", p+"/"))
		}
	}
	return strings.Join(list, " or ")
}

// checkFormat refuses a result whose format is not one of allowed (comma
// separated, empty for any), read for a raw file from the extension of its
// public_id.
func checkFormat(allowed string, r UploadResult) error {
	if allowed == "" {
		return nil
	}
	format := r.Format
	if r.ResourceType == "raw" {
		format = strings.TrimPrefix(path.Ext(r.PublicID), ".")
	}
	for _, f := range strings.Split(allowed, ",") {
		if format != "" && strings.EqualFold(f, format) {
			return nil
		}
	}
	if format == "" {
		return errors.New("the result has no format, and the set allows only " + allowed)
	}
	return fmt.Errorf("format %.20q, but the set allows only %s", format, allowed)
}
