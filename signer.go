package uploadsign

import (
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// Signer signs and verifies with one account's credentials; make it with
// [New] or [FromURL]. It is immutable, safe for concurrent use, and never
// prints its secret.
type Signer struct {
	cloudName string
	apiKey    string
	// keys holds the current key first, then the previous ones
	// (WithPreviousKey). Each secret lives only inside its key's hash
	// function, where no printer reaches: not fmt, nor reflection-based
	// ones (go-cmp, spew, testify).
	keys      []key
	algorithm Algorithm
	version   int
	now       func() time.Time
	uploadURL string
	delivery  string // the delivery URL's prefix, before /RESOURCE_TYPE/TYPE/
	maxAge    time.Duration
	client    *http.Client              // Destroy's
	sets      map[string][]*compiledSet // by name, in version order
}

// New returns a Signer for the account's cloud name, API key and API
// secret. Errors wrap [ErrInvalidConfig] for bad credentials, options or
// sets (the package doc says what a set may not be), and
// [ErrInvalidParam] for a set's value that cannot be encoded.
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
	if cfg.client == nil {
		return nil, fmt.Errorf("%w: WithHTTPClient: the client is nil", ErrInvalidConfig)
	}
	if cfg.notificationMaxAge <= 0 {
		return nil, fmt.Errorf("%w: WithNotificationMaxAge: %v is not positive", ErrInvalidConfig, cfg.notificationMaxAge)
	}
	base, err := checkUploadURL(cfg.uploadURL)
	if err != nil {
		return nil, fmt.Errorf("%w: WithUploadURL: %w", ErrInvalidConfig, err)
	}
	deliveryPrefix := defaultPrefix(cloudName)
	if cfg.deliveryURL != "" {
		if err := checkPrefix(cfg.deliveryURL); err != nil {
			return nil, fmt.Errorf("%w: WithDeliveryURL: %w", ErrInvalidConfig, err)
		}
		deliveryPrefix = cfg.deliveryURL
	}
	keys, err := makeKeys(newKey(apiKey, apiSecret), cfg.previousKeys)
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
		client:    cfg.client,
		sets:      make(map[string][]*compiledSet, len(cfg.sets)),
	}
	for _, set := range cfg.sets {
		if err := s.addSet(set); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// FromURL returns a Signer for the credentials in a Cloudinary URL,
// cloudinary://API_KEY:API_SECRET@CLOUD_NAME, as the SDKs read it from
// CLOUDINARY_URL: escapes in the key and secret decoded, upload_prefix,
// signature_algorithm and signature_version applied, other query
// parameters ignored, options given here applied last. Errors wrap
// [ErrInvalidConfig] and name the part at fault without quoting it.
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
		if _, err := checkUploadURL(v); err != nil {
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

// APIKey returns the account's API key; the secret has no accessor.
func (s *Signer) APIKey() string { return s.apiKey }

// CloudName returns the account's cloud name.
func (s *Signer) CloudName() string { return s.cloudName }

// UploadURL returns BASE/v1_1/CLOUD_NAME/RESOURCE_TYPE/upload, where an
// upload of the resource type ("image", "video", "raw", "auto") posts.
func (s *Signer) UploadURL(resourceType string) string {
	return s.uploadURL + "/v1_1/" + s.cloudName + "/" + resourceType + "/upload"
}

// hashSize is the size of the Signer's hash in bytes.
func (s *Signer) hashSize() int {
	if s.algorithm == SHA256 {
		return sha256.Size
	}
	return sha1.Size
}

func (s *Signer) setCount() int {
	n := 0
	for _, versions := range s.sets {
		n += len(versions)
	}
	return n
}

// String describes the Signer without its secret.
func (s *Signer) String() string {
	previous := ""
	if len(s.keys) > 1 {
		previous = fmt.Sprintf(" previous_keys: %d,", len(s.keys)-1)
	}
	return fmt.Sprintf("uploadsign.Signer{cloud_name: %q, api_key: %q, api_secret: [redacted],%s algorithm: %s, signature_version: %d, param_sets: %d}",
		s.cloudName, s.apiKey, previous, s.algorithm, s.version, s.setCount())
}

// LogValue describes the Signer to log/slog without its secret.
func (s *Signer) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("cloud_name", s.cloudName),
		slog.String("api_key", s.apiKey),
		slog.String("api_secret", "[redacted]"),
		slog.Int("previous_keys", len(s.keys)-1),
		slog.String("algorithm", string(s.algorithm)),
		slog.Int("signature_version", s.version),
	)
}

// checkUploadURL refuses an upload URL base that is not an absolute http
// or https URL without user information, query or fragment, and returns
// it without a trailing "/". The message says why without quoting the URL,
// whose user information could hold a password.
func checkUploadURL(base string) (string, error) {
	bad := func(why string) (string, error) { return "", errors.New("the upload URL " + why) }
	u, err := url.Parse(base)
	switch {
	case err != nil:
		return bad("is not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("is not an absolute http or https URL")
	case u.Host == "":
		return bad("has no host")
	case u.User != nil:
		return bad("has user information")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return bad("has a query or fragment")
	}
	return strings.TrimRight(base, "/"), nil
}
