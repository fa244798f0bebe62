// Package keys holds API secrets where no printer can reach them: inside
// the functions of a Key, built once from the secret, which no field of
// any struct keeps.
package keys

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
	"io"
)

// Key is an API key with the only copies of its secret, captured by its
// functions.
type Key struct {
	APIKey string
	// Sum returns the hash of text followed by the secret, SHA-256 if
	// useSHA256 is set, else SHA-1 in the first 20 bytes. It writes the
	// secret into text's spare capacity (or a copy of text) and clears it
	// again.
	Sum func(useSHA256 bool, text []byte) [sha256.Size]byte
	// Misused returns the signatures of text made with the secret in the
	// wrong way m.
	Misused func(m Misuse, useSHA256 bool, text string) [][]byte
}

// Misuse is a wrong way of using the secret that people are known to sign
// with.
type Misuse int

// The misuses, in the order Explain tests them.
const (
	LineBreak Misuse = iota // a file or .env value read with its line break
	Spaces                  // spaces copied around the secret
	Quotes                  // a .env value kept in its quotes
	HMAC                    // HMAC keyed with the secret, instead of hash(text + secret)
	Misuses                 // the number of misuses
)

// New returns the Key of apiKey and secret.
func New(apiKey, secret string) Key {
	sum := func(useSHA256 bool, text []byte) (sum [sha256.Size]byte) {
		n := len(text)
		text = append(text, secret...)
		if useSHA256 {
			sum = sha256.Sum256(text)
		} else {
			sum1 := sha1.Sum(text)
			copy(sum[:], sum1[:])
		}
		clear(text[n:])
		return sum
	}
	misused := func(m Misuse, useSHA256 bool, text string) [][]byte {
		newHash := sha1.New
		if useSHA256 {
			newHash = sha256.New
		}
		if m == HMAC {
			h := hmac.New(newHash, []byte(secret))
			io.WriteString(h, text)
			return [][]byte{h.Sum(nil)}
		}
		var wrapped []string
		switch m {
		case LineBreak:
			wrapped = []string{secret + "\n", secret + "\r\n"}
		case Spaces:
			wrapped = []string{" " + secret, secret + " ", " " + secret + " "}
		case Quotes:
			wrapped = []string{`"` + secret + `"`, "'" + secret + "'"}
		}
		var sums [][]byte
		for _, w := range wrapped {
			var h hash.Hash = newHash()
			io.WriteString(h, text+w)
			sums = append(sums, h.Sum(nil))
		}
		return sums
	}
	return Key{APIKey: apiKey, Sum: sum, Misused: misused}
}
