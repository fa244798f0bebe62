package uploadsign

import (
	"bytes"
	"cmp"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
)

// VerifyUploadResult checks the signature Cloudinary returns with an
// upload result: the version-1 signature of public_id and version, by any
// of the Signer's keys, compared in constant time (hex in either case). It
// returns nil or an error wrapping [ErrInvalidSignature]. It proves only
// that Cloudinary made the result; [Signer.VerifyUploadOf] proves whose.
func (s *Signer) VerifyUploadResult(publicID string, version int64, signature string) error {
	return s.verifyResult(publicID, version, signature, "")
}

// urlDigest is the SHA-1 of a delivery URL's signed text and the current
// secret, whatever the Signer's algorithm: the SDKs' default for URLs.
func (s *Signer) urlDigest(toSign string) []byte {
	pooled := getText()
	defer putText(pooled)
	sum := s.keys[0].sum(false, append((*pooled)[:0], toSign...), wrapping{})
	return sum[:sha1.Size]
}

// verifyResult checks an upload result's signature with the key named
// apiKey if it is one of the Signer's, else with every key.
func (s *Signer) verifyResult(publicID string, version int64, signature, apiKey string) error {
	var vBuf [20]byte
	fields := [2]field{{"public_id", publicID}, {"version", string(strconv.AppendInt(vBuf[:0], version, 10))}}
	list := fields[:]
	if publicID == "" {
		list = fields[1:]
	}
	pooled := getText()
	defer putText(pooled)
	b := (*pooled)[:0]
	for i, f := range list {
		if i > 0 {
			b = append(b, '&')
		}
		b = appendPair(b, f.key, f.value, 1)
	}
	return s.compare("upload result", signature, s.candidates(apiKey), b)
}

// isJSONObject reports whether body is one valid JSON object, with white
// space around it allowed.
func isJSONObject(body []byte) bool {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed)
}

// compare checks a hex signature against the hash of text and the secret
// of each of keys. It hashes with every key and compares in constant time,
// so that the time taken does not tell which key matched.
func (s *Signer) compare(what, signature string, candidates []key, text []byte) error {
	size := s.hashSize()
	if len(signature) != 2*size {
		return fmt.Errorf("%w: %s signature has %d characters, want %d (%s)", ErrInvalidSignature, what, len(signature), 2*size, s.algorithm)
	}
	var buf [sha256.Size]byte
	got := buf[:size]
	if _, err := hex.Decode(got, []byte(signature)); err != nil {
		return fmt.Errorf("%w: %s signature is not hex", ErrInvalidSignature, what)
	}
	match := 0
	for _, k := range candidates {
		sum := k.sum(s.algorithm == SHA256, text, wrapping{})
		match |= subtle.ConstantTimeCompare(got, sum[:size])
	}
	if match != 1 {
		return fmt.Errorf("%w: %s signature does not match", ErrInvalidSignature, what)
	}
	return nil
}

// resourceType is the set's resource type: "image" when it names none.
func (cs *compiledSet) resourceType() string { return cmp.Or(cs.ResourceType, "image") }
