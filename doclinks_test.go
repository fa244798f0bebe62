package uploadsign_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"path"
	"regexp"
	"strings"
	"unicode"
)

// mdLink matches a Markdown link's target: ](target).
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// mdHeading matches an ATX heading's text.
var mdHeading = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*#*\s*$`)

// brokenLinks returns the relative links of the Markdown document md,
// at path file from the repository's root, whose target read cannot read,
// or whose #anchor is none of the target's headings as GitHub names them.
// Links with a scheme (https:, mailto:) are not checked.
func brokenLinks(read func(name string) ([]byte, error), file string, md []byte) []string {
	var broken []string
	for _, m := range mdLink.FindAllStringSubmatch(withoutCode(string(md)), -1) {
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
	for _, m := range mdHeading.FindAllStringSubmatch(withoutCode(string(md)), -1) {
		if headingSlug(m[1]) == anchor {
			return true
		}
	}
	return false
}

// headingSlug returns the anchor GitHub gives a heading.
func headingSlug(text string) string {
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
		if _, info, ok := mdFence(line); ok && (!in || info == "") {
			in = !in
			continue
		}
		if !in {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestBrokenLinks(t *testing.T) {
	files := map[string]string{
		"docs/sets.md": "# Parameter sets\n\n## Who may upload where: `{owner}`\n\n```md\n## Not a heading\n```\n",
	}
	read := func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("%s: no such file", name)
	}
	md := strings.Join([]string{
		"# Guide",
		"[ok](docs/sets.md) [ok](docs/sets.md#who-may-upload-where-owner) [ok](#guide-two)",
		"[bad](docs/nope.md) [bad](docs/sets.md#not-a-heading) [bad](#nope)",
		"[not checked](https://example.com/x.md#y) <https://example.com/>",
		"```",
		"[in code](docs/nope.md)",
		"```",
		"## Guide two",
	}, "\n")
	want := []string{"docs/nope.md (no such file)", "docs/sets.md#not-a-heading (no such heading)", "#nope (no such heading)"}
	if diff := cmp.Diff(want, brokenLinks(read, "README.md", []byte(md))); diff != "" {
		t.Errorf("brokenLinks (-want +got):\n%s", diff)
	}
	// From a guide, links are relative to its folder.
	if got := brokenLinks(read, "docs/widget.md", []byte("[ok](sets.md) [bad](../sets.md)")); !cmp.Equal(got, []string{"../sets.md (no such file)"}) {
		t.Errorf("brokenLinks from docs/: %q", got)
	}
}
