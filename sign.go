package uploadsign

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// Payload is what the browser needs to upload one file: it posts every
// entry of Fields verbatim, plus the file as "file", to URL as a multipart
// form. It marshals with encoding/json to the JSON a frontend reads. The
// last three fields tell a client of an old set version to warn its user
// (see [ParamSet]); they are left out when the set has no such date.
type Payload struct {
	URL       string            `json:"url"`        // BASE/v1_1/CLOUD/RESOURCE_TYPE/upload
	Fields    map[string]string `json:"fields"`     // post these verbatim, then add "file"
	Timestamp int64             `json:"timestamp"`  // Unix seconds, also in Fields
	ExpiresAt time.Time         `json:"expires_at"` // Timestamp + 1 hour, when Cloudinary refuses it
	ParamSet  string            `json:"param_set"`
	Version   int               `json:"version"`
	Limits    Limits            `json:"limits,omitzero"` // the set's, for a page to refuse a larger file first

	Deprecated   bool       `json:"deprecated,omitzero"`    // the set was deprecated when the payload was signed
	DeprecatedAt *time.Time `json:"deprecated_at,omitzero"` // the set's Deprecated, in UTC; nil if zero
	Sunset       *time.Time `json:"sunset,omitzero"`        // the set's Sunset, in UTC; nil if zero
}

// Sign returns the payload of one upload of set name at version for req,
// stamped with the Signer's clock: req's tags are appended to the set's,
// its context and metadata entries added, and any other value the set
// fixes must be equal ([ErrParamConflict]). Errors also wrap
// [ErrUnknownParamSet], [ErrSunset] or [ErrInvalidParam]. It never
// modifies req.
func (s *Signer) Sign(set string, version int, req Request) (*Payload, error) {
	var u signing
	if err := s.sign(&u, set, version, &req); err != nil {
		return nil, err
	}
	// Cloning the set's template map is cheaper than inserting every field.
	fields := maps.Clone(u.cs.template)
	for _, f := range u.own() {
		fields[f.key] = f.value
	}
	// The timestamp and the signature share one allocation.
	joined := string(u.stamp[:u.digits+u.sigLen])
	fields["timestamp"] = joined[:u.digits]
	fields["signature"] = joined[u.digits:]
	p := u.payload()
	p.Fields = fields
	return &p, nil
}

// signing is one upload signed, before it is written out as a Payload.
type signing struct {
	cs  *compiledSet
	now time.Time // the Signer's clock when it signed
	ts  int64     // now in Unix seconds
	e   encoder   // the request's fields, sorted
	// stamp holds the timestamp's digits, then the hex signature.
	stamp          [20 + 2*sha256.Size]byte
	digits, sigLen int
}

// sign checks and signs one upload of set at version for req into u.
func (s *Signer) sign(u *signing, set string, version int, req *Request) error {
	u.now = s.now()
	cs, err := s.liveSet(set, version, u.now)
	if err != nil {
		return err
	}
	u.cs = cs
	if u.ts, err = timestampAt(u.now); err != nil {
		return err
	}
	u.ts = cs.signedTimestamp(u.ts)
	p, err := cs.requestParams(req)
	if err != nil {
		return err
	}
	if cs.SingleUse {
		p.PublicID = strings.ToLower(rand.Text()) // 128 random bits, in 26 letters and digits
	}
	if err := p.mergeCollections(&cs.Params); err != nil {
		return err
	}
	if err := p.encode(&u.e); err != nil {
		return err
	}
	own := u.e.sorted()
	if err := s.checkVersion1(own); err != nil {
		return err
	}
	digits := strconv.AppendInt(u.stamp[:0], u.ts, 10)
	pooled := getText()
	defer putText(pooled)
	text := (*pooled)[:0]
	err = mergeFields(cs.fixed, own, []field{{key: "timestamp"}}, func(f field, set int) {
		if len(text) > 0 {
			text = append(text, '&')
		}
		switch {
		case set >= 0:
			text = append(text, cs.pairs[set]...)
		case f.key == "timestamp":
			text = append(append(text, "timestamp="...), digits...)
		default:
			text = appendPair(text, f.key, f.value, s.version)
		}
	})
	if err != nil {
		return err
	}
	sum := s.keys[0].sum(s.algorithm == SHA256, text, wrapping{})
	mac := sum[:s.hashSize()]
	u.digits, u.sigLen = len(digits), hex.Encode(u.stamp[len(digits):], mac)
	return nil
}

// own returns the request's fields, sorted.
func (u *signing) own() []field { return u.e.list() }

// payload returns the signed upload's Payload, without its Fields.
func (u *signing) payload() Payload {
	p := Payload{
		URL:       u.cs.url,
		Timestamp: u.ts,
		ExpiresAt: time.Unix(u.ts, 0).Add(cloudinary.UploadValidity).UTC(),
		ParamSet:  u.cs.Name,
		Version:   u.cs.Version,
		Limits:    u.cs.Limits,
	}
	u.cs.stampLifecycle(&p, u.now)
	return p
}

// checkVersion1 refuses "&" in fields when the Signer uses signature
// version 1, where "a=x&b=y" could be posted as two parameters under one
// signature.
func (s *Signer) checkVersion1(fields []field) error {
	if why := s.version1Problem(fields); why != "" {
		return fmt.Errorf("%w: %s", ErrInvalidParam, why)
	}
	return nil
}

// version1Problem says why checkVersion1 refuses fields, or returns "".
func (s *Signer) version1Problem(fields []field) string {
	if s.version >= 2 {
		return ""
	}
	for _, f := range fields {
		if strings.ContainsRune(f.key, '&') || strings.ContainsRune(f.value, '&') {
			return fmt.Sprintf("%s: %.80q holds \"&\", which signature version 1 cannot sign unambiguously (use version 2)", f.key, f.value)
		}
	}
	return ""
}

// maxTimestamp is the last second of year 9999: later times cannot be
// written as the JSON of Payload.ExpiresAt.
const maxTimestamp = 253402300799 - 3600

// timestamp reads the clock as Unix seconds, refusing a time before 1970
// or after year 9999.
func (s *Signer) timestamp() (int64, error) { return timestampAt(s.now()) }

// timestampAt is now as Unix seconds, refusing a time before 1970 or after
// year 9999.
func timestampAt(now time.Time) (int64, error) {
	ts := now.Unix()
	if ts <= 0 || ts > maxTimestamp {
		return 0, fmt.Errorf("%w: timestamp: the clock reads %v, outside 1970 to 9999", ErrInvalidParam, time.Unix(ts, 0).UTC())
	}
	return ts, nil
}
