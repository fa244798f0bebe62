package uploadsign

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"sync"
)

// key is an API key with the only copy of its secret, held by its hash
// function: no field of any struct keeps the secret, so no printer (fmt,
// go-cmp, spew, slog) can reach it.
type key struct {
	apiKey string
	// sum returns the hash of text followed by the secret as w uses it
	// (the zero wrapping: as it is), SHA-256 if useSHA256 is set, else
	// SHA-1 in the first 20 bytes. It may write into text's spare
	// capacity, and clears what it wrote.
	sum func(useSHA256 bool, text []byte, w wrapping) [sha256.Size]byte
}

// wrapping is a way of using the secret: the right one (the zero value),
// or a wrong one that people are known to sign with (see Explain).
type wrapping struct {
	before, after string // written around the secret
	hmac          bool   // an HMAC keyed with the secret, not hash(text + secret)
}

// newKey returns the key of apiKey and secret.
func newKey(apiKey, secret string) key {
	return key{apiKey: apiKey, sum: func(useSHA256 bool, text []byte, w wrapping) (sum [sha256.Size]byte) {
		if w == (wrapping{}) { // signing: no allocation
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
		newHash := sha1.New
		if useSHA256 {
			newHash = sha256.New
		}
		var h hash.Hash
		if w.hmac {
			h = hmac.New(newHash, []byte(secret))
			h.Write(text)
		} else {
			h = newHash()
			h.Write(text)
			h.Write([]byte(w.before + secret + w.after))
		}
		copy(sum[:], h.Sum(nil))
		return sum
	}}
}

// textPool holds buffers for the text to hash. A key's hash function is
// called through a func value, so the compiler cannot tell that the text
// does not escape, and would move a stack buffer to the heap on every call;
// pooled buffers are on the heap already.
var textPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getText() *[]byte { return textPool.Get().(*[]byte) }

// putText returns a buffer to the pool, unless it grew large.
func putText(p *[]byte) {
	if cap(*p) <= 64<<10 {
		textPool.Put(p)
	}
}

// makeKeys returns the keys of a Signer, the current one first, refusing
// a previous key that WithPreviousKey found malformed or that repeats an
// API key.
func makeKeys(current key, previous []previousKey) ([]key, error) {
	list := []key{current}
	for i, k := range previous {
		what := fmt.Sprintf("WithPreviousKey: key %d", i+1)
		if k.err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalidConfig, what, k.err)
		}
		for _, have := range list {
			if have.apiKey == k.key.apiKey {
				return nil, fmt.Errorf("%w: %s: API key %q is given twice", ErrInvalidConfig, what, k.key.apiKey)
			}
		}
		list = append(list, k.key)
	}
	return list, nil
}

// candidates returns the keys whose secret may have signed something that
// names apiKey: that key if it is one of the Signer's, else all of them.
func (s *Signer) candidates(apiKey string) []key {
	for i, k := range s.keys {
		if apiKey != "" && k.apiKey == apiKey {
			return s.keys[i : i+1]
		}
	}
	return s.keys
}
