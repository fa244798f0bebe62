package uploadsign

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The naming rule of the package documentation: who decides an upload's
// public_id (browserNames, overwriteProblem, namingParams) and PREFIX
// (placement), and what a public_id or folder may be (the path rule:
// checkPath, pathProblem, nameProblem). Which public_ids a set's uploads
// can have is its shapes' (shape.go).

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

// overwriteProblem says why an upload whose public_id the browser
// decides (browserNames) is refused, or returns "": it must sign overwrite
// false, or one user could replace another's asset. signer names who must
// sign it in the message: "the set", "the proposal".
func overwriteProblem(value func(string) string, chosen func(string) bool, signer string) string {
	why := browserNames(value, chosen)
	if why == "" || isFalse(value("overwrite")) {
		return ""
	}
	return fmt.Sprintf("overwrite: %s, so %s must sign overwrite false, or one user could replace another's asset", why, signer)
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
		return fmt.Sprintf("%s: the set binds %s to place the upload; a %s the browser chooses could place it elsewhere", picked, bound, picked)
	}
	return ""
}

// pathParams are the parameters whose values are paths of a public_id:
// the public_id, and the folders that may prefix it.
var pathParams = []string{"public_id", "folder", "public_id_prefix", "asset_folder"}

// checkPath refuses, when signing, a value of one of pathParams (key)
// that does not name one place or that Cloudinary's URLs and the official
// SDK read as something else (pathProblem), or that Cloudinary would not
// store as signed (nameProblem), and any other value Params refuses in a
// string. Verifying shares pathProblem (checkURLPublicID).
func checkPath(key, v string) error {
	if err := checkText(v); err != nil || !slices.Contains(pathParams, key) {
		return err
	}
	why := pathProblem(key, v)
	if why == "" {
		why = nameProblem(v)
	}
	if why != "" {
		return fmt.Errorf("%.80q %s", v, why)
	}
	return nil
}

// nameProblem says why Cloudinary would not store the public_id or folder
// v as signed, or returns "": two different signed names must never make
// one asset. Cloudinary's "Permitted naming conventions"
// (https://cloudinary.com/documentation/ts_permitted_naming_conventions)
// say a public_id is 1 to 255 characters, "?&#\%<>+ are utterly
// forbidden, other special characters will be replaced with underscores
// _ and preceding/trailing occurrences will be trimmed off", and it
// "shouldn't begin nor end with whitespace or forward-slash (those will
// be omitted as well)"; folders follow the same rules. So nameProblem
// refuses:
//
//   - the forbidden "?", "&", "#", "\", "%", "<", ">" and "+";
//   - "{" and "}", which only a set's "{owner}" may hold;
//   - any other character that is not a letter, a digit, a mark (which
//     language characters need), "-", "_", ".", "/" or a space: "@", "!",
//     "(", "☕" and the like, which Cloudinary replaces with "_";
//   - white space at either end of a path segment, and any white space
//     other than a space;
//   - control characters and invisible format characters (zero-width
//     spaces and joiners, bidirectional marks and overrides, the byte
//     order mark), which a reader cannot see and Cloudinary may drop;
//   - more than 255 characters.
func nameProblem(v string) string {
	if n := utf8.RuneCountInString(v); n > 255 {
		return fmt.Sprintf("has %d characters; Cloudinary takes at most 255", n)
	}
	for _, r := range v {
		switch {
		case strings.ContainsRune(`?&#\%<>+`, r):
			return fmt.Sprintf("holds %q, which Cloudinary forbids in a name", r)
		case r == '{' || r == '}':
			return fmt.Sprintf("holds %q, which only a set's %s may hold", r, ownerPlaceholder)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) && r != ' ':
			return fmt.Sprintf("holds %U, an invisible or control character Cloudinary may drop or replace", r)
		case !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) && !strings.ContainsRune("-_./ ", r):
			return fmt.Sprintf("holds %q, which Cloudinary replaces with \"_\" (a name is letters, digits, \"-\", \"_\", \".\", \"/\" and inner spaces)", r)
		}
	}
	for seg := range strings.SplitSeq(v, "/") {
		if strings.TrimSpace(seg) != seg {
			return fmt.Sprintf("has the segment %q, with white space at an end, which Cloudinary trims", seg)
		}
	}
	return ""
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

// isVersion reports whether seg is "v" followed by one or more digits.
func isVersion(seg string) bool {
	if len(seg) < 2 || seg[0] != 'v' {
		return false
	}
	for i := 1; i < len(seg); i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s starts with prefix, a lower-case ASCII
// string, ignoring ASCII case only, as the SDK's /^https?:\//i does
// (strings.EqualFold would also match "\u017F" with "s").
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
