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
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// VerifyUploadResult checks the signature Cloudinary returns with an upload
// result: the version-1 signature of public_id and version with the Signer's
// algorithm, made with the secret of any of the Signer's keys (see
// [WithPreviousKey]). It returns nil when the result is genuine and
// otherwise an error wrapping [ErrInvalidSignature]. The comparison takes
// constant time, whichever key matches; the hex signature may be in either
// case. It proves only that Cloudinary made the result:
// [Signer.VerifyUploadOf] also checks that it is the upload a request made.
func (s *Signer) VerifyUploadResult(publicID string, version int64, signature string) error {
	return s.verifyResult(publicID, version, signature, "")
}

// UploadResult is Cloudinary's JSON answer to an upload, as the browser
// reports it back; decode the answer into it and pass it to
// [Signer.VerifyUploadOf]. Cloudinary's signature covers PublicID and
// Version only. Every other field is as the browser reports it, and a
// browser can change it: ResourceType, Type and Format are checked against
// the parameter set, APIKey picks the key to check with, and the fields
// after them are not checked at all. The reported url and secure_url are
// left out on purpose: a backend builds the URL from what was verified
// ([Asset.URL]).
type UploadResult struct {
	PublicID     string `json:"public_id"`
	Version      int64  `json:"version"`
	Signature    string `json:"signature"`
	ResourceType string `json:"resource_type"`
	Type         string `json:"type"`
	Format       string `json:"format"`
	APIKey       string `json:"api_key"`

	// Not covered by the signature: as the browser reports them.
	AssetID          string   `json:"asset_id,omitempty"`
	AssetFolder      string   `json:"asset_folder,omitempty"`
	Bytes            int64    `json:"bytes,omitempty"`
	Width            int      `json:"width,omitempty"`
	Height           int      `json:"height,omitempty"`
	OriginalFilename string   `json:"original_filename,omitempty"`
	Tags             []string `json:"tags,omitempty"`
	CreatedAt        string   `json:"created_at,omitempty"`
	Existing         bool     `json:"existing,omitempty"` // the upload met an asset kept by overwrite false; unverified
}

// Asset is an upload whose origin the Signer has verified, with the URL
// the Signer built for it. Store URL, never a URL the browser reports.
type Asset struct {
	PublicID     string `json:"public_id"`     // verified
	Version      int64  `json:"version"`       // verified
	ResourceType string `json:"resource_type"` // "image", "video" or "raw": the set's
	Type         string `json:"type"`          // "upload", "authenticated" or "private": the set's
	Format       string `json:"format"`        // one the set allows; raw files have none
	URL          string `json:"url"`           // built by the Signer, never taken from the report
}

// VerifyUploadOf checks an upload result the browser reports back as the
// upload of a payload of parameter set name at version (past its Sunset
// too) signed for req, what the backend bound for the request, and
// returns the asset with the delivery URL the Signer builds, as the
// official SDK's cloudinary.url builds it (signed for the authenticated
// and private types). A malformed result wraps [ErrInvalidParam], one
// Cloudinary did not sign [ErrInvalidSignature], and a genuine one that no
// such payload makes, by the naming rule of the package doc,
// [ErrUploadMismatch].
func (s *Signer) VerifyUploadOf(set string, version int, req Request, r UploadResult) (*Upload, error) {
	cs, err := s.lookup(set, version)
	if err != nil {
		return nil, err
	}
	a := &Asset{ResourceType: r.ResourceType, Type: r.Type, PublicID: r.PublicID, Version: r.Version, Format: r.Format}
	if err := checkAsset(a); err != nil {
		return nil, fmt.Errorf("%w: upload result: %v", ErrInvalidParam, err)
	}
	if err := s.verifyResult(r.PublicID, r.Version, r.Signature, r.APIKey); err != nil {
		return nil, err
	}
	bound, err := cs.bind(req.Params)
	if err != nil {
		return nil, fmt.Errorf("req: %w", err)
	}
	if err := cs.checkOrigin(bound, r); err != nil {
		return nil, fmt.Errorf("%w: %q version %d: %w", ErrUploadMismatch, set, version, err)
	}
	if a.URL, err = deliveryURL(s.delivery, a, s.urlDigest); err != nil {
		return nil, fmt.Errorf("%w: upload result: %v", ErrInvalidParam, err)
	}
	return &Upload{Set: cs.Name, Version: cs.Version, Owner: req.Owner, Asset: *a}, nil
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

// VerifyNotification checks a webhook notification: signature is the
// X-Cld-Signature header, the hex hash of body, then timestamp (the
// X-Cld-Timestamp header, Unix seconds), then the secret of any of the
// Signer's keys (Cloudinary signs with the account's notification key, or
// its oldest active one; see [WithPreviousKey]). It returns nil
// when the notification is genuine and fresh; an error wrapping
// [ErrInvalidSignature] when the body is not a JSON object (white space
// around it allowed), the signature does not match or the timestamp is
// not Unix seconds; and one wrapping [ErrExpired] when the timestamp is
// older than the maximum age ([WithNotificationMaxAge], two hours by
// default) or more than five minutes in the future. The comparison takes
// constant time, whichever key matches.
func (s *Signer) VerifyNotification(body []byte, timestamp, signature string) error {
	if !isJSONObject(body) {
		return fmt.Errorf("%w: the notification body is not a JSON object, as every Cloudinary notification is (an upload's signature could pass as one)", ErrInvalidSignature)
	}
	ts, err := cloudinary.ParseTimestamp(timestamp)
	if err != nil {
		return fmt.Errorf("%w: notification timestamp %.40q is not Unix seconds", ErrInvalidSignature, timestamp)
	}
	text := make([]byte, 0, len(body)+len(timestamp)+128)
	text = append(append(text, body...), timestamp...)
	if err := s.compare("notification", signature, s.keys, text); err != nil {
		return err
	}
	age := s.now().Sub(time.Unix(ts, 0))
	switch {
	case age > s.maxAge:
		return fmt.Errorf("%w: notification is %v old, more than %v", ErrExpired, age.Truncate(time.Second), s.maxAge)
	case age < -cloudinary.MaxClockSkew:
		return fmt.Errorf("%w: notification timestamp is %v in the future", ErrExpired, (-age).Truncate(time.Second))
	}
	return nil
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
