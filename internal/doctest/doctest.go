// Package doctest compiles the Go code blocks of the module's Markdown
// documents (README.md and docs/*.md), and runs those that are test
// files, so that the code a reader copies builds against the module as it
// is.
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
// (see [Imports]), and the [Prelude]: the application's own names that
// the documents take as given, such as currentUser and db. Each block is a
// package of its own, so that two blocks may declare the same names.
// Errors name the Markdown file and line, through //line directives.
package doctest

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Block is one Go code block of a Markdown document.
type Block struct {
	File string // the document, as errors name it (README.md, docs/sets.md)
	Line int    // the line of the block's first line of code, from 1
	Code string
}

// Extract returns the Go code blocks of the Markdown document md, named
// file in errors. A fence may be indented (in a list item); its
// indentation is removed from the lines of its block.
func Extract(file string, md []byte) []Block {
	var blocks []Block
	lines := strings.Split(string(md), "\n")
	for i := 0; i < len(lines); i++ {
		indent, info, ok := fence(lines[i])
		if !ok {
			continue
		}
		start := i + 1
		var code []string
		for i++; i < len(lines); i++ {
			if _, rest, ok := fence(lines[i]); ok && rest == "" {
				break
			}
			code = append(code, strings.TrimPrefix(lines[i], indent))
		}
		if info == "go" {
			blocks = append(blocks, Block{File: file, Line: start + 1, Code: strings.Join(code, "\n") + "\n"})
		}
	}
	return blocks
}

// fence reports whether line opens or closes a fenced code block, with
// its indentation and info string.
func fence(line string) (indent, info string, ok bool) {
	rest := strings.TrimLeft(line, " ")
	indent = line[:len(line)-len(rest)]
	if len(indent) > 3 || !strings.HasPrefix(rest, "```") {
		return "", "", false
	}
	return indent, strings.TrimSpace(strings.TrimLeft(rest, "`")), true
}

// Kind is how a block becomes Go source.
type Kind int

// The kinds of blocks.
const (
	Statements   Kind = iota // the body of a function
	Declarations             // top-level declarations
	File                     // a Go file as it stands
	TestFile                 // a Go file of a _test package, whose tests run
)

var packageClause = regexp.MustCompile(`^package\s+(\w+)`)

// KindOf says how the block code becomes Go source, and for a file, its
// package's name.
func KindOf(code string) (Kind, string) {
	for _, line := range strings.Split(code, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		if m := packageClause.FindStringSubmatch(line); m != nil {
			if strings.HasSuffix(m[1], "_test") {
				return TestFile, m[1]
			}
			return File, m[1]
		}
		break
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "", "package doc\n"+code, 0); err == nil {
		return Declarations, ""
	}
	return Statements, ""
}

// Imports maps the package names blocks may use to their import paths.
var Imports = map[string]string{
	"bytes": "bytes", "context": "context", "errors": "errors", "expvar": "expvar", "fmt": "fmt",
	"io": "io", "json": "encoding/json", "log": "log", "slog": "log/slog", "http": "net/http",
	"httptest": "net/http/httptest", "url": "net/url", "os": "os", "strconv": "strconv",
	"strings": "strings", "sync": "sync", "time": "time",
	"uploadsign":     "github.com/uploadsign/uploadsign",
	"uploadsignhttp": "github.com/uploadsign/uploadsign/uploadsignhttp",
	"uploadsigntest": "github.com/uploadsign/uploadsign/uploadsigntest",
}

// importsOf returns the import paths of the packages code names (a name
// of Imports followed by "."), sorted.
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
			if path, ok := Imports[prevLit]; ok && !slices.Contains(paths, path) {
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

// Source returns the Go source of block b, a file of package pkg, and its
// kind.
func Source(b Block) (src []byte, pkg string, kind Kind, err error) {
	kind, pkg = KindOf(b.Code)
	line := fmt.Sprintf("//line %s:%d\n", b.File, b.Line)
	if kind == File || kind == TestFile {
		return []byte(line + b.Code), pkg, kind, nil
	}
	var buf bytes.Buffer
	buf.WriteString("package doc\n\n")
	for _, path := range importsOf(b.Code) {
		fmt.Fprintf(&buf, "import %q\n", path)
	}
	if kind == Declarations {
		buf.WriteString("\n" + line + b.Code)
		return buf.Bytes(), "doc", kind, nil
	}
	buf.WriteString("\nfunc _() {\n" + line + b.Code + "}\n")
	src, err = allowUnused(buf.Bytes())
	return src, "doc", kind, err
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

// Result is what the go command said of the blocks.
type Result struct {
	Vet, Test       []byte // the output of go vet, and of go test
	VetErr, TestErr error  // set when go vet, or go test, failed
}

// Check writes each block as a package of its own in a module under dir
// that requires the module at root (a replace directive), with the
// Prelude beside every block that is not a whole file; runs go vet on
// them all, then go test on the test files, each with the build flags
// given (such as -race, so that the go command reuses the packages the
// calling test was built with).
func Check(root, dir string, blocks []Block, flags ...string) (*Result, error) {
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
	var tests []string
	for i, b := range blocks {
		src, pkg, kind, err := Source(b)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", b.File, b.Line, err)
		}
		name := fmt.Sprintf("b%03d", i)
		files := map[string][]byte{"block.go": src}
		switch kind {
		case Statements, Declarations:
			files["prelude.go"] = []byte(Prelude)
		case TestFile:
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
	var r Result
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
