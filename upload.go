package uploadsign

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// UploadResult is Cloudinary's JSON answer to an upload, as the browser
// reports it back. Cloudinary signs PublicID and Version only: the
// resource type, type and format are checked against the set, APIKey
// picks the key to check with, and the rest proves nothing. The answer's
// URLs are left out: use the one the Signer builds ([Asset].URL).
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
	Duration         float64  `json:"duration,omitempty"` // seconds, for videos and audio
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

// Upload is an upload whose origin the Signer has verified: the parameter
// set and version whose payload made it, the owner it was made for, and
// the asset.
type Upload struct {
	Set     string   `json:"set"`
	Version int      `json:"version"`
	Owner   string   `json:"owner,omitempty"`
	Asset   Asset    `json:"asset"`
	Details *Details `json:"details,omitempty"` // Cloudinary's, from a notification only
}

// Details are facts about an uploaded file that Cloudinary signed in a
// notification ([Signer.VerifyNotification]).
type Details struct {
	Bytes    int64         `json:"bytes"`
	Width    int           `json:"width,omitempty"`    // images and videos
	Height   int           `json:"height,omitempty"`   // images and videos
	Duration time.Duration `json:"duration,omitempty"` // videos and audio
	Tags     []string      `json:"tags,omitempty"`
}

// VerifyUploadOf checks an upload result the browser reports back as the
// upload of a payload of set name at version for req, and returns it with
// the delivery URL the Signer builds (as the SDK's cloudinary.url, signed
// for the authenticated and private types). Errors wrap
// [ErrMalformedResult], [ErrInvalidSignature] (not Cloudinary's),
// [ErrUploadMismatch] (not such a payload's, by the naming rule of the
// package doc), [ErrLimitExceeded] (a reported size over the limits) or
// [ErrSunset] (made an hour after the version's Sunset).
func (s *Signer) VerifyUploadOf(set string, version int, req Request, r UploadResult) (*Upload, error) {
	cs, err := s.lookup(set, version)
	if err != nil {
		return nil, err
	}
	if err := s.checkResult(&r); err != nil {
		return nil, err
	}
	return s.verifyOrigin(cs, &req, &r, nil)
}

// OwnerOf checks an upload result as [Signer.VerifyUploadOf] does, for the
// set whose public_ids it fits (see [New]) and the owner its public_id
// names; Version is the newest whose checks it passes. It reports
// [ErrUploadMismatch] when no set fits. What a request binds beside the
// owner is not known here.
func (s *Signer) OwnerOf(r UploadResult) (*Upload, error) {
	if err := s.checkResult(&r); err != nil {
		return nil, err
	}
	return s.ownerOf(&r, nil)
}

// checkResult refuses a malformed or forged upload result.
func (s *Signer) checkResult(r *UploadResult) error {
	a := Asset{ResourceType: r.ResourceType, Type: r.Type, PublicID: r.PublicID, Version: r.Version, Format: r.Format}
	if err := checkAsset(&a); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedResult, err)
	}
	return s.verifyResult(r.PublicID, r.Version, r.Signature, r.APIKey)
}

// ownerOf finds the set, version and owner of a genuine result r, and
// checks the limits on what Cloudinary signed of the file (d), or without
// d on what r reports.
func (s *Signer) ownerOf(r *UploadResult, d *signedFile) (*Upload, error) {
	var refusal error
	for _, name := range slices.Sorted(maps.Keys(s.sets)) {
		versions := s.sets[name]
		for i := len(versions) - 1; i >= 0; i-- {
			owner, ok := versions[i].fits(r)
			if !ok {
				continue
			}
			u, err := s.verifyOrigin(versions[i], &Request{Owner: owner}, r, d)
			if err == nil {
				return u, nil
			}
			refusal = cmp.Or(refusal, err)
		}
	}
	if refusal != nil {
		return nil, refusal
	}
	return nil, fmt.Errorf("%w: %s/%s %.80q is not where any parameter set uploads", ErrUploadMismatch, r.ResourceType, r.Type, r.PublicID)
}

// fits reports whether a result could be an upload of cs, by its resource
// type, type and the shape of its public_id, and returns the owner the
// public_id names.
func (cs *compiledSet) fits(r *UploadResult) (owner string, ok bool) {
	if rt := cs.resourceType(); rt != "auto" && rt != r.ResourceType || r.Type != cs.deliveryType() {
		return "", false
	}
	for i := range cs.shapes {
		if owner, ok := cs.shapes[i].match(r.PublicID); ok && (cs.owner == nil || owner != "" && ownerProblem(owner, cs.owner.key) == "") {
			return owner, true
		}
	}
	return "", false
}

// verifyOrigin checks that a genuine result r is an upload of cs for req,
// within its limits by d (what Cloudinary signed) or else by what r
// reports, and returns it with d.
func (s *Signer) verifyOrigin(cs *compiledSet, req *Request, r *UploadResult, d *signedFile) (*Upload, error) {
	if !cs.Sunset.IsZero() && time.Unix(r.Version, 0).After(cs.Sunset.Add(cloudinary.UploadValidity+cloudinary.MaxClockSkew)) {
		// Cloudinary's version is the time of the upload.
		return nil, fmt.Errorf("%w: %q version %d was retired at %s, more than an hour before this upload (version %d)",
			ErrSunset, cs.Name, cs.Version, cs.Sunset.UTC().Format(time.RFC3339), r.Version)
	}
	bound, err := cs.bind(req)
	if err != nil {
		return nil, fmt.Errorf("req: %w", err)
	}
	if err := cs.checkOrigin(req.Owner, bound, r); err != nil {
		return nil, fmt.Errorf("%w: %q version %d: %w", ErrUploadMismatch, cs.Name, cs.Version, err)
	}
	if why := cs.fileLimitProblem(r, d); why != "" {
		return nil, fmt.Errorf("%w: %q version %d: %s", ErrLimitExceeded, cs.Name, cs.Version, why)
	}
	a := Asset{ResourceType: r.ResourceType, Type: r.Type, PublicID: r.PublicID, Version: r.Version, Format: r.Format}
	if a.URL, err = deliveryURL(s.delivery, &a, s.urlDigest); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedResult, err)
	}
	u := &Upload{Set: cs.Name, Version: cs.Version, Owner: req.Owner, Asset: a}
	if d != nil {
		u.Details = &d.Details
	}
	return u, nil
}

// fileLimitProblem says which of cs's limits the file passes by what
// Cloudinary signed of it (d) or, without d, by what the report r says.
func (cs *compiledSet) fileLimitProblem(r *UploadResult, d *signedFile) string {
	if d != nil {
		l := &cs.Limits
		for _, name := range d.absent {
			visual := r.ResourceType == "image" || r.ResourceType == "video" // a raw file has no width, height or duration
			if name == "bytes" && l.MaxBytes > 0 || name == "width" && visual && l.MaxWidth > 0 ||
				name == "height" && visual && l.MaxHeight > 0 || name == "duration" && r.ResourceType == "video" && l.MaxDuration > 0 {
				return fmt.Sprintf("Cloudinary's notification gives no %s, and the set limits it", name)
			}
		}
		return l.exceeds("Cloudinary", d.Bytes, d.Width, d.Height, d.Duration)
	}
	return cs.Limits.exceeds("the report", r.Bytes, r.Width, r.Height, seconds(r.Duration))
}

// checkOrigin reports whether a genuine upload result r is one that a
// payload of cs could have made for owner and the bound parameters (the
// set's fixed ones merged with a request's, encoded), by the naming rule
// of the package documentation: the resource type and type, the
// public_id, and the format.
func (cs *compiledSet) checkOrigin(owner string, bound map[string]string, r *UploadResult) error {
	if want := cs.resourceType(); want != "auto" && r.ResourceType != want {
		return fmt.Errorf("resource_type %.40q, but the set uploads %s", r.ResourceType, want)
	}
	if want := cs.deliveryType(); r.Type != want {
		return fmt.Errorf("type %.40q, but the set uploads type %s", r.Type, want)
	}
	if err := cs.checkPublicID(owner, r.PublicID); err != nil {
		return err
	}
	if r.Existing && cs.browserNamed() {
		return errors.New("the result says existing: Cloudinary kept an asset of the name the browser chose (overwrite false) and stored nothing")
	}
	return checkFormat(bound["allowed_formats"], r)
}

// checkPublicID checks that a payload of cs for owner could make the
// public_id id: that it has one of the set's shapes, with owner in its
// place.
func (cs *compiledSet) checkPublicID(owner, id string) error {
	var want []string
	for i := range cs.shapes {
		sh := &cs.shapes[i]
		if got, ok := sh.match(id); ok && got == owner {
			return nil
		}
		want = append(want, strconv.Quote(sh.describe(owner)))
	}
	return fmt.Errorf("public_id %.80q is not %s", id, strings.Join(want, " or "))
}

// checkFormat refuses a result whose format is not one of allowed (comma
// separated, empty for any), read for a raw file from the extension of its
// public_id.
func checkFormat(allowed string, r *UploadResult) error {
	if allowed == "" {
		return nil
	}
	format := r.Format
	if r.ResourceType == "raw" {
		format = strings.TrimPrefix(path.Ext(r.PublicID), ".")
	}
	for _, f := range strings.Split(allowed, ",") {
		if format != "" && strings.EqualFold(f, format) {
			return nil
		}
	}
	if format == "" {
		return errors.New("the result has no format, and the set allows only " + allowed)
	}
	return fmt.Errorf("format %.20q, but the set allows only %s", format, allowed)
}
