package uploadsign_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/uploadsign/uploadsign/internal/doctest"
)

// TestDocs compiles every Go block of README.md and docs/*.md against the
// module as it is, and runs those that are test files (internal/doctest
// says how a block becomes Go); their relative links must reach a file
// and a heading. In the same go vet run, a planted block
// that cannot compile must fail, naming its document and line, so that
// the check cannot pass by compiling nothing.
func TestDocs(t *testing.T) {
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []doctest.Block
	for _, name := range append([]string{"README.md"}, docs...) {
		md, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, doctest.Extract(filepath.ToSlash(name), md)...)
		if broken := doctest.BrokenLinks(os.ReadFile, filepath.ToSlash(name), md); len(broken) > 0 {
			t.Errorf("%s: broken links: %s", name, strings.Join(broken, ", "))
		}
	}
	if !hasBlockOf(blocks, "README.md") || len(docs) == 0 {
		t.Fatalf("found %d Go blocks in README.md and %d guides: the README's first screen has one", len(blocks), len(docs))
	}
	planted := doctest.Block{File: "planted.md", Line: 7, Code: "signer.NoSuchMethod()\n"}
	var flags []string
	if raceEnabled {
		flags = append(flags, "-race") // the packages this test was built with, cached
	}
	r, err := doctest.Check(root, t.TempDir(), append(blocks, planted), flags...)
	if err != nil {
		t.Fatal(err)
	}
	// The planted block fails, and nothing else.
	if r.VetErr == nil || !strings.Contains(string(r.Vet), "planted.md:7:") {
		t.Errorf("the planted block compiled, or its error does not name planted.md:7 (%v):\n%s", r.VetErr, r.Vet)
	}
	if bad := docErrors.FindAllString(string(r.Vet), -1); len(bad) > 0 {
		t.Errorf("Go blocks that do not compile (%s):\n%s", strings.Join(bad, ", "), r.Vet)
	}
	if r.TestErr != nil {
		t.Errorf("Go blocks whose tests fail (%v):\n%s", r.TestErr, r.Test)
	} else {
		t.Logf("go test of the blocks that are test files:\n%s", r.Test)
	}
}

// docErrors finds the positions of errors in the documents themselves.
var docErrors = regexp.MustCompile(`(README|docs/[\w-]+)\.md:\d+`)

func hasBlockOf(blocks []doctest.Block, file string) bool {
	for _, b := range blocks {
		if b.File == file {
			return true
		}
	}
	return false
}
