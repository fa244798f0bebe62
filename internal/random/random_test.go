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
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567" // crypto/rand.Text's, lower-cased
	all := ""
	for _, n := range []int{0, 1, 6, 20, 26, 27, 60} {
		if a := Alnum(n); len(a) != n {
			t.Errorf("Alnum(%d) has %d characters", n, len(a))
		}
	}
	seen := map[string]bool{}
	for range 200 {
		a := Alnum(20)
		if len(a) != 20 || strings.Trim(a, alphabet) != "" || seen[a] {
			t.Fatalf("Alnum(20) = %q (seen before: %v)", a, seen[a])
		}
		seen[a] = true
		all += a
	}
	// 4000 random characters use every one of the 32.
	for _, c := range alphabet {
		if !strings.ContainsRune(all, c) {
			t.Errorf("%q never drawn", c)
		}
	}
}
