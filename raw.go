package uploadsign

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// StringToSign returns the text hashed, before the secret, to sign params
// with signature version 1 or 2 (the package doc gives the rules). It
// leaves out the keys the upload endpoint does not sign (file, cloud_name,
// resource_type, api_key, signature), so that it can be compared with the
// "String to sign" of Cloudinary's "Invalid Signature" answer.
func StringToSign(params url.Values, signatureVersion int) string {
	return string(appendStringToSign(nil, params, signatureVersion))
}

// SignValues returns the hex signature of params as Cloudinary computes it:
// the hash of [StringToSign] with the Signer's signature version, followed by
// the secret. It is the raw counterpart of [Signer.Sign], for parameters
// built by hand; it never modifies params and does not add a timestamp.
func (s *Signer) SignValues(params url.Values) string {
	pooled := getText()
	defer putText(pooled)
	sum := s.keys[0].sum(s.algorithm == SHA256, appendStringToSign((*pooled)[:0], params, s.version), wrapping{})
	var h [2 * sha256.Size]byte
	n := hex.Encode(h[:], sum[:s.hashSize()])
	return string(h[:n])
}

func appendStringToSign(dst []byte, params url.Values, version int) []byte {
	type pair struct {
		key    string
		values []string
	}
	var arr [16]pair
	pairs := arr[:0]
	for k, vs := range params {
		if !cloudinary.Unsigned(k) && len(vs) > 0 && !(len(vs) == 1 && vs[0] == "") {
			pairs = append(pairs, pair{k, vs})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int { return strings.Compare(a.key, b.key) })
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = appendEscaped(dst, p.key, version)
		dst = append(dst, '=')
		for j, v := range p.values {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = appendEscaped(dst, v, version)
		}
	}
	return dst
}

func appendPair(dst []byte, key, value string, version int) []byte {
	dst = appendEscaped(dst, key, version)
	dst = append(dst, '=')
	return appendEscaped(dst, value, version)
}

// appendEscaped appends s, with "&" as "%26" from signature version 2 on.
func appendEscaped(dst []byte, s string, version int) []byte {
	if version < 2 {
		return append(dst, s...)
	}
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, "%26"...)
		s = s[i+1:]
	}
}
