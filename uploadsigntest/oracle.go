package uploadsigntest

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"io"
	"slices"
	"sort"
	"strings"
)

// The server checks signatures with this file's plain implementation of
// Cloudinary's rules, not with the uploadsign library: a fake that asked
// the library whether the library is right would mirror its bugs. The
// golden files of the official Node SDK, and uploads signed by the Node
// SDK itself, keep both honest.

// unsignedKeys are the posted fields the upload endpoint leaves out of the
// string it hashes. The oracle keeps its own list, written from the
// sources rather than imported from the library it checks: Cloudinary's
// "Generating authentication signatures" page
// (https://cloudinary.com/documentation/authentication_signatures) says
// to include every parameter "except: file, cloud_name, resource_type and
// your api_key"; the official Node SDK (lib/utils/index.js, sign_request)
// computes the signature before it adds api_key and signature to the
// parameters, and posts file as a part of its own, cloud_name and
// resource_type in the URL.
var unsignedKeys = []string{"api_key", "cloud_name", "file", "resource_type", "signature"}

func unsigned(name string) bool { return slices.Contains(unsignedKeys, name) }

// stringToSign is what Cloudinary hashes, before the secret, from the
// posted fields: the signed fields with a value, sorted by name, as
// name=value pairs joined with "&"; from signature version 2 on, every "&"
// inside a pair is written %26.
func stringToSign(fields map[string]string, version int) string {
	names := make([]string, 0, len(fields))
	for name, value := range fields {
		if value != "" && !unsigned(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	pairs := make([]string, len(names))
	for i, name := range names {
		pairs[i] = name + "=" + fields[name]
		if version >= 2 {
			pairs[i] = strings.ReplaceAll(pairs[i], "&", "%26")
		}
	}
	return strings.Join(pairs, "&")
}

// checkSignature accepts the signature, by the secret of key, in either
// algorithm (SHA-1 only if the account allows it) and either signature
// version (version 1 only when no signed value holds "&"), as Cloudinary
// does by default.
func (s *Server) checkSignature(f map[string]string, key credential) bool {
	versions := []int{2, 1}
	for k, x := range f {
		if !unsigned(k) && strings.ContainsRune(k+x, '&') {
			versions = []int{2}
		}
	}
	got := []byte(strings.ToLower(f["signature"]))
	for _, version := range versions {
		text := stringToSign(f, version)
		for _, useSHA256 := range []bool{false, true} {
			if !useSHA256 && s.sha256Only {
				continue
			}
			if subtle.ConstantTimeCompare(got, []byte(key.sign(text, useSHA256))) == 1 {
				return true
			}
		}
	}
	return false
}

// credential is one API key of the account and its secret, reachable only
// through its hash function, so that no printer shows it.
type credential struct {
	apiKey string
	// sign returns the hex hash of text followed by the secret, with
	// SHA-256 if sha256 is set, else SHA-1.
	sign func(text string, sha256 bool) string
}

func newCredential(apiKey, secret string) credential {
	return credential{apiKey: apiKey, sign: func(text string, useSHA256 bool) string {
		var h hash.Hash = sha1.New()
		if useSHA256 {
			h = sha256.New()
		}
		io.WriteString(h, text)
		io.WriteString(h, secret)
		return hex.EncodeToString(h.Sum(nil))
	}}
}
