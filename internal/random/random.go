// Package random makes the random identifiers of the fake endpoint and
// the demo, from crypto/rand.
package random

import (
	"crypto/rand"
	"encoding/hex"
)

// Bytes returns n random bytes.
func Bytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails: it crashes the program irrecoverably instead
	return b
}

// Hex returns n random bytes in lower-case hex.
func Hex(n int) string { return hex.EncodeToString(Bytes(n)) }

// Alnum returns n random lower-case ASCII letters and digits, as
// Cloudinary's generated public_ids are written.
func Alnum(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := Bytes(n)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
