// Package random makes the random identifiers of the library, its fake
// endpoint and its demo, from crypto/rand.
package random

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// Bytes returns n random bytes. It panics if crypto/rand fails, which it
// does not on supported platforms.
func Bytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("uploadsign: crypto/rand failed: " + err.Error())
	}
	return b
}

// Hex returns n random bytes in lower-case hex.
func Hex(n int) string { return hex.EncodeToString(Bytes(n)) }

// PublicID returns 128 random bits as 26 lower-case base32 letters and
// digits: a public_id nobody can guess.
func PublicID() string {
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(Bytes(16)))
}

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
