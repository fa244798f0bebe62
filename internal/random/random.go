// Package random makes the random identifiers of the fake endpoint and
// the demo, from crypto/rand.
package random

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// Alnum returns n random lower-case letters and digits, as Cloudinary
// writes its generated public_ids: crypto/rand.Text's base32 (a-z and
// 2-7, 5 random bits a character), lower-cased.
func Alnum(n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(strings.ToLower(rand.Text()))
	}
	return b.String()[:n]
}

// Hex returns n random bytes in lower-case hex, as Cloudinary writes its
// asset_id and version_id (16 bytes).
func Hex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails: it crashes the program irrecoverably instead
	return hex.EncodeToString(b)
}
