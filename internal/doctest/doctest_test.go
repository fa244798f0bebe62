package doctest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExtract(t *testing.T) {
	md := strings.Join([]string{
		"# Title",       // 1
		"```go",         // 2
		"x := 1",        // 3
		"```",           // 4
		"```js",         // 5
		"const y = 2;",  // 6
		"```",           // 7
		"1. A step:",    // 8
		"",              // 9
		"   ```go",      // 10
		"   f(func() {", // 11
		"   \t_ = 1",    // 12
		"   })",         // 13
		"   ```",        // 14
		"```",           // 15: a block without info string
		"```go",         // 16: inside it, not a Go block
		"```",           // 17
		"````go",        // 18
		"s := \"```\"",  // 19: a closing fence needs nothing after it
		"````",          // 20
		"    ```go",     // 21: indented four spaces: code, not a fence
		"```Go",         // 22: not "go"
		"```",           // 23
	}, "\n")
	want := []Block{
		{File: "x.md", Line: 3, Code: "x := 1\n"},
		{File: "x.md", Line: 11, Code: "f(func() {\n\t_ = 1\n})\n"},
		{File: "x.md", Line: 19, Code: "s := \"```\"\n"},
	}
	if diff := cmp.Diff(want, Extract("x.md", []byte(md))); diff != "" {
		t.Errorf("Extract (-want +got):\n%s", diff)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		name, code string
		kind       Kind
		pkg        string
	}{
		{"file", "package main\n\nfunc main() {}\n", File, "main"},
		{"file after a comment", "// Command x.\npackage main\n", File, "main"},
		{"test file", "package app_test\n\nimport \"testing\"\n", TestFile, "app_test"},
		{"declarations", "func f() {}\n\ntype T int\n", Declarations, ""},
		{"a var, then statements", "var m sync.Map\nx := 1\n", Statements, ""},
		{"statements", "signer, err := uploadsign.New(\"a\", \"b\", \"c\")\n", Statements, ""},
		{"a comment, then statements", "// the hook\nf()\n", Statements, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, pkg := KindOf(tt.code)
			if kind != tt.kind || pkg != tt.pkg {
				t.Errorf("KindOf = %v, %q; want %v, %q", kind, pkg, tt.kind, tt.pkg)
			}
		})
	}
}

func TestImportsOf(t *testing.T) {
	tests := []struct {
		name, code string
		want       []string
	}{
		{"packages named", "s, _ := uploadsign.New(os.Getenv(\"X\"))\nhttp.Handle(\"/\", nil)\n",
			[]string{"github.com/uploadsign/uploadsign", "net/http", "os"}},
		{"each once, sorted", "log.Print(1)\nlog.Print(2)\nfmt.Print(3)\n", []string{"fmt", "log"}},
		{"a field named like a package", "x := r.http.Get\ny := a.b.log\n", nil},
		{"comments and strings", "// log.Print(x)\ns := \"fmt.Sprint\"\n", nil},
		{"a package not in Imports", "foo.Bar()\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, importsOf(tt.code)); diff != "" {
				t.Errorf("importsOf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSource(t *testing.T) {
	tests := []struct {
		name string
		code string
		want []string // in the source, in this order
	}{
		{"statements: imports, a function, unused names used",
			"a, err := uploadsign.New(\"x\", \"y\", \"z\") // c\nvar b, _ int\nif true {\n\tc := 1\n}\n",
			[]string{"package doc\n", "import \"github.com/uploadsign/uploadsign\"\n", "func _() {\n//line d.md:4\n",
				"a, err := uploadsign.New(\"x\", \"y\", \"z\"); _, _ = &a, &err // c\n",
				"var b, _ int; _ = &b\n", "\tc := 1; _ = &c\n", "}\n"}},
		{"declarations: no function around them, names left as they are",
			"func f() {\n\tx := 1\n}\n",
			[]string{"package doc\n", "\n//line d.md:4\nfunc f() {\n\tx := 1\n}\n"}},
		{"a file as it stands",
			"package main\n\nfunc main() {}\n",
			[]string{"//line d.md:4\npackage main\n\nfunc main() {}\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, _, _, err := Source(Block{File: "d.md", Line: 4, Code: tt.code})
			if err != nil {
				t.Fatal(err)
			}
			rest := string(src)
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("source lacks %q after what came before:\n%s", w, src)
				}
				rest = rest[i+len(w):]
			}
		})
	}
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
	if diff := cmp.Diff(want, BrokenLinks(read, "README.md", []byte(md))); diff != "" {
		t.Errorf("BrokenLinks (-want +got):\n%s", diff)
	}
	// From a guide, links are relative to its folder.
	if got := BrokenLinks(read, "docs/widget.md", []byte("[ok](sets.md) [bad](../sets.md)")); !cmp.Equal(got, []string{"../sets.md (no such file)"}) {
		t.Errorf("BrokenLinks from docs/: %q", got)
	}
}
