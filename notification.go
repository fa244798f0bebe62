package uploadsign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// Notification is a webhook notification Cloudinary signed.
type Notification struct {
	Type string // Cloudinary's notification_type: "upload", "delete", ...
	// Key is the same for every delivery of one event, which Cloudinary
	// repeats until it is answered 200, and differs between events.
	Key string
	// Upload is an upload's, found as [Signer.OwnerOf] finds it, with the
	// Details Cloudinary signed; nil, and Problem says why, for one that
	// fits no set, fails its set's checks or is not within its limits.
	Upload  *Upload
	Problem error
	// Asset is an upload's asset, whether or not it fits a set; nil for
	// other notifications and for an upload that met an existing asset.
	Asset *Asset
	// Destroyed and DestroyErr say what uploadsignhttp's
	// WithDestroyViolations did with an asset Problem refuses.
	Destroyed  bool
	DestroyErr error
	Body       json.RawMessage // as Cloudinary sent it
}

// notificationBody holds what VerifyNotification reads of a body.
type notificationBody struct {
	Type         string   `json:"notification_type"`
	RequestID    string   `json:"request_id"`
	PublicID     string   `json:"public_id"`
	Version      int64    `json:"version"`
	ResourceType string   `json:"resource_type"`
	DeliveryType string   `json:"type"`
	Format       string   `json:"format"`
	Bytes        *int64   `json:"bytes"` // nil when absent, as each size may be
	Width        *int     `json:"width"`
	Height       *int     `json:"height"`
	Duration     *float64 `json:"duration"`
	Tags         []string `json:"tags"`
	Existing     bool     `json:"existing"`
}

// VerifyNotification checks a webhook notification and reads it:
// signature is the X-Cld-Signature header, the hex hash of body, then
// timestamp (X-Cld-Timestamp, Unix seconds), then the secret of any of the
// Signer's keys, compared in constant time. It reports [ErrInvalidSignature]
// for a body that is not a JSON object, a wrong signature or a malformed
// timestamp, and [ErrExpired] for a timestamp older than
// [WithNotificationMaxAge] or five minutes ahead. A genuine upload that no
// set allows is no error: see Notification.Problem.
func (s *Signer) VerifyNotification(body []byte, timestamp, signature string) (*Notification, error) {
	if !isJSONObject(body) {
		return nil, fmt.Errorf("%w: the notification body is not a JSON object, as every Cloudinary notification is (an upload's signature could pass as one)", ErrInvalidSignature)
	}
	ts, err := cloudinary.ParseTimestamp(timestamp)
	if err != nil {
		return nil, fmt.Errorf("%w: notification timestamp %.40q is not Unix seconds", ErrInvalidSignature, timestamp)
	}
	text := make([]byte, 0, len(body)+len(timestamp)+128)
	text = append(append(text, body...), timestamp...)
	if err := s.compare("notification", signature, s.keys, text); err != nil {
		return nil, err
	}
	age := s.now().Sub(time.Unix(ts, 0))
	switch {
	case age > s.maxAge:
		return nil, fmt.Errorf("%w: notification is %v old, more than %v", ErrExpired, age.Truncate(time.Second), s.maxAge)
	case age < -cloudinary.MaxClockSkew:
		return nil, fmt.Errorf("%w: notification timestamp is %v in the future", ErrExpired, (-age).Truncate(time.Second))
	}
	n := &Notification{Body: bytes.Clone(body)}
	var b notificationBody
	if err := json.Unmarshal(body, &b); err != nil {
		// Genuine, but not in the shape documented: the type may still be read.
		var typ struct {
			Type string `json:"notification_type"`
		}
		_ = json.Unmarshal(body, &typ)
		n.Type, n.Key = typ.Type, bodyKey(body)
		if n.Type == "upload" {
			n.Problem = fmt.Errorf("%w: %v", ErrMalformedResult, err)
		}
		return n, nil
	}
	n.Type, n.Key = b.Type, b.key(body)
	if n.Type == "upload" {
		n.Asset, n.Upload, n.Problem = s.notifiedUpload(&b)
	}
	return n, nil
}

// notifiedUpload finds the asset and the upload an upload notification
// tells of, as OwnerOf does, without a result signature: the body is
// signed.
func (s *Signer) notifiedUpload(b *notificationBody) (*Asset, *Upload, error) {
	r := UploadResult{PublicID: b.PublicID, Version: b.Version, ResourceType: b.ResourceType, Type: b.DeliveryType,
		Format: b.Format, Existing: b.Existing}
	a := Asset{ResourceType: r.ResourceType, Type: r.Type, PublicID: r.PublicID, Version: r.Version, Format: r.Format}
	var err error
	if a.URL, err = deliveryURL(s.delivery, &a, s.urlDigest); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformedResult, err)
	}
	asset := &a
	if b.Existing {
		asset = nil // another upload's asset
	}
	f := signedFile{Details: Details{Tags: b.Tags}}
	for _, size := range []struct {
		name    string
		present bool
		value   float64
	}{
		{"bytes", b.Bytes != nil, float64(deref(b.Bytes))}, {"width", b.Width != nil, float64(deref(b.Width))},
		{"height", b.Height != nil, float64(deref(b.Height))}, {"duration", b.Duration != nil, deref(b.Duration)},
	} {
		switch {
		case !size.present:
			f.absent = append(f.absent, size.name)
		case size.value < 0 || size.name == "duration" && size.value > math.MaxInt64/float64(time.Second):
			return asset, nil, fmt.Errorf("%w: %s %v is negative or impossible", ErrMalformedResult, size.name, size.value)
		}
	}
	f.Bytes, f.Width, f.Height, f.Duration = deref(b.Bytes), deref(b.Width), deref(b.Height), seconds(deref(b.Duration))
	u, err := s.ownerOf(&r, &f)
	return asset, u, err
}

// signedFile is what a notification signed of a file: its Details, and
// the sizes it left out.
type signedFile struct {
	Details
	absent []string // "bytes", "width", "height", "duration"
}

// deref returns *p, or zero for nil.
func deref[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}

// seconds converts Cloudinary's durations, in seconds, to a Duration.
func seconds(s float64) time.Duration {
	if math.IsNaN(s) || s < 0 || s > math.MaxInt64/float64(time.Second) {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

// key returns the notification's Key: its type and Cloudinary's
// request_id when it has one, else, for an upload, its asset and version,
// else a hash of the body.
func (b *notificationBody) key(body []byte) string {
	switch {
	case b.RequestID != "":
		return b.Type + "/" + b.RequestID
	case b.Type == "upload" && b.PublicID != "":
		return fmt.Sprintf("upload/%s/%s/%s/v%d", b.ResourceType, b.DeliveryType, b.PublicID, b.Version)
	}
	return bodyKey(body)
}

// bodyKey is the hex SHA-256 of a body: the same for every delivery of it.
func bodyKey(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha256/" + hex.EncodeToString(sum[:])
}
