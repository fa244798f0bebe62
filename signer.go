package uploadsign

import (
	"cmp"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
	"github.com/uploadsign/uploadsign/internal/delivery"
	"github.com/uploadsign/uploadsign/internal/encode"
	"github.com/uploadsign/uploadsign/internal/keys"
	"github.com/uploadsign/uploadsign/internal/proposal"
	"github.com/uploadsign/uploadsign/internal/random"
)

// Errors returned by the package, for use with [errors.Is]. Returned errors
// wrap one of these and say which parameter, field or option was wrong.
var (
	// ErrInvalidSignature: a signature does not match what the secret
	// gives, or is malformed (wrong length, not hex, malformed timestamp).
	ErrInvalidSignature = errors.New("uploadsign: invalid signature")
	// ErrExpired: a signature was genuine but its timestamp is outside the
	// window in which it is accepted.
	ErrExpired = errors.New("uploadsign: expired")
	// ErrUnknownParamSet: no parameter set with that name and version is
	// registered.
	ErrUnknownParamSet = errors.New("uploadsign: unknown parameter set")
	// ErrParamConflict: a request's parameter contradicts a value its
	// parameter set fixes.
	ErrParamConflict = errors.New("uploadsign: parameter conflicts with its parameter set")
	// ErrParamNotAllowed: a proposed parameter is not one the parameter
	// set lets a browser choose (see Signer.SignProposed).
	ErrParamNotAllowed = errors.New("uploadsign: parameter not allowed")
	// ErrInvalidParam: a parameter's value cannot be encoded the way
	// Cloudinary reads it.
	ErrInvalidParam = errors.New("uploadsign: invalid parameter")
	// ErrInvalidConfig: New or FromURL was given invalid credentials or
	// options.
	ErrInvalidConfig = errors.New("uploadsign: invalid configuration")
	// ErrSunset: the parameter set is registered but past its Sunset; the
	// message names the versions of the set still served.
	ErrSunset = errors.New("uploadsign: parameter set past its sunset")
	// ErrUploadMismatch: an upload result is genuine, but not one that a
	// payload of the parameter set for the request could have made: the
	// asset is not where the request was allowed to upload.
	ErrUploadMismatch = errors.New("uploadsign: upload does not match its request")
)

// Signer signs upload parameters and verifies Cloudinary's signatures with
// one account's credentials. Make it with [New] or [FromURL]. A Signer is
// immutable and safe for concurrent use; its secret is never printed.
type Signer struct {
	cloudName string
	apiKey    string
	// keys holds the current key first, then the previous ones
	// (WithPreviousKey). Each secret lives only inside its key's hash
	// function, where no printer reaches: not fmt, nor reflection-based
	// ones (go-cmp, spew, testify).
	keys      []keys.Key
	algorithm Algorithm
	version   int
	now       func() time.Time
	uploadURL string
	delivery  string // the delivery URL's prefix, before /RESOURCE_TYPE/TYPE/
	maxAge    time.Duration
	sets      map[string][]*compiledSet // by name, in version order
}

// compiledSet is a registered ParamSet with its fixed fields encoded once.
type compiledSet struct {
	ParamSet
	url      string
	fixed    []field           // sorted by key
	pairs    []string          // fixed as key=value, escaped for the signer's version
	template map[string]string // fixed and api_key, cloned by every payload
}

// New returns a Signer for the account with the given cloud name, API key
// and API secret. It reports an error wrapping [ErrInvalidConfig] when a
// credential is empty or malformed or an option is invalid, and an error
// from the parameter sets' validation when one cannot be encoded.
func New(cloudName, apiKey, apiSecret string, opts ...Option) (*Signer, error) {
	cfg := defaultSettings()
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if err := cloudinary.CheckCloudName(cloudName); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if err := cloudinary.CheckCredential("API key", apiKey); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if err := cloudinary.CheckCredential("API secret", apiSecret); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if cfg.algorithm != SHA1 && cfg.algorithm != SHA256 {
		return nil, fmt.Errorf("%w: WithAlgorithm: %.20q is not sha1 or sha256", ErrInvalidConfig, cfg.algorithm)
	}
	if cfg.signatureVersion != 1 && cfg.signatureVersion != 2 {
		return nil, fmt.Errorf("%w: WithSignatureVersion: %d is not 1 or 2", ErrInvalidConfig, cfg.signatureVersion)
	}
	if cfg.now == nil {
		return nil, fmt.Errorf("%w: WithClock: the clock is nil", ErrInvalidConfig)
	}
	if cfg.notificationMaxAge <= 0 {
		return nil, fmt.Errorf("%w: WithNotificationMaxAge: %v is not positive", ErrInvalidConfig, cfg.notificationMaxAge)
	}
	base, err := cloudinary.CheckUploadURL(cfg.uploadURL)
	if err != nil {
		return nil, fmt.Errorf("%w: WithUploadURL: %w", ErrInvalidConfig, err)
	}
	deliveryPrefix := delivery.DefaultPrefix(cloudName)
	if cfg.deliveryURL != "" {
		if err := delivery.CheckPrefix(cfg.deliveryURL); err != nil {
			return nil, fmt.Errorf("%w: WithDeliveryURL: %w", ErrInvalidConfig, err)
		}
		deliveryPrefix = cfg.deliveryURL
	}
	keys, err := makeKeys(keys.New(apiKey, apiSecret), cfg.previousKeys)
	if err != nil {
		return nil, err
	}
	s := &Signer{
		cloudName: cloudName,
		apiKey:    apiKey,
		keys:      keys,
		algorithm: cfg.algorithm,
		version:   cfg.signatureVersion,
		now:       cfg.now,
		uploadURL: base,
		delivery:  deliveryPrefix,
		maxAge:    cfg.notificationMaxAge,
		sets:      make(map[string][]*compiledSet, len(cfg.sets)),
	}
	for _, set := range cfg.sets {
		if err := s.addSet(set); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// FromURL returns a Signer for the credentials in a Cloudinary URL of the
// form cloudinary://API_KEY:API_SECRET@CLOUD_NAME, the value the official
// SDKs read from the CLOUDINARY_URL environment variable. Percent-escapes in
// the key and secret are decoded. Of the query parameters the SDKs know,
// upload_prefix sets the upload URL, and signature_algorithm and
// signature_version set the algorithm and version; the others concern
// delivery URLs and are ignored. Options given here override the URL's.
// Errors wrap [ErrInvalidConfig] and name the part of the URL at fault
// without quoting any of it.
func FromURL(cloudinaryURL string, opts ...Option) (*Signer, error) {
	bad := func(why string) error {
		return fmt.Errorf("%w: Cloudinary URL: %s (want cloudinary://API_KEY:API_SECRET@CLOUD_NAME)", ErrInvalidConfig, why)
	}
	badQuery := func(param, why string) error {
		return fmt.Errorf("%w: Cloudinary URL: its query parameter %s %s", ErrInvalidConfig, param, why)
	}
	rest, ok := strings.CutPrefix(cloudinaryURL, "cloudinary://")
	if !ok {
		return nil, bad("it does not start with cloudinary://")
	}
	if strings.ContainsRune(rest, '#') {
		return nil, bad("it has a fragment")
	}
	rest, query, _ := strings.Cut(rest, "?")
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return nil, bad("it has no @CLOUD_NAME")
	}
	cred, cloud := rest[:at], rest[at+1:]
	key, secret, ok := strings.Cut(cred, ":")
	if !ok {
		return nil, bad("it has no :API_SECRET")
	}
	key, errKey := url.PathUnescape(key)
	secret, errSecret := url.PathUnescape(secret)
	if errKey != nil || errSecret != nil {
		return nil, bad("the key or secret has a malformed percent-escape")
	}
	values, err := url.ParseQuery(query)
	if err != nil {
		return nil, bad("the query string is malformed")
	}
	var fromURL []Option
	if v := values.Get("upload_prefix"); v != "" {
		if _, err := cloudinary.CheckUploadURL(v); err != nil {
			return nil, badQuery("upload_prefix", "is no upload URL: "+err.Error())
		}
		fromURL = append(fromURL, WithUploadURL(v))
	}
	if v := values.Get("signature_algorithm"); v != "" {
		a := Algorithm(strings.ToLower(v))
		if a != SHA1 && a != SHA256 {
			return nil, badQuery("signature_algorithm", "is not sha1 or sha256")
		}
		fromURL = append(fromURL, WithAlgorithm(a))
	}
	if v := values.Get("signature_version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n != 1 && n != 2 {
			return nil, badQuery("signature_version", "is not 1 or 2")
		}
		fromURL = append(fromURL, WithSignatureVersion(n))
	}
	if err := cloudinary.CheckCloudName(cloud); err != nil {
		return nil, bad(err.Error())
	}
	return New(cloud, key, secret, append(fromURL, opts...)...)
}

func (s *Signer) addSet(set ParamSet) error {
	name := fmt.Sprintf("parameter set %q version %d", set.Name, set.Version)
	if set.Name == "" {
		return fmt.Errorf("%w: WithParamSets: a parameter set has no name", ErrInvalidConfig)
	}
	if set.Version < 1 {
		return fmt.Errorf("%w: WithParamSets: %s: the version must be 1 or more", ErrInvalidConfig, name)
	}
	resource := set.ResourceType
	if resource == "" {
		resource = "image"
	}
	if !cloudinary.IsUploadResourceType(resource) {
		return fmt.Errorf("%w: WithParamSets: %s: resource type %q is not image, video, raw or auto", ErrInvalidConfig, name, set.ResourceType)
	}
	if _, err := s.lookup(set.Name, set.Version); err == nil {
		return fmt.Errorf("%w: WithParamSets: %s is registered twice", ErrInvalidConfig, name)
	}
	if !set.Deprecated.IsZero() && !set.Sunset.IsZero() && set.Sunset.Before(set.Deprecated) {
		return fmt.Errorf("%w: WithParamSets: %s: Sunset %s is before Deprecated %s", ErrInvalidConfig, name,
			set.Sunset.UTC().Format(time.RFC3339), set.Deprecated.UTC().Format(time.RFC3339))
	}
	if set.SingleUse {
		switch {
		case set.Params.PublicID != "":
			return fmt.Errorf("%w: WithParamSets: %s: a single-use set makes its own public_id and cannot fix one", ErrInvalidConfig, name)
		case set.Params.Overwrite != nil && *set.Params.Overwrite:
			return fmt.Errorf("%w: WithParamSets: %s: a single-use set signs overwrite=false and cannot fix it to true", ErrInvalidConfig, name)
		}
		set.Params.Overwrite = Bool(false)
	}
	fixed, err := set.Params.fields()
	if err == nil {
		err = s.checkVersion1(fixed)
	}
	if err != nil {
		return fmt.Errorf("WithParamSets: %s: %w", name, err)
	}
	for _, k := range set.ClientParams {
		i, fixedToo := slices.BinarySearchFunc(fixed, k, func(f field, k string) int { return strings.Compare(f.key, k) })
		switch {
		case !cloudinary.ValidParamName(k) || k == "timestamp" || cloudinary.Unsigned(k):
			return fmt.Errorf("%w: WithParamSets: %s: ClientParams: %q is not a parameter a browser may choose", ErrInvalidConfig, name, k)
		case k == "upload_preset":
			return fmt.Errorf("%w: WithParamSets: %s: ClientParams: a browser may not choose upload_preset: a preset can turn on overwrite and name assets in ways the signer cannot see; fix the preset in the set's Params instead", ErrInvalidConfig, name)
		case k == "eval" || k == "on_success":
			return fmt.Errorf("%w: WithParamSets: %s: ClientParams: a browser may not choose %s: it is JavaScript that Cloudinary runs during the upload, and it can change the upload's parameters (public_id, overwrite) after they were signed; fix it in the set's Params instead", ErrInvalidConfig, name, k)
		case fixedToo:
			return fmt.Errorf("%w: WithParamSets: %s: ClientParams: the set fixes %s=%q", ErrInvalidConfig, name, k, fixed[i].value)
		}
	}
	if set.Params.Overwrite != nil && *set.Params.Overwrite {
		for _, k := range set.ClientParams {
			if proposal.Names(k) {
				return fmt.Errorf("%w: WithParamSets: %s: ClientParams lets the browser choose %s, which names the asset, and the set signs overwrite true: one user could replace another's asset", ErrInvalidConfig, name, k)
			}
		}
	}
	set.Params = set.Params.clone()
	set.ClientParams = slices.Clone(set.ClientParams)
	template := make(map[string]string, len(fixed)+1)
	pairs := make([]string, len(fixed))
	for i, f := range fixed {
		template[f.key] = f.value
		pairs[i] = string(appendPair(nil, f.key, f.value, s.version))
	}
	template["api_key"] = s.apiKey
	versions := append(s.sets[set.Name], &compiledSet{
		ParamSet: set,
		url:      s.UploadURL(resource),
		fixed:    fixed,
		pairs:    pairs,
		template: template,
	})
	slices.SortFunc(versions, func(a, b *compiledSet) int { return cmp.Compare(a.Version, b.Version) })
	s.sets[set.Name] = versions
	return nil
}

// APIKey returns the account's API key, which every payload carries. It is
// public; the secret has no accessor.
func (s *Signer) APIKey() string { return s.apiKey }

// CloudName returns the account's cloud name.
func (s *Signer) CloudName() string { return s.cloudName }

// UploadURL returns the URL an upload of the resource type ("image",
// "video", "raw" or "auto") posts to: the upload URL base, then
// /v1_1/CLOUD_NAME/RESOURCE_TYPE/upload.
func (s *Signer) UploadURL(resourceType string) string {
	return s.uploadURL + "/v1_1/" + s.cloudName + "/" + resourceType + "/upload"
}

// Payload is what the browser needs to upload one file: it posts every
// entry of Fields verbatim, plus the file as "file", to URL as a multipart
// form. It marshals with encoding/json to the JSON a frontend reads.
//
// The last three fields tell a client built for an old version of a set to
// warn its user (see [ParamSet]): Deprecated is true once the set is
// deprecated, DeprecatedAt gives the date (also when it is still to come),
// and Sunset the time from which the set is refused. Each is left out of
// the JSON when the set has no such date.
type Payload struct {
	URL       string            `json:"url"`        // BASE/v1_1/CLOUD/RESOURCE_TYPE/upload
	Fields    map[string]string `json:"fields"`     // post these verbatim, then add "file"
	Timestamp int64             `json:"timestamp"`  // Unix seconds, also in Fields
	ExpiresAt time.Time         `json:"expires_at"` // Timestamp + 1 hour
	ParamSet  string            `json:"param_set"`
	Version   int               `json:"version"`

	Deprecated   bool       `json:"deprecated,omitzero"`    // the set was deprecated when the payload was signed
	DeprecatedAt *time.Time `json:"deprecated_at,omitzero"` // the set's Deprecated, in UTC; nil if zero
	Sunset       *time.Time `json:"sunset,omitzero"`        // the set's Sunset, in UTC; nil if zero
}

// Sign returns the payload for one upload with parameter set name at the
// given version. The request's parameters req are added to the set's fixed
// ones: Tags are appended, Context and Metadata entries are added, and any
// other parameter the set also fixes must have the same value, or Sign
// returns an error wrapping [ErrParamConflict] that names it. The payload is
// stamped with the Signer's clock; a single-use set also gets a fresh
// public_id (see [ParamSet]). An unknown set or version gives an error
// wrapping [ErrUnknownParamSet]; a parameter that cannot be encoded, one
// wrapping [ErrInvalidParam]. A payload whose public_id would be the name
// of the file the browser sends (use_filename true, unique_filename false,
// no public_id) must sign overwrite false, or Sign returns an error
// wrapping [ErrParamNotAllowed]: a user could otherwise replace another's
// asset by naming a file after it. A set past its Sunset gives an error
// wrapping [ErrSunset]; a deprecated one signs as usual, and the payload
// says so. Sign never modifies req's slices or maps.
func (s *Signer) Sign(set string, version int, req Params) (*Payload, error) {
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

// signing is one upload signed, before it is written out as a Payload or
// as JSON.
type signing struct {
	cs     *compiledSet
	now    time.Time // the Signer's clock when it signed
	ts     int64     // now in Unix seconds
	apiKey string
	e      encoder // the request's fields, sorted
	// stamp holds the timestamp's digits, then the hex signature.
	stamp          [20 + 2*sha256.Size]byte
	digits, sigLen int
}

// sign checks and signs one upload of set at version with the request's
// parameters req into u. req is the caller's own copy: sign merges the
// set's collections into it and gives it a single-use set's public_id.
func (s *Signer) sign(u *signing, set string, version int, req *Params) error {
	u.now = s.now()
	cs, err := s.liveSet(set, version, u.now)
	if err != nil {
		return err
	}
	u.cs, u.apiKey = cs, s.apiKey
	if u.ts, err = timestampAt(u.now); err != nil {
		return err
	}
	if cs.SingleUse {
		if req.PublicID != "" {
			return fmt.Errorf("%w: public_id: the single-use set %q makes its own", ErrParamConflict, set)
		}
		req.PublicID = random.PublicID()
	}
	if err := req.mergeCollections(&cs.Params); err != nil {
		return err
	}
	if err := req.encode(&u.e); err != nil {
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
	var naming proposal.Naming
	err = mergeFields(cs.fixed, own, []field{{key: "timestamp"}}, func(f field, set int) {
		naming.See(f.key, f.value)
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
	if naming.FromFilename() && !cloudinary.False(naming.Overwrite) {
		return fmt.Errorf("%w: overwrite: the public_id is the name of the file the browser sends (use_filename true, unique_filename false), so the set or request must sign overwrite false, or one user could replace another's asset", ErrParamNotAllowed)
	}
	sum := s.keys[0].Sum(s.algorithm == SHA256, text)
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
	}
	u.cs.stampLifecycle(&p, u.now)
	return p
}

// stampLifecycle sets the payload's Deprecated, DeprecatedAt and Sunset
// from the set's dates, each payload with its own copies.
func (cs *compiledSet) stampLifecycle(p *Payload, now time.Time) {
	if cs.Deprecated.IsZero() && cs.Sunset.IsZero() {
		return
	}
	dates := new([2]time.Time)
	if !cs.Deprecated.IsZero() {
		dates[0] = cs.Deprecated.UTC()
		p.DeprecatedAt = &dates[0]
		p.Deprecated = !now.Before(cs.Deprecated)
	}
	if !cs.Sunset.IsZero() {
		dates[1] = cs.Sunset.UTC()
		p.Sunset = &dates[1]
	}
}

// checkVersion1 refuses "&" in fields when the Signer uses signature
// version 1, where "a=x&b=y" could be posted as two parameters under one
// signature.
func (s *Signer) checkVersion1(fields []field) error {
	if s.version >= 2 {
		return nil
	}
	for _, f := range fields {
		if strings.ContainsRune(f.key, '&') || strings.ContainsRune(f.value, '&') {
			return fmt.Errorf("%w: %s: %.80q holds \"&\", which signature version 1 cannot sign unambiguously (use version 2)", ErrInvalidParam, f.key, f.value)
		}
	}
	return nil
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

// hashSize is the size of the Signer's hash in bytes.
func (s *Signer) hashSize() int {
	if s.algorithm == SHA256 {
		return sha256.Size
	}
	return sha1.Size
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
func makeKeys(current keys.Key, previous []previousKey) ([]keys.Key, error) {
	list := []keys.Key{current}
	for i, k := range previous {
		what := fmt.Sprintf("WithPreviousKey: key %d", i+1)
		if k.err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidConfig, what, k.err)
		}
		for _, have := range list {
			if have.APIKey == k.key.APIKey {
				return nil, fmt.Errorf("%w: %s: API key %q is given twice", ErrInvalidConfig, what, k.key.APIKey)
			}
		}
		list = append(list, k.key)
	}
	return list, nil
}

// candidates returns the keys whose secret may have signed something that
// names apiKey: that key if it is one of the Signer's, else all of them.
func (s *Signer) candidates(apiKey string) []keys.Key {
	for i, k := range s.keys {
		if apiKey != "" && k.APIKey == apiKey {
			return s.keys[i : i+1]
		}
	}
	return s.keys
}

// SignProposed signs parameters a browser proposes, such as the Upload
// Widget's params_to_sign (see [ParseProposal]), and returns the hex
// signature of the proposal exactly as proposed: the widget posts what it
// proposed. It signs only a proposal that keeps to the parameter set name at
// version and to the request's own values req:
//
//   - req holds what the backend decides for this request (say, from its
//     session: PublicID "user_42"), merged with the set's fixed parameters
//     as [Signer.Sign] merges them (tags appended, context and metadata
//     entries added; a contradiction is [ErrParamConflict]). Every
//     parameter so bound must be proposed with that value; it is then
//     allowed whether or not ClientParams lists it.
//   - Every other proposed parameter must be listed in the set's
//     ClientParams, except overwrite false, which only ever protects.
//   - Booleans are compared by meaning, as Cloudinary reads them: "true"
//     and "1", "false" and "0" (the widget proposes JavaScript's true and
//     false; the Go encoding is 1 and 0). Other values must be equal as
//     strings: tags in another order, say, differ.
//   - The timestamp must be decimal Unix seconds, at most one hour old
//     (Cloudinary's window) and at most five minutes ahead of the Signer's
//     clock (a later one would stretch the signature's life).
//   - A parameter may be proposed once; empty values and the keys the
//     upload endpoint does not sign (file, api_key, ...) are ignored, as
//     they are not in the signature.
//   - Under signature version 1, no key or value may hold "&".
//
// No browser-chosen public_id can overwrite. The browser chooses the
// public_id when it proposes a public_id that neither the set nor req
// binds, or when use_filename is true and unique_filename false (the
// public_id is then the file's name or filename_override, both the
// browser's). When the public_id is so chosen, or bound but placed by a
// folder, public_id_prefix or (with use_asset_folder_as_public_id_prefix)
// asset_folder that the browser chooses, the proposal must sign overwrite
// false: otherwise one user could replace another's asset. A public_id that
// Cloudinary makes up (no public_id, unique file names) cannot collide, so
// a browser-chosen folder alone needs no overwrite false. A set cannot let
// the browser choose upload_preset ([New] refuses it in ClientParams): a
// preset can set overwrite, folders and naming that the Signer cannot see.
// A preset the set fixes is the backend's choice; make sure it does not
// name assets after the file name with overwrite on.
//
// Refusals wrap [ErrParamNotAllowed] and name the parameter; a malformed
// timestamp or an "&" under version 1 also wraps [ErrInvalidParam]. An
// unknown set gives [ErrUnknownParamSet], and one past its Sunset
// [ErrSunset]; a single-use set refuses every proposal, as its public_id
// must come from the server. SignProposed never modifies proposed or req.
func (s *Signer) SignProposed(set string, version int, proposed url.Values, req Params) (string, error) {
	cs, err := s.liveSet(set, version, s.now())
	if err != nil {
		return "", err
	}
	if cs.SingleUse {
		return "", fmt.Errorf("%w: the single-use set %q makes its own public_id; use Sign", ErrParamNotAllowed, set)
	}
	keys, err := s.proposedKeys(proposed)
	if err != nil {
		return "", err
	}
	if err := s.checkProposedTimestamp(proposed["timestamp"]); err != nil {
		return "", err
	}
	bound, err := cs.bind(req)
	if err != nil {
		return "", err
	}
	if err := cs.checkProposal(keys, proposed, bound); err != nil {
		return "", err
	}
	if err := checkNaming(proposed, bound); err != nil {
		return "", err
	}
	return s.SignValues(proposed), nil
}

// proposedKeys returns the keys of the proposal that are signed (not empty,
// not left out by the upload endpoint), sorted, refusing a key given more
// than once and, under signature version 1, an "&".
func (s *Signer) proposedKeys(proposed url.Values) ([]string, error) {
	keys := make([]string, 0, len(proposed))
	for k, vs := range proposed {
		if !cloudinary.Unsigned(k) && len(vs) > 0 && !(len(vs) == 1 && vs[0] == "") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys) // the first refusal is the same every time
	for _, k := range keys {
		vs := proposed[k]
		if len(vs) > 1 {
			return nil, fmt.Errorf("%w: %.60q is proposed %d times; a parameter is posted once", ErrParamNotAllowed, k, len(vs))
		}
		if err := s.checkVersion1([]field{{k, vs[0]}}); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrParamNotAllowed, err)
		}
		if booleanKeys[k] && !cloudinary.True(vs[0]) && !cloudinary.False(vs[0]) {
			return nil, fmt.Errorf("%w: %w: %s: %.20q is not true, false, 1 or 0", ErrParamNotAllowed, ErrInvalidParam, k, vs[0])
		}
		if slices.Contains(cloudinary.PathParams, k) {
			if err := checkPath(k, vs[0]); err != nil {
				return nil, fmt.Errorf("%w: %w: %s: %w", ErrParamNotAllowed, ErrInvalidParam, k, err)
			}
		}
	}
	return keys, nil
}

// checkProposedTimestamp accepts decimal Unix seconds from an hour before
// the Signer's clock to five minutes after it.
func (s *Signer) checkProposedTimestamp(values []string) error {
	now, err := s.timestamp()
	if err != nil {
		return err
	}
	if len(values) == 0 || values[0] == "" {
		return fmt.Errorf("%w: timestamp: the proposal has none", ErrParamNotAllowed)
	}
	ts, err := cloudinary.ParseTimestamp(values[0])
	switch {
	case err != nil:
		return fmt.Errorf("%w: %w: timestamp: %.40q is not decimal Unix seconds", ErrParamNotAllowed, ErrInvalidParam, values[0])
	case ts < now-int64(cloudinary.UploadValidity/time.Second):
		return fmt.Errorf("%w: timestamp: %d is %v old; Cloudinary accepts %v", ErrParamNotAllowed, ts, time.Duration(now-ts)*time.Second, cloudinary.UploadValidity)
	case ts > now+int64(cloudinary.MaxClockSkew/time.Second):
		return fmt.Errorf("%w: timestamp: %d is %v ahead of the server's clock; at most %v", ErrParamNotAllowed, ts, time.Duration(ts-now)*time.Second, cloudinary.MaxClockSkew)
	}
	return nil
}

// bind returns the parameters a proposal must carry: the set's fixed ones
// merged with the request's, as Sign merges them, encoded.
func (cs *compiledSet) bind(req Params) (map[string]string, error) {
	if err := req.mergeCollections(&cs.Params); err != nil {
		return nil, err
	}
	var e encoder
	if err := req.encode(&e); err != nil {
		return nil, err
	}
	bound := make(map[string]string, len(cs.fixed)+e.n)
	err := mergeFields(cs.fixed, e.sorted(), nil, func(f field, _ int) {
		bound[f.key] = f.value
	})
	return bound, err
}

// checkProposal requires every bound parameter in the proposal with its
// value, and every other proposed key to be one the set lets a browser
// choose.
func (cs *compiledSet) checkProposal(keys []string, proposed url.Values, bound map[string]string) error {
	for _, k := range encode.Keys(bound) {
		got := proposed.Get(k)
		switch {
		case got == "":
			return fmt.Errorf("%w: %s: the proposal leaves it out; the %s %.80q", ErrParamNotAllowed, k, cs.binder(k, bound[k]), bound[k])
		case !sameValue(k, bound[k], got):
			return fmt.Errorf("%w: %s: the %s %.80q, the proposal has %.80q", ErrParamNotAllowed, k, cs.binder(k, bound[k]), bound[k], got)
		}
	}
	for _, k := range keys {
		_, isBound := bound[k]
		switch {
		case isBound || k == "timestamp" || slices.Contains(cs.ClientParams, k):
		case k == "overwrite" && cloudinary.False(proposed.Get(k)):
			// Protects, whoever chooses it.
		default:
			return fmt.Errorf("%w: %.60q: neither the set nor the request binds it, and ClientParams does not list it", ErrParamNotAllowed, k)
		}
	}
	return nil
}

// binder says who bound key to value: "set fixes" or "request binds".
func (cs *compiledSet) binder(key, value string) string {
	if fixed, ok := cs.template[key]; ok && fixed == value {
		return "set fixes"
	}
	return "request binds"
}

// checkNaming refuses a proposal in which the browser decides the
// public_id, or places a fixed one, without signing overwrite false (see
// Signer.SignProposed).
func checkNaming(proposed url.Values, bound map[string]string) error {
	why := proposal.BrowserNames(proposed, bound)
	if why == "" || cloudinary.False(proposed.Get("overwrite")) {
		return nil
	}
	return fmt.Errorf("%w: overwrite: %s, so the proposal must sign overwrite false, or one user could replace another's asset", ErrParamNotAllowed, why)
}

// liveSet returns the set name at version, refusing one past its Sunset
// at now with an error naming the versions still served.
func (s *Signer) liveSet(set string, version int, now time.Time) (*compiledSet, error) {
	cs, err := s.lookup(set, version)
	if err != nil || cs.Sunset.IsZero() || now.Before(cs.Sunset) {
		return cs, err
	}
	var live []string
	for _, v := range s.sets[set] {
		if v.Sunset.IsZero() || now.Before(v.Sunset) {
			live = append(live, strconv.Itoa(v.Version))
		}
	}
	served := "no version is served any more"
	if len(live) > 0 {
		served = "live versions: " + strings.Join(live, ", ")
	}
	return nil, fmt.Errorf("%w: %q version %d was retired at %s (%s)", ErrSunset, set, version, cs.Sunset.UTC().Format(time.RFC3339), served)
}

// Deprecation returns the Deprecated and Sunset times of the parameter set
// name at version, each the zero time when the set has none, or an error
// wrapping [ErrUnknownParamSet] when no such set is registered. It answers
// whether or not the set is past its sunset. It is safe for concurrent use.
func (s *Signer) Deprecation(set string, version int) (deprecated, sunset time.Time, err error) {
	cs, err := s.lookup(set, version)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return cs.Deprecated, cs.Sunset, nil
}

func (s *Signer) lookup(set string, version int) (*compiledSet, error) {
	versions := s.sets[set]
	for _, cs := range versions {
		if cs.Version == version {
			return cs, nil
		}
	}
	if len(versions) > 0 {
		list := make([]string, len(versions))
		for i, cs := range versions {
			list[i] = strconv.Itoa(cs.Version)
		}
		return nil, fmt.Errorf("%w: %q has no version %d (known versions: %s)", ErrUnknownParamSet, set, version, strings.Join(list, ", "))
	}
	var known []string
	for name := range s.sets {
		known = append(known, strconv.Quote(name))
	}
	slices.Sort(known)
	if len(known) == 0 {
		return nil, fmt.Errorf("%w: %q: no parameter sets are registered (see WithParamSets)", ErrUnknownParamSet, set)
	}
	return nil, fmt.Errorf("%w: %q (known sets: %s)", ErrUnknownParamSet, set, strings.Join(known, ", "))
}

// mergeFields walks a set's fixed fields, a request's fields and extra
// fields that neither list holds (timestamp, say), each sorted by key, and
// calls emit for every field in key order, with the field's index in fixed
// if it is the set's, else -1. A key in both fixed and own must have the
// same value, except for the collections the request has already merged
// with the set's (tags, context, metadata), whose request value wins.
func mergeFields(fixed, own, extra []field, emit func(f field, set int)) error {
	next := func(f field, set int) {
		for len(extra) > 0 && extra[0].key < f.key {
			emit(extra[0], -1)
			extra = extra[1:]
		}
		emit(f, set)
	}
	i, j := 0, 0
	for i < len(fixed) || j < len(own) {
		switch {
		case j == len(own) || i < len(fixed) && fixed[i].key < own[j].key:
			next(fixed[i], i)
			i++
		case i == len(fixed) || own[j].key < fixed[i].key:
			next(own[j], -1)
			j++
		default:
			if own[j].value != fixed[i].value && !mergedCollection(own[j].key) {
				return fmt.Errorf("%w: %s: the set fixes %q, the request gives %q", ErrParamConflict, own[j].key, fixed[i].value, own[j].value)
			}
			next(own[j], -1)
			i++
			j++
		}
	}
	for _, f := range extra {
		emit(f, -1)
	}
	return nil
}

// StringToSign returns the text that is hashed, before the secret is
// appended, to sign params with the given signature version (1, or 2 and
// above as 2). It follows the official SDKs' api_sign_request: several
// values of one key are joined with ",", keys whose joined value is empty
// are dropped (so ["", ""] gives ","), keys are sorted in byte order, and from version 2 on every "&" in a
// key=value pair becomes "%26". The keys the upload endpoint does not sign
// (file, cloud_name, resource_type, api_key, signature) are left out, so the
// result can be compared with the "String to sign" in Cloudinary's
// "Invalid Signature" message.
func StringToSign(params url.Values, signatureVersion int) string {
	return string(appendStringToSign(nil, params, signatureVersion))
}

// SignRaw signs params as they are, as [Signer.SignValues] does, and
// returns the payload a browser posts: the upload URL of resourceType
// ("image", "video", "raw" or "auto"), and as Fields every key of params
// with a value (several values of one key joined with ","), api_key,
// timestamp and signature. A timestamp in params is kept; without one, the
// Signer's clock stamps the payload. It is the raw counterpart of
// [Signer.Sign], for parameters no set describes, such as the command
// line's. It returns an error wrapping [ErrInvalidParam] for another
// resource type, for the keys the payload sets itself or Cloudinary does
// not sign (api_key, signature, file, cloud_name, resource_type), for a
// timestamp given twice or not in decimal Unix seconds, and under
// signature version 1 for an "&" in a key or value. It never modifies
// params.
func (s *Signer) SignRaw(resourceType string, params url.Values) (*Payload, error) {
	if !cloudinary.IsUploadResourceType(resourceType) {
		return nil, fmt.Errorf("%w: resource type %.40q is not image, video, raw or auto", ErrInvalidParam, resourceType)
	}
	for _, k := range cloudinary.UnsignedKeys {
		if _, ok := params[k]; ok {
			return nil, fmt.Errorf("%w: %s is not a signed parameter; the payload adds api_key and signature itself", ErrInvalidParam, k)
		}
	}
	fields := make(map[string]string, len(params)+3)
	for k, vs := range params {
		if v := strings.Join(vs, ","); v != "" {
			fields[k] = v
		}
		if err := s.checkVersion1([]field{{k, fields[k]}}); err != nil {
			return nil, err
		}
	}
	var ts int64
	switch stamps := params["timestamp"]; {
	case len(stamps) > 1:
		return nil, fmt.Errorf("%w: timestamp is given %d times", ErrInvalidParam, len(stamps))
	case len(stamps) == 1:
		var err error
		if ts, err = cloudinary.ParseTimestamp(stamps[0]); err != nil || ts == 0 {
			return nil, fmt.Errorf("%w: timestamp: %.40q is not decimal Unix seconds", ErrInvalidParam, stamps[0])
		}
	default:
		var err error
		if ts, err = s.timestamp(); err != nil {
			return nil, err
		}
		fields["timestamp"] = strconv.FormatInt(ts, 10)
	}
	values := make(url.Values, len(fields))
	for k, v := range fields {
		values[k] = []string{v}
	}
	fields["signature"] = s.SignValues(values)
	fields["api_key"] = s.apiKey
	return &Payload{
		URL:       s.UploadURL(resourceType),
		Fields:    fields,
		Timestamp: ts,
		ExpiresAt: time.Unix(ts, 0).Add(cloudinary.UploadValidity).UTC(),
	}, nil
}

// SignValues returns the hex signature of params as Cloudinary computes it:
// the hash of [StringToSign] with the Signer's signature version, followed by
// the secret. It is the raw counterpart of [Signer.Sign], for parameters
// built by hand; it never modifies params and does not add a timestamp.
func (s *Signer) SignValues(params url.Values) string {
	pooled := getText()
	defer putText(pooled)
	sum := s.keys[0].Sum(s.algorithm == SHA256, appendStringToSign((*pooled)[:0], params, s.version))
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

func (s *Signer) setCount() int {
	n := 0
	for _, versions := range s.sets {
		n += len(versions)
	}
	return n
}

// String describes the Signer without its secret.
func (s Signer) String() string {
	previous := ""
	if len(s.keys) > 1 {
		previous = fmt.Sprintf(" previous_keys: %d,", len(s.keys)-1)
	}
	return fmt.Sprintf("uploadsign.Signer{cloud_name: %q, api_key: %q, api_secret: [redacted],%s algorithm: %s, signature_version: %d, param_sets: %d}",
		s.cloudName, s.apiKey, previous, s.algorithm, s.version, s.setCount())
}

// LogValue describes the Signer to log/slog without its secret.
func (s Signer) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("cloud_name", s.cloudName),
		slog.String("api_key", s.apiKey),
		slog.String("api_secret", "[redacted]"),
		slog.Int("previous_keys", len(s.keys)-1),
		slog.String("algorithm", string(s.algorithm)),
		slog.Int("signature_version", s.version),
	)
}
