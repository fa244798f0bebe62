package uploadsign_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// publicPackages are the directories of the module's importable packages.
var publicPackages = []string{".", "uploadsignhttp", "uploadsigntest"}

// TestNoExportedTypeHasSecretField: no exported struct type of the public
// packages has a field for a secret, exported or not: secrets live only
// inside the hash functions New and NewServer build.
func TestNoExportedTypeHasSecretField(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range publicPackages {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				spec, ok := n.(*ast.TypeSpec)
				if !ok || !spec.Name.IsExported() {
					return true
				}
				st, ok := spec.Type.(*ast.StructType)
				if !ok {
					return true
				}
				for _, field := range st.Fields.List {
					for _, id := range field.Names {
						if strings.Contains(strings.ToLower(id.Name), "secret") {
							t.Errorf("%s: %s.%s holds a secret", fset.Position(id.Pos()), spec.Name.Name, id.Name)
						}
					}
				}
				return true
			})
		}
	}
}

// TestNoValueHoldsSecret walks everything reachable from the values the
// public packages hand out, unexported fields included, as a reflection
// printer would, and finds the secret in none.
func TestNoValueHoldsSecret(t *testing.T) {
	const secret, previous = "WALK-secret-0123456789", "WALK-previous-0123456789"
	now := time.Unix(1700000000, 0)
	fake := uploadsigntest.NewServer("demo", "123456789012345", secret, uploadsigntest.WithClock(func() time.Time { return now }))
	defer fake.Close()
	opt := uploadsign.WithPreviousKey("999999999999999", previous)
	s, err := uploadsign.New("demo", "123456789012345", secret, opt, uploadsign.WithUploadURL(fake.URL),
		uploadsign.WithClock(func() time.Time { return now }),
		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Sign("avatar", 1, uploadsign.Request{Params: uploadsign.Params{Tags: []string{"x"}}})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := uploadsigntest.Post(p.URL, p.Fields, "a.gif", gif1x1)
	if err != nil || answer.Status != 200 {
		t.Fatalf("upload: %v %v", answer, err)
	}
	auth := func(*http.Request) (uploadsign.Request, error) { return uploadsign.Request{}, nil }
	values := map[string]any{
		"Signer":          s,
		"Option":          opt,
		"Payload":         p,
		"Server":          fake,
		"Server.Uploads":  fake.Uploads(),
		"NewHandler":      uploadsignhttp.NewHandler(s, auth, uploadsignhttp.Sets("avatar")),
		"ProposalHandler": uploadsignhttp.NewProposalHandler(s, "avatar", 1, auth),
	}
	fake.Close() // the walk reads what the server's goroutines write
	for name, v := range values {
		if path := findString(reflect.ValueOf(v), []string{secret, previous}, name, map[uintptr]bool{}); path != "" {
			t.Errorf("%s holds a secret", path)
		}
	}
	// The walker finds a secret where there is one.
	if path := findString(reflect.ValueOf(struct{ s []string }{[]string{"a", "x" + secret}}), []string{secret}, "planted", map[uintptr]bool{}); path != "planted.s[1]" {
		t.Errorf("the walker missed a planted secret: %q", path)
	}
}

// findString returns the path to a string or byte slice reachable from v
// that contains one of secrets, or "". Functions are opaque, as they are
// to every printer.
func findString(v reflect.Value, secrets []string, path string, seen map[uintptr]bool) string {
	holds := func(s string) bool {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				return true
			}
		}
		return false
	}
	switch v.Kind() {
	case reflect.String:
		if holds(v.String()) {
			return path
		}
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		if v.Kind() == reflect.Pointer {
			if seen[v.Pointer()] {
				return ""
			}
			seen[v.Pointer()] = true
		}
		return findString(v.Elem(), secrets, path, seen)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if p := findString(v.Field(i), secrets, path+"."+v.Type().Field(i).Name, seen); p != "" {
				return p
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			if holds(string(v.Bytes())) {
				return path
			}
			return ""
		}
		for i := 0; i < v.Len(); i++ {
			if p := findString(v.Index(i), secrets, path+"["+strconv.Itoa(i)+"]", seen); p != "" {
				return p
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if p := findString(it.Key(), secrets, path+"{key}", seen); p != "" {
				return p
			}
			if p := findString(it.Value(), secrets, path+"{value}", seen); p != "" {
				return p
			}
		}
	}
	return ""
}
