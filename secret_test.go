package uploadsign

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSecretNeverPrinted(t *testing.T) {
	const secret, previous = "TOP-SECRET-do-not-print", "PREVIOUS-secret-do-not-print"
	opt := WithPreviousKey("999999999999999", previous)
	s := newSigner(t, secret, WithParamSets(avatarSets()...), opt)
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%p"} {
		outputs = append(outputs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, *s), fmt.Sprintf(verb, opt),
			fmt.Sprintf(verb, struct{ s *Signer }{s})) // fmt reads an unexported field without its methods
	}
	outputs = append(outputs, fmt.Sprint(s), fmt.Sprintln(*s), s.String(),
		fmt.Sprintf("%v", reflect.ValueOf(*s)), fmt.Sprintf("%+v", reflect.ValueOf(s).Elem()))
	other := newSigner(t, "another-secret", WithParamSets(avatarSets()...))
	outputs = append(outputs, cmp.Diff(s, other, cmp.AllowUnexported(Signer{}, compiledSet{}, field{}, key{}, shape{}, segment{}, ownerSlot{}), cmpopts.IgnoreFields(Signer{}, "now")))
	for _, v := range []any{s, *s, struct{ S *Signer }{s}} {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(data))
	}
	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		slog.New(h).Info("signer", "signer", s, "value", *s, "option", opt, "field", struct{ s *Signer }{s})
	}
	outputs = append(outputs, logs.String())
	p, err := s.Sign("avatar", 1, Request{Params: Params{Tags: []string{"x"}}})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(answer))
	for _, call := range []error{
		func() error { _, err := s.Sign("nope", 1, Request{}); return err }(),
		func() error { _, err := s.Sign("avatar", 1, Request{Params: Params{Folder: "x"}}); return err }(),
		s.VerifyUploadResult("x", 1, "00"),
		func() error { _, err := s.VerifyNotification([]byte("{}"), "x", "00"); return err }(),
	} {
		outputs = append(outputs, call.Error())
	}
	for _, out := range outputs {
		if strings.Contains(out, secret) || strings.Contains(strings.ToLower(out), strings.ToLower(fmt.Sprintf("%x", secret))) ||
			strings.Contains(out, previous) || strings.Contains(strings.ToLower(out), strings.ToLower(fmt.Sprintf("%x", previous))) {
			t.Errorf("output shows the secret: %s", out)
		}
	}
	if !strings.Contains(s.String(), "[redacted]") || !strings.Contains(s.String(), testKey) {
		t.Errorf("String() = %q, want the API key and [redacted]", s)
	}
}
