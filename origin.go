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
	return ok && resourceType == "raw" && ext != "" && isAlnum(ext)
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

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
