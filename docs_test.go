package uploadsign_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocs compiles every Go block of README.md and docs/*.md against the
// module as it is, and runs those that are test files (docblocks_test.go
// says how a block becomes Go); the blocks must be as gofmt writes them,
// and relative links must reach a file and a heading. In the same go vet run, a planted block
// that cannot compile must fail, naming its document and line, so that
// the check cannot pass by compiling nothing.
func TestDocs(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("TestDocs compiles the docs' blocks with the go command, which is not on PATH: %v", err)
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []docBlock
	for _, name := range append([]string{"README.md"}, docs...) {
		md, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range extractBlocks(filepath.ToSlash(name), md) {
			if want, ok := formatted(b); !ok {
				t.Errorf("%s:%d: the block is not as gofmt writes it:\n%s", b.File, b.Line, want)
			}
			blocks = append(blocks, b)
		}
		if broken := brokenLinks(os.ReadFile, filepath.ToSlash(name), md); len(broken) > 0 {
			t.Errorf("%s: broken links: %s", name, strings.Join(broken, ", "))
		}
	}
	if !hasBlockOf(blocks, "README.md") || len(docs) == 0 {
		t.Fatalf("found %d Go blocks in README.md and %d guides: the README's first screen has one", len(blocks), len(docs))
	}
	planted := docBlock{File: "planted.md", Line: 7, Code: "signer.NoSuchMethod()\n"}
	var flags []string
	if raceEnabled {
		flags = append(flags, "-race") // the packages this test was built with, cached
	}
	r, err := checkBlocks(root, t.TempDir(), append(blocks, planted), flags...)
	if err != nil {
		t.Fatal(err)
	}
	// The planted block fails, and nothing else.
	if r.VetErr == nil || !strings.Contains(string(r.Vet), "planted.md:7:") {
		t.Errorf("the planted block compiled, or its error does not name planted.md:7 (%v):\n%s", r.VetErr, r.Vet)
	}
	bad := docErrors.FindAllString(string(r.Vet), -1)
	for _, m := range failedPackage.FindAllStringSubmatch(string(r.Vet), -1) {
		if m[1] != r.Packages[len(blocks)] {
			bad = append(bad, m[1])
		}
	}
	if len(bad) > 0 {
		t.Errorf("Go blocks that do not compile (%s):\n%s", strings.Join(bad, ", "), r.Vet)
	}
	if r.TestErr != nil {
		t.Errorf("Go blocks whose tests fail (%v):\n%s", r.TestErr, r.Test)
	} else {
		t.Logf("go test of the blocks that are test files:\n%s", r.Test)
	}
}

// docErrors finds the positions of errors in the documents themselves,
// and failedPackage the packages of which go vet reports errors.
var (
	docErrors     = regexp.MustCompile(`(README|docs/[\w-]+)\.md:\d+`)
	failedPackage = regexp.MustCompile(`(?m)^# (\S+)`)
)

func hasBlockOf(blocks []docBlock, file string) bool {
	for _, b := range blocks {
		if b.File == file {
			return true
		}
	}
	return false
}

// blockPrelude declares the application's own names that the documents' blocks
// take as given: its user and session lookup, its database, its router,
// and the values the README's first block makes (signer, authorize, save),
// which other blocks use. It is a file of package doc, beside each block
// that is not a whole file.
const blockPrelude = `package doc

import (
	"context"
	"errors"
	"net/http"

	"github.com/uploadsign/uploadsign"
)

// User is the application's user, as its session knows it.
type User struct {
	ID            string
	Admin, Banned bool
}

// currentUser is the application's session lookup.
func currentUser(r *http.Request) (*User, error) { return nil, errors.New("not logged in") }

// errSessionStoreDown is currentUser's error while the session store is down.
var errSessionStoreDown = errors.New("session store down")

// Store is the application's database.
type Store struct{}

// Save keeps the URL of a verified upload, for its set and owner.
func (*Store) Save(ctx context.Context, set, owner, url string) error { return nil }

var (
	db        = &Store{}
	mux       = http.NewServeMux()
	signer    *uploadsign.Signer
	authorize func(*http.Request) (uploadsign.Request, error)
	save      func(*http.Request, *uploadsign.Upload) error
	result    uploadsign.UploadResult // Cloudinary's answer to an upload, as the browser reports it
)
`

// TestHouseSizes keeps the package readable: go doc -all of it under 600
// lines, and no source file over 400.
func TestHouseSizes(t *testing.T) {
	out, err := exec.Command("go", "doc", "-all", ".").Output()
	if err != nil {
		t.Fatalf("go doc -all: %v", err)
	}
	if n := strings.Count(string(out), "\n"); n >= 600 {
		t.Errorf("go doc -all is %d lines, want under 600", n)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "\n"); n > 400 {
			t.Errorf("%s is %d lines, want at most 400", f, n)
		}
	}
}
