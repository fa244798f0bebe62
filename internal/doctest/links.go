package doctest

import (
	"path"
	"regexp"
	"strings"
	"unicode"
)

// link matches a Markdown link's target: ](target).
var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// heading matches an ATX heading's text.
var heading = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*#*\s*$`)

// BrokenLinks returns the relative links of the Markdown document md,
// at path file from the repository's root, whose target read cannot read,
// or whose #anchor is none of the target's headings as GitHub names them.
// Links with a scheme (https:, mailto:) are not checked.
func BrokenLinks(read func(name string) ([]byte, error), file string, md []byte) []string {
	var broken []string
	for _, m := range link.FindAllStringSubmatch(withoutCode(string(md)), -1) {
		target := m[1]
		if strings.Contains(target, ":") {
			continue
		}
		name, anchor, _ := strings.Cut(target, "#")
		doc := md
		if name != "" {
			name = path.Join(path.Dir(file), name)
			b, err := read(name)
			if err != nil {
				broken = append(broken, target+" (no such file)")
				continue
			}
			doc = b
		}
		if anchor != "" && !hasAnchor(doc, anchor) {
			broken = append(broken, target+" (no such heading)")
		}
	}
	return broken
}

// hasAnchor reports whether a heading of md has the anchor GitHub gives
// it: lower-case, without punctuation, spaces as "-".
func hasAnchor(md []byte, anchor string) bool {
	for _, m := range heading.FindAllStringSubmatch(withoutCode(string(md)), -1) {
		if Slug(m[1]) == anchor {
			return true
		}
	}
	return false
}

// Slug returns the anchor GitHub gives a heading.
func Slug(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// withoutCode returns md without its fenced code blocks, whose lines are
// neither headings nor links.
func withoutCode(md string) string {
	var out []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		if _, info, ok := fence(line); ok && (!in || info == "") {
			in = !in
			continue
		}
		if !in {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
