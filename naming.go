package uploadsign

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
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
	fromFilename := value("public_id") == "" && isTrue(value("use_filename")) && isFalse(value("unique_filename"))
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
	case picks("asset_folder") && isTrue(value("use_asset_folder_as_public_id_prefix")):
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
// false: otherwise one user could replace another's asset. signer names
// who must sign it in the message: "the set or request", "the proposal".
func checkOverwrite(value func(string) string, chosen func(string) bool, signer string) error {
	why := browserNames(value, chosen)
	if why == "" || isFalse(value("overwrite")) {
		return nil
	}
	return fmt.Errorf("%w: overwrite: %s, so %s must sign overwrite false, or one user could replace another's asset", ErrParamNotAllowed, why, signer)
}

// placement returns the parameters that put the upload's PREFIX: the
// folder (fixed folder mode), the public_id_prefix, or the asset_folder
// with use_asset_folder_as_public_id_prefix true (dynamic folder mode).
// bound is the first one the backend sets, picked the first one the
// browser chooses (value and chosen as browserNames takes them).
func placement(value func(string) string, chosen func(string) bool) (bound, picked string) {
	for _, k := range []string{"folder", "public_id_prefix", "asset_folder"} {
		if value(k) == "" || k == "asset_folder" && !isTrue(value("use_asset_folder_as_public_id_prefix")) {
			continue
		}
		switch {
		case chosen(k) || k == "asset_folder" && chosen("use_asset_folder_as_public_id_prefix"):
			picked = cmp.Or(picked, k)
		default:
			bound = cmp.Or(bound, k)
		}
	}
	return bound, picked
}

// checkPlacement says why an upload whose PREFIX the backend binds and
// the browser could change is refused, or returns "": which of two
// prefixes Cloudinary applies depends on the account's folder mode, so
// the one the backend bound would not hold.
func checkPlacement(value func(string) string, chosen func(string) bool) string {
	if bound, picked := placement(value, chosen); bound != "" && picked != "" {
		return fmt.Sprintf("%s: the set or request binds %s to place the upload; a %s the browser chooses could place it elsewhere", picked, bound, picked)
	}
	return ""
}

// pathParams are the parameters whose values are paths of a public_id:
// the public_id, and the folders that may prefix it.
var pathParams = []string{"public_id", "folder", "public_id_prefix", "asset_folder"}

// checkPath refuses a value of one of pathParams (key) that does not name
// one place, or that Cloudinary's URLs and the official SDK read as
// something else (pathProblem says which), and any other value Params
// refuses in a string. It is the one rule that signing and verifying
// share.
func checkPath(key, v string) error {
	if why := pathProblem(key, v); why != "" && slices.Contains(pathParams, key) {
		return fmt.Errorf("%.80q %s", v, why)
	}
	return checkText(v)
}

// pathProblem says what is wrong with the path v of key, or returns "":
//
//   - an empty segment (a leading, trailing or double "/"): the SDK
//     collapses "//", and Cloudinary strips leading and trailing "/";
//   - a "." or ".." segment: clients resolve those in a URL path, so the
//     URL would point into another folder, another user's maybe;
//   - a start like "http:/" or "https:/", in any case: the SDK takes it
//     for a remote URL;
//   - a folder "v" followed by digits only ("v3/x"; every segment of a
//     folder): Cloudinary's URLs read it as a version, and Cloudinary does
//     not allow such folder names. A public_id's last segment like "v3"
//     is a file name and is fine.
//
// Everything else is signed as the SDK signs it. "?", "#", "&", "+",
// spaces and any Unicode are escaped in delivery URLs without ambiguity;
// "%" is not (the SDK percent-decodes a public_id before it escapes it),
// so checkPublicID refuses it when a URL is built.
func pathProblem(key, v string) string {
	if hasPrefixFold(v, "http:/") || hasPrefixFold(v, "https:/") {
		return "starts with a URL scheme, which the SDK takes for a remote URL"
	}
	for rest := v; ; {
		seg, after, more := strings.Cut(rest, "/")
		switch {
		case seg == "":
			return `has an empty segment (a leading, trailing or double "/")`
		case seg == "." || seg == "..":
			return `has a "." or ".." segment`
		case isVersion(seg) && (key != "public_id" || more):
			return "has the folder " + strconv.Quote(seg) + ", which a delivery URL reads as a version"
		case !more:
			return ""
		}
		rest = after
	}
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
	switch want := cmp.Or(bound["type"], "upload"); {
	case cs.browserChooses("type", bound) && r.Type != "upload":
		return fmt.Errorf("type %.40q, which the browser chose and Cloudinary does not sign; a signed URL is built only for a type the set or request fixes", r.Type)
	case !cs.browserChooses("type", bound) && r.Type != want:
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
// parameters allow. Cloudinary composes a public_id as PREFIX/NAME (see
// placement), NAME being the public_id, or one Cloudinary makes (random,
// or from the file name, a raw file's with its extension).
func (cs *compiledSet) checkPublicID(bound map[string]string, r UploadResult) error {
	id := r.PublicID
	prefixes, free := cs.prefixes(bound)
	name, named := bound["public_id"]
	switch {
	case named && free:
		// The browser places a public_id the request names.
		if lastSegments(id, name) == name {
			return nil
		}
		return fmt.Errorf("public_id %.80q is not %q in a folder", id, name)
	case named:
		for _, prefix := range prefixes {
			if id == join(prefix, name) {
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

// prefixes returns the PREFIXes the bound parameters allow: the bound
// folder, and the bound public_id_prefix or asset_folder used as one, or
// "" when none is bound. free is true when none is bound and the browser
// may choose one (a bound one keeps a browser's out: checkPlacement).
func (cs *compiledSet) prefixes(bound map[string]string) (prefixes []string, free bool) {
	if folder := bound["folder"]; folder != "" {
		prefixes = append(prefixes, folder) // fixed folder mode
	}
	switch {
	case bound["public_id_prefix"] != "":
		prefixes = append(prefixes, bound["public_id_prefix"]) // dynamic folder mode
	case bound["asset_folder"] != "" && isTrue(bound["use_asset_folder_as_public_id_prefix"]):
		prefixes = append(prefixes, bound["asset_folder"])
	}
	if len(prefixes) > 0 {
		return prefixes, false
	}
	free = cs.browserChooses("folder", bound) || cs.browserChooses("public_id_prefix", bound) ||
		cs.browserChooses("asset_folder", bound) && (isTrue(bound["use_asset_folder_as_public_id_prefix"]) ||
			cs.browserChooses("use_asset_folder_as_public_id_prefix", bound))
	return []string{""}, free
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
