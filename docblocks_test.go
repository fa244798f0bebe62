package uploadsign_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDocs compiles the Go code blocks of the module's Markdown documents
// (README.md and docs/*.md), and runs those that are test files, so that
// the code a reader copies builds against the module as it is.
//
// A block is a fenced code block whose info string is "go". It becomes Go
// source by these rules:
//
//   - A block whose first line that is not a comment starts with "package"
//     is a file as it stands. A file of a package whose name ends in
//     "_test" is a test file, and its tests run.
//   - A block that parses as top-level declarations (funcs, types, vars,
//     consts) is that.
//   - Any other block is the body of a function. The names it declares
//     need not be used: a fragment shows part of a program.
//
// A block that is not a whole file gets an import of each package it names
// (blockImports), and blockPrelude: the application's own names that the
// documents take as given, such as currentUser and db. Each block is a
// package of its own, so that two blocks may declare the same names.
// Errors name the Markdown file and line, through //line directives.

// docBlock is one Go code block of a Markdown document.
type docBlock struct {
	File string // the document, as errors name it (README.md, docs/sets.md)
	Line int    // the line of the block's first line of code, from 1
	Code string
}

// extractBlocks returns the Go code blocks of the Markdown document md, named
// file in errors. A fence may be indented (in a list item); its
// indentation is removed from the lines of its block.
func extractBlocks(file string, md []byte) []docBlock {
	var blocks []docBlock
	lines := strings.Split(string(md), "\n")
	for i := 0; i < len(lines); i++ {
		indent, info, ok := mdFence(lines[i])
		if !ok {
			continue
		}
		start := i + 1
		var code []string
		for i++; i < len(lines); i++ {
			if _, rest, ok := mdFence(lines[i]); ok && rest == "" {
				break
			}
			code = append(code, strings.TrimPrefix(lines[i], indent))
		}
		if info == "go" {
			blocks = append(blocks, docBlock{File: file, Line: start + 1, Code: strings.Join(code, "\n") + "\n"})
		}
	}
	return blocks
}

// mdFence reports whether line opens or closes a fenced code block, with
// its indentation and info string.
func mdFence(line string) (indent, info string, ok bool) {
	rest := strings.TrimLeft(line, " ")
	indent = line[:len(line)-len(rest)]
	if len(indent) > 3 || !strings.HasPrefix(rest, "```") {
		return "", "", false
	}
	return indent, strings.TrimSpace(strings.TrimLeft(rest, "`")), true
}

// blockKind is how a block becomes Go source.
type blockKind int

// The kinds of blocks.
const (
	kindStatements   blockKind = iota // the body of a function
	kindDeclarations                  // top-level declarations
	kindFile                          // a Go file as it stands
	kindTestFile                      // a Go file of a _test package, whose tests run
)

var packageClause = regexp.MustCompile(`^package\s+(\w+)`)

// kindOf says how the block code becomes Go source, and for a file, its
// package's name.
func kindOf(code string) (blockKind, string) {
	for _, line := range strings.Split(code, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		if m := packageClause.FindStringSubmatch(line); m != nil {
			if strings.HasSuffix(m[1], "_test") {
				return kindTestFile, m[1]
			}
			return kindFile, m[1]
		}
		break
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "", "package doc\n"+code, 0); err == nil {
		return kindDeclarations, ""
	}
	return kindStatements, ""
}

// blockImports maps the package names blocks may use to their import paths.
var blockImports = map[string]string{
	"bytes": "bytes", "context": "context", "errors": "errors", "expvar": "expvar", "fmt": "fmt",
	"io": "io", "json": "encoding/json", "log": "log", "slog": "log/slog", "http": "net/http",
	"httptest": "net/http/httptest", "url": "net/url", "os": "os", "strconv": "strconv",
	"strings": "strings", "sync": "sync", "time": "time",
	"uploadsign":     "github.com/uploadsign/uploadsign",
	"uploadsignhttp": "github.com/uploadsign/uploadsign/uploadsignhttp",
	"uploadsigntest": "github.com/uploadsign/uploadsign/uploadsigntest",
}

// importsOf returns the import paths of the packages code names (a name
// of blockImports followed by "."), sorted.
func importsOf(code string) []string {
	var s scanner.Scanner
	src := []byte(code)
	s.Init(token.NewFileSet().AddFile("", -1, len(src)), src, nil, 0)
	var paths []string
	prev, prevLit := token.ILLEGAL, ""
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.PERIOD && prev == token.IDENT {
			if path, ok := blockImports[prevLit]; ok && !slices.Contains(paths, path) {
				paths = append(paths, path)
			}
		}
		if tok == token.IDENT && prev == token.PERIOD {
			tok = token.ILLEGAL // a selector's field, not a package name
		}
		prev, prevLit = tok, lit
	}
	slices.Sort(paths)
	return paths
}

// blockSource returns the Go source of block b, a file of package pkg, and its
// kind.
func blockSource(b docBlock) (src []byte, pkg string, kind blockKind, err error) {
	kind, pkg = kindOf(b.Code)
	line := fmt.Sprintf("//line %s:%d\n", b.File, b.Line)
	if kind == kindFile || kind == kindTestFile {
		return []byte(line + b.Code), pkg, kind, nil
	}
	var buf bytes.Buffer
	buf.WriteString("package doc\n\n")
	for _, path := range importsOf(b.Code) {
		fmt.Fprintf(&buf, "import %q\n", path)
	}
	if kind == kindDeclarations {
		buf.WriteString("\n" + line + b.Code)
		return buf.Bytes(), "doc", kind, nil
	}
	buf.WriteString("\nfunc _() {\n" + line + b.Code + "}\n")
	src, err = allowUnused(buf.Bytes())
	return src, "doc", kind, err
}

// formatted returns the block's code as gofmt writes it, and whether it
// is written so.
func formatted(b docBlock) (string, bool) {
	kind, _ := kindOf(b.Code)
	src, prefix, indent := b.Code, "", ""
	switch kind {
	case kindDeclarations:
		prefix = "package doc\n\n"
	case kindStatements:
		prefix, indent = "package doc\n\nfunc _() {\n", "\t"
	}
	if indent != "" {
		lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
		for i, l := range lines {
			if l != "" {
				lines[i] = indent + l
			}
		}
		src = strings.Join(lines, "\n") + "\n}\n"
	}
	out, err := format.Source([]byte(prefix + src))
	if err != nil {
		return err.Error(), false
	}
	return string(out), string(out) == prefix+src
}

// allowUnused adds "_ = &name" after each statement of src that declares
// name with := or var, so that a fragment need not use what it declares
// (the address, so that go vet sees no copy of a lock).
func allowUnused(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, 0)
	if err != nil {
		return nil, err
	}
	type insert struct {
		at   int
		text string
	}
	var inserts []insert
	visit := func(list []ast.Stmt) {
		for _, st := range list {
			var names []string
			switch st := st.(type) {
			case *ast.AssignStmt:
				if st.Tok == token.DEFINE {
					for _, e := range st.Lhs {
						if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
							names = append(names, id.Name)
						}
					}
				}
			case *ast.DeclStmt:
				if gd, ok := st.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
					for _, spec := range gd.Specs {
						for _, id := range spec.(*ast.ValueSpec).Names {
							if id.Name != "_" {
								names = append(names, id.Name)
							}
						}
					}
				}
			}
			if len(names) > 0 {
				text := "; " + strings.Repeat("_, ", len(names)-1) + "_ = &" + strings.Join(names, ", &")
				inserts = append(inserts, insert{fset.Position(st.End()).Offset, text})
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			visit(n.List)
		case *ast.CaseClause:
			visit(n.Body)
		case *ast.CommClause:
			visit(n.Body)
		}
		return true
	})
	slices.SortFunc(inserts, func(a, b insert) int { return b.at - a.at })
	for _, in := range inserts {
		src = slices.Insert(slices.Clip(src), in.at, []byte(in.text)...)
	}
	return src, nil
}

// blockResult is what the go command said of the blocks.
type blockResult struct {
	Packages        []string // each block's import path, in order
	Vet, Test       []byte   // the output of go vet, and of go test
	VetErr, TestErr error    // set when go vet, or go test, failed
}

// checkBlocks writes each block as a package of its own in a module under dir
// that requires the module at root (a replace directive), with the
// blockPrelude beside every block that is not a whole file; runs go vet on
// them all, then go test on the test files, each with the build flags
// given (such as -race, so that the go command reuses the packages the
// calling test was built with).
func checkBlocks(root, dir string, blocks []docBlock, flags ...string) (*blockResult, error) {
	gomod := fmt.Sprintf("module doctest.example\n\ngo 1.24\n\nrequire github.com/uploadsign/uploadsign v0.0.0\n\nreplace github.com/uploadsign/uploadsign => %s\n", root)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return nil, err
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		return nil, err
	}
	var r blockResult
	var tests []string
	for i, b := range blocks {
		src, pkg, kind, err := blockSource(b)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", b.File, b.Line, err)
		}
		name := fmt.Sprintf("b%03d", i)
		r.Packages = append(r.Packages, "doctest.example/"+name)
		files := map[string][]byte{"block.go": src}
		switch kind {
		case kindStatements, kindDeclarations:
			files["prelude.go"] = []byte(blockPrelude)
		case kindTestFile:
			files = map[string][]byte{"block_test.go": src, "doc.go": []byte("package " + strings.TrimSuffix(pkg, "_test") + "\n")}
			tests = append(tests, "./"+name)
		}
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			return nil, err
		}
		for file, src := range files {
			if err := os.WriteFile(filepath.Join(dir, name, file), src, 0o644); err != nil {
				return nil, err
			}
		}
	}
	r.Vet, r.VetErr = goCommand(dir, slices.Concat([]string{"vet"}, flags, []string{"./..."})...)
	if len(tests) > 0 {
		r.Test, r.TestErr = goCommand(dir, slices.Concat([]string{"test", "-count=1"}, flags, tests)...)
	}
	return &r, nil
}

// goCommand runs the go command in dir, offline: the module's
// requirements are in its go.sum.
func goCommand(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOPROXY=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil {
		err = fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return out, err
}

func TestExtractBlocks(t *testing.T) {
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
	want := []docBlock{
		{File: "x.md", Line: 3, Code: "x := 1\n"},
		{File: "x.md", Line: 11, Code: "f(func() {\n\t_ = 1\n})\n"},
		{File: "x.md", Line: 19, Code: "s := \"```\"\n"},
	}
	if diff := cmp.Diff(want, extractBlocks("x.md", []byte(md))); diff != "" {
		t.Errorf("Extract (-want +got):\n%s", diff)
	}
}

func TestBlockKind(t *testing.T) {
	tests := []struct {
		name, code string
		kind       blockKind
		pkg        string
	}{
		{"file", "package main\n\nfunc main() {}\n", kindFile, "main"},
		{"file after a comment", "// Command x.\npackage main\n", kindFile, "main"},
		{"test file", "package app_test\n\nimport \"testing\"\n", kindTestFile, "app_test"},
		{"declarations", "func f() {}\n\ntype T int\n", kindDeclarations, ""},
		{"a var, then statements", "var m sync.Map\nx := 1\n", kindStatements, ""},
		{"statements", "signer, err := uploadsign.New(\"a\", \"b\", \"c\")\n", kindStatements, ""},
		{"a comment, then statements", "// the hook\nf()\n", kindStatements, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, pkg := kindOf(tt.code)
			if kind != tt.kind || pkg != tt.pkg {
				t.Errorf("kindOf = %v, %q; want %v, %q", kind, pkg, tt.kind, tt.pkg)
			}
		})
	}
}

func TestBlockImports(t *testing.T) {
	tests := []struct {
		name, code string
		want       []string
	}{
		{"packages named", "s, _ := uploadsign.New(os.Getenv(\"X\"))\nhttp.Handle(\"/\", nil)\n",
			[]string{"github.com/uploadsign/uploadsign", "net/http", "os"}},
		{"each once, sorted", "log.Print(1)\nlog.Print(2)\nfmt.Print(3)\n", []string{"fmt", "log"}},
		{"a field named like a package", "x := r.http.Get\ny := a.b.log\n", nil},
		{"comments and strings", "// log.Print(x)\ns := \"fmt.Sprint\"\n", nil},
		{"a package not in blockImports", "foo.Bar()\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, importsOf(tt.code)); diff != "" {
				t.Errorf("importsOf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBlockSource(t *testing.T) {
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
			src, _, _, err := blockSource(docBlock{File: "d.md", Line: 4, Code: tt.code})
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

func TestBlockFormatted(t *testing.T) {
	tests := []struct {
		name, code string
		ok         bool
	}{
		{"statements", "x := f(1)\nif x {\n\tg()\n}\n", true},
		{"statements, unformatted", "x:=f(1)\n", false},
		{"statements, comments unaligned", "s := T{\n\tA:  1, // a\n\tBb: 2, // b\n}\n", true},
		{"statements, comments misaligned", "s := T{\n\tA:  1, // a\n\tBb: 2,   // b\n}\n", false},
		{"declarations", "func f() {}\n", true},
		{"declarations, unformatted", "func f()  {}\n", false},
		{"file", "package main\n\nfunc main() {}\n", true},
		{"file, unformatted", "package main\nfunc main() {\n}\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := formatted(docBlock{Code: tt.code}); ok != tt.ok {
				t.Errorf("formatted = %v, want %v; gofmt writes:\n%s", ok, tt.ok, got)
			}
		})
	}
}
