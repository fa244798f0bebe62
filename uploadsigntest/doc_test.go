package uploadsigntest_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestFidelityTable reads the package doc's fidelity table: every row
// says how the fake follows the rule (as Cloudinary does, differently, or
// not at all), and every "as Cloudinary does" names tests of this package
// that pin it.
func TestFidelityTable(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "// # Fidelity\n")
	if !ok {
		t.Fatal("doc.go has no # Fidelity section")
	}
	table, _, _ = strings.Cut(table, "package uploadsigntest")
	var rows []string
	for _, line := range strings.Split(table, "\n") {
		line = strings.TrimPrefix(line, "//")
		switch {
		case strings.HasPrefix(line, "   - "):
			rows = append(rows, strings.TrimPrefix(line, "   - "))
		case strings.HasPrefix(line, "     ") && len(rows) > 0:
			rows[len(rows)-1] += " " + strings.TrimSpace(line)
		}
	}
	if len(rows) < 20 {
		t.Fatalf("the table has %d rows", len(rows))
	}
	tests := testNames(t)
	pinned := regexp.MustCompile(`As Cloudinary does: ((?:Test\w+(?:, )?)+)\.`)
	for _, row := range rows {
		m := pinned.FindStringSubmatch(row)
		switch {
		case m != nil:
			for _, name := range strings.Split(m[1], ", ") {
				if !tests[name] {
					t.Errorf("the row %q names %s, which is not a test of this package", row, name)
				}
			}
		case strings.Contains(row, "As Cloudinary does"):
			t.Errorf("the row %q says as Cloudinary does without naming the tests that pin it", row)
		case !strings.Contains(row, "Differently: ") && !strings.Contains(row, "Not at all"):
			t.Errorf("the row %q says neither as Cloudinary does, differently nor not at all", row)
		}
	}
}

// testNames returns the names of the test functions of this directory.
func testNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	decl := regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		src, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			names[m[1]] = true
		}
	}
	return names
}
