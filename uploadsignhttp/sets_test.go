package uploadsignhttp_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/uploadsignhttp"
)

// adminSigner holds an admin's set, fixing the home page's hero image,
// beside the users' sets.
func adminSigner(t *testing.T) *uploadsign.Signer {
	return newSigner(t, uploadsign.WithParamSets(
		uploadsign.ParamSet{Name: "hero", Version: 1, Params: uploadsign.Params{PublicID: "home/hero"}},
		uploadsign.ParamSet{Name: "documents", Version: 1, Params: uploadsign.Params{Folder: "docs"}},
		uploadsign.ParamSet{Name: "documents", Version: 2, Params: uploadsign.Params{Folder: "docs2"}}))
}

// tagOnly is a hook that looks only at the user, never at the set, as the
// hooks of docs/routes.md do.
func tagOnly(r *http.Request) (uploadsign.Request, error) {
	return uploadsign.Request{Params: uploadsign.Params{Tags: []string{"user_" + r.Header.Get("X-User")}}}, nil
}

// TestSetsKeepsOtherSetsOut: an endpoint signs only its own sets, and
// answers a request for another set of the Signer exactly as it answers
// an unknown set, naming only its own.
func TestSetsKeepsOtherSetsOut(t *testing.T) {
	s := adminSigner(t)
	documents := uploadsignhttp.NewHandler(s, tagOnly, uploadsignhttp.Sets("documents"))
	admin := uploadsignhttp.NewHandler(s, tagOnly, uploadsignhttp.Sets("hero"))
	both := uploadsignhttp.NewHandler(s, tagOnly, uploadsignhttp.Sets("hero"), uploadsignhttp.Sets("documents"))
	body := func(set string, version int) string {
		return fmt.Sprintf(`{"param_set":%q,"version":%d}`, set, version)
	}
	tests := []struct {
		name      string
		h         http.Handler
		body      string
		code      int
		want      string   // in the answer
		wantNotIn []string // never in the answer
	}{
		{"own set", documents, body("documents", 2), 200, `"folder":"docs2"`, nil},
		{"own set", documents, body("documents", 1), 200, `docs`, nil},
		{"admin's set", documents, body("hero", 1), 404, `unknown parameter set: \"hero\" (known sets: \"documents\")`, []string{"home/hero", "signature"}},
		{"unknown set", documents, body("nope", 1), 404, `unknown parameter set: \"nope\" (known sets: \"documents\")`, []string{"hero"}},
		{"own set, unknown version", documents, body("documents", 3), 404, `known versions: 1, 2`, []string{"hero"}},
		{"admin endpoint", admin, body("hero", 1), 200, `home/hero`, nil},
		{"admin endpoint, users' set", admin, body("documents", 1), 404, `(known sets: \"hero\")`, []string{"docs"}},
		{"repeated Sets add up", both, body("documents", 1), 200, `docs`, nil},
		{"repeated Sets add up", both, body("hero", 1), 200, `home/hero`, nil},
	}
	for _, tt := range tests {
		w := serve(tt.h, "POST", "application/json", "42", tt.body)
		got := w.Body.String()
		if w.Code != tt.code || !strings.Contains(got, tt.want) {
			t.Errorf("%s: %s: %d %s, want %d with %s", tt.name, tt.body, w.Code, got, tt.code, tt.want)
		}
		for _, leak := range tt.wantNotIn {
			if strings.Contains(got, leak) {
				t.Errorf("%s: %s: the answer shows %q: %s", tt.name, tt.body, leak, got)
			}
		}
	}
	// A foreign set answers byte for byte as an unknown one does, but for
	// the name.
	foreign := serve(documents, "POST", "application/json", "42", body("hero", 1))
	unknown := serve(documents, "POST", "application/json", "42", body("xxxx", 1))
	if strings.Replace(foreign.Body.String(), "hero", "xxxx", 1) != unknown.Body.String() || foreign.Code != unknown.Code {
		t.Errorf("a foreign set %d %s, an unknown one %d %s", foreign.Code, foreign.Body, unknown.Code, unknown.Body)
	}
}

// TestHandlersRefuseToBeMisconfigured: a handler that could sign a set it
// was not meant for, or none at all, panics when it is made, naming the
// sets, as http.ServeMux panics on a bad pattern.
func TestHandlersRefuseToBeMisconfigured(t *testing.T) {
	s := adminSigner(t)
	save := func(*http.Request, *uploadsign.Upload) error { return nil }
	handle := func(*http.Request, *uploadsign.Notification) error { return nil }
	onSigned := uploadsignhttp.OnSigned(func(*http.Request, *uploadsign.Payload) {})
	one := newSigner(t)
	tests := []struct {
		name string
		make func()
		want string // in the panic
	}{
		{"NewHandler without Sets, several sets", func() { uploadsignhttp.NewHandler(s, tagOnly) }, `"documents", "hero"`},
		{"Sets naming an unknown set", func() { uploadsignhttp.NewHandler(s, tagOnly, uploadsignhttp.Sets("documents", "banner")) }, `"banner"`},
		{"Sets naming nothing", func() { uploadsignhttp.NewHandler(s, tagOnly, uploadsignhttp.Sets()) }, "no parameter set"},
		{"proposal handler, unknown set", func() { uploadsignhttp.NewProposalHandler(s, "banner", 1, tagOnly) }, `"banner"`},
		{"proposal handler, unknown version", func() { uploadsignhttp.NewProposalHandler(s, "documents", 9, tagOnly) }, "known versions: 1, 2"},
		{"proposal handler, no sets", func() { uploadsignhttp.NewProposalHandler(newSigner(t, uploadsign.WithParamSets()), "x", 1, tagOnly) }, `"x"`},
		{"proposal handler with Sets", func() { uploadsignhttp.NewProposalHandler(s, "hero", 1, tagOnly, uploadsignhttp.Sets("hero")) }, "Sets"},
		{"report handler without Sets, several sets", func() { uploadsignhttp.NewReportHandler(s, tagOnly, save) }, `"documents", "hero"`},
		{"report handler with OnSigned", func() { uploadsignhttp.NewReportHandler(s, tagOnly, save, uploadsignhttp.Sets("hero"), onSigned) }, "OnSigned"},
		{"notification handler with Sets", func() { uploadsignhttp.NewNotificationHandler(s, handle, uploadsignhttp.Sets("hero")) }, "Sets"},
		{"notification handler with OnSigned", func() { uploadsignhttp.NewNotificationHandler(s, handle, onSigned) }, "OnSigned"},
		{"NewHandler destroying", func() {
			uploadsignhttp.NewHandler(s, tagOnly, uploadsignhttp.Sets("hero"), uploadsignhttp.WithDestroyViolations())
		}, "WithDestroyViolations"},
		{"report handler without save", func() { uploadsignhttp.NewReportHandler(s, tagOnly, nil, uploadsignhttp.Sets("hero")) }, "save"},
		{"notification handler without handle", func() { uploadsignhttp.NewNotificationHandler(s, nil) }, "handle"},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				r := recover()
				if msg := fmt.Sprint(r); r == nil || !strings.Contains(msg, tt.want) || strings.Contains(msg, secret) {
					t.Errorf("%s: panic %v, want one naming %s", tt.name, r, tt.want)
				}
			}()
			tt.make()
		}()
	}
	// A Signer with one set name needs no Sets.
	if w := serve(uploadsignhttp.NewHandler(one, userAuth), "POST", "application/json", "42", `{"param_set":"avatar","version":2}`); w.Code != 200 {
		t.Errorf("one set, no Sets: %d %s", w.Code, w.Body)
	}
}
