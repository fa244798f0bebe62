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
	// Type is Cloudinary's notification_type: "upload", "delete", ...
	Type string
	// Key is the same for every delivery of one event (Cloudinary delivers
	// a notification again until it is answered 200), and different for
	// every other event: keep the keys of handled notifications to do
	// each event once.
	Key string
	// Upload is, for an upload, the upload found as [Signer.OwnerOf]
	// finds it, with the Details Cloudinary signed. It is nil for an
	// upload that fits no parameter set, fails its set's checks or
	// exceeds its limits, and Problem says why.
	Upload *Upload
	// Problem is why an upload's Upload is nil: it wraps
	// [ErrUploadMismatch], [ErrLimitExceeded], [ErrSunset] or, for an
	// upload whose fields are not what Cloudinary sends,
	// [ErrMalformedResult].
	Problem error
	// Asset is, for an upload, the asset Cloudinary stored, whether or
	// not it fits a set (with the URL the Signer builds); nil for other
	// notifications, for a malformed one, and for an upload that met an
	// existing asset (its "existing" is true: the asset is not this
	// upload's).
	Asset *Asset
	// Destroyed and DestroyErr are set by a handler that destroys the
	// uploads Problem refuses (uploadsignhttp.WithDestroyViolations):
	// the asset is gone, or DestroyErr says why it could not be
	// destroyed.
	Destroyed  bool
	DestroyErr error
	// Body is the notification as Cloudinary sent it.
	Body json.RawMessage
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
	Bytes        int64    `json:"bytes"`
	Width        int      `json:"width"`
	Height       int      `json:"height"`
	Duration     float64  `json:"duration"`
	Tags         []string `json:"tags"`
	Existing     bool     `json:"existing"`
}

// VerifyNotification checks a webhook notification and returns it, read:
// signature is the X-Cld-Signature header, the hex hash of body, then
// timestamp (the X-Cld-Timestamp header, Unix seconds), then the secret of
// any of the Signer's keys (Cloudinary signs with the account's
// notification key, or its oldest active one; see [WithPreviousKey]). It
// reports [ErrInvalidSignature] when the body is not a JSON object (white
// space around it allowed), the signature does not match or the timestamp
// is not Unix seconds, and [ErrExpired] when the timestamp is older than
// [WithNotificationMaxAge] (two hours by default) or more than five
// minutes ahead. The comparison takes constant time, whichever key
// matches. A genuine upload that no set made is not an error: see
// [Notification].Problem.
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
	if b.Bytes < 0 || b.Width < 0 || b.Height < 0 || b.Duration < 0 || b.Duration > math.MaxInt64/float64(time.Second) {
		return asset, nil, fmt.Errorf("%w: a negative or impossible size", ErrMalformedResult)
	}
	u, err := s.ownerOf(&r, &Details{Bytes: b.Bytes, Width: b.Width, Height: b.Height, Duration: seconds(b.Duration), Tags: b.Tags})
	return asset, u, err
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
