package random

import (
	"strings"
	"testing"
)

func TestHex(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		h := Hex(16)
		if len(h) != 32 || strings.Trim(h, "0123456789abcdef") != "" || seen[h] {
			t.Fatalf("Hex(16) = %q (seen before: %v)", h, seen[h])
		}
		seen[h] = true
	}
}

func TestAlnum(t *testing.T) {
	all := ""
	for range 200 {
		a := Alnum(20)
		if len(a) != 20 || strings.Trim(a, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			t.Fatalf("Alnum(20) = %q", a)
		}
		all += a
	}
	// 4000 random characters use every one of the 36.
	for _, c := range "abcdefghijklmnopqrstuvwxyz0123456789" {
		if !strings.ContainsRune(all, c) {
			t.Errorf("%q never drawn", c)
		}
	}
}
