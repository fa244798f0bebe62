package uploadsign

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// ParamSet is a named, versioned set of upload parameters that every
// payload of the set signs. Clients ask for a set by name and version, so a
// backend can add version 2 while clients built for version 1 keep getting
// exactly version 1 (see the package documentation).
type ParamSet struct {
	Name         string `json:"name"`
	Version      int    `json:"version"`
	ResourceType string `json:"resource_type,omitempty"` // "image" (default), "video", "raw", "auto"; picks the URL, is not signed
	Params       Params `json:"params"`                  // the values every payload of this set signs

	// ClientParams lists the parameters a browser may choose itself when
	// it proposes what to sign, as the Upload Widget does; see
	// [Signer.SignProposed]. Parameters the set fixes or a request binds
	// need not be listed (the proposal must carry their values). The set's
	// fixed parameters, timestamp, the keys Cloudinary does not sign,
	// upload_preset (a preset can turn on overwrite where the Signer cannot
	// see it), and eval and on_success (JavaScript that Cloudinary runs
	// during the upload, which can change its parameters) cannot be listed.
	ClientParams []string `json:"client_params,omitempty"`

	// SingleUse makes every payload of the set create at most one asset:
	// Sign gives each payload a fresh, unguessable public_id (128 random
	// bits) and signs overwrite=false, so a replayed payload can neither add
	// an asset nor replace one; Cloudinary answers a replay with the asset
	// the first use made. The resource type is in the upload URL, not the
	// signature, so a payload can still make one asset per resource type
	// (image, video, raw) under its public_id; [Signer.VerifyUploadOf]
	// accepts only the set's. It needs no shared state, so it holds across
	// any number of backend instances. It does not stop the first use from
	// uploading any file within the payload's hour, limit file size, or
	// limit how many payloads a client asks for: rate-limit the endpoint
	// that signs. A request may not bring its own public_id
	// ([ErrParamConflict]), and the set may not fix one or fix overwrite to
	// true.
	SingleUse bool `json:"single_use,omitempty"`

	// Deprecated is when the set stops being recommended: from then on
	// the payloads of the set say Deprecated, and uploadsignhttp's
	// handlers answer with a Deprecation header (sent before then too, to
	// announce it). The zero time means the set is not deprecated.
	Deprecated time.Time `json:"deprecated,omitzero"`
	// Sunset is when the set stops being served: from then on
	// [Signer.Sign] and [Signer.SignProposed] refuse it with an error
	// wrapping [ErrSunset] that names the versions still served, and
	// uploadsignhttp's handlers answer 410 Gone. Payloads of the set carry
	// it before then, and the handlers send a Sunset header. The zero time
	// means never. [New] refuses a Sunset before Deprecated. Compared with
	// the Signer's clock ([WithClock]).
	Sunset time.Time `json:"sunset,omitzero"`
}

// Params are the signable parameters of Cloudinary's upload method, typed.
// The zero value of a field means "not sent": empty strings, nil slices and
// maps, nil booleans and zero numbers are left out of the payload, as the
// official SDKs leave them out. Booleans are pointers so that false can be
// sent; [Bool] makes one. Each field is encoded as the Node SDK's
// build_upload_params encodes it; the json tags are Cloudinary's parameter
// names, so a Params can be read from a JSON file.
//
// Strings must be valid UTF-8 without NUL bytes. Tags and allowed formats may not be empty or
// hold a comma, and Context and Metadata keys may not be empty or hold "="
// or "|": Cloudinary would read such values differently from what was
// meant, so they are refused with [ErrInvalidParam].
type Params struct {
	// Naming and placement.
	PublicID                       string `json:"public_id,omitempty"`
	PublicIDPrefix                 string `json:"public_id_prefix,omitempty"`
	Folder                         string `json:"folder,omitempty"`
	AssetFolder                    string `json:"asset_folder,omitempty"`
	DisplayName                    string `json:"display_name,omitempty"`
	FilenameOverride               string `json:"filename_override,omitempty"`
	UseFilename                    *bool  `json:"use_filename,omitempty"`
	UseFilenameAsDisplayName       *bool  `json:"use_filename_as_display_name,omitempty"`
	UniqueFilename                 *bool  `json:"unique_filename,omitempty"`
	UniqueDisplayName              *bool  `json:"unique_display_name,omitempty"` // sent as "true"/"false", as the SDK sends it
	UseAssetFolderAsPublicIDPrefix *bool  `json:"use_asset_folder_as_public_id_prefix,omitempty"`
	Overwrite                      *bool  `json:"overwrite,omitempty"`

	// Delivery and access.
	Type                    string       `json:"type,omitempty"`        // "upload", "private" or "authenticated"
	AccessMode              string       `json:"access_mode,omitempty"` // "public" or "authenticated"
	AccessControl           []AccessRule `json:"access_control,omitempty"`
	UploadPreset            string       `json:"upload_preset,omitempty"`
	DiscardOriginalFilename *bool        `json:"discard_original_filename,omitempty"`
	Backup                  *bool        `json:"backup,omitempty"`
	Invalidate              *bool        `json:"invalidate,omitempty"`

	// Description.
	Tags         []string          `json:"tags,omitempty"`
	Context      map[string]string `json:"context,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"` // structured metadata, external ID to value
	ClearInvalid *bool             `json:"clear_invalid,omitempty"`

	// Transformations.
	Transformation        string                 `json:"transformation,omitempty"` // incoming transformation, e.g. "c_limit,w_1000"; percent-escapes are decoded, as the SDK decodes them
	Format                string                 `json:"format,omitempty"`
	AllowedFormats        []string               `json:"allowed_formats,omitempty"`
	Eager                 []Eager                `json:"eager,omitempty"`
	EagerAsync            *bool                  `json:"eager_async,omitempty"`
	EagerNotificationURL  string                 `json:"eager_notification_url,omitempty"`
	ResponsiveBreakpoints []ResponsiveBreakpoint `json:"responsive_breakpoints,omitempty"`

	// Analysis.
	Colors                *bool   `json:"colors,omitempty"`
	Faces                 *bool   `json:"faces,omitempty"`
	ImageMetadata         *bool   `json:"image_metadata,omitempty"`
	MediaMetadata         *bool   `json:"media_metadata,omitempty"`
	Exif                  *bool   `json:"exif,omitempty"`
	Phash                 *bool   `json:"phash,omitempty"`
	QualityAnalysis       *bool   `json:"quality_analysis,omitempty"`
	AccessibilityAnalysis *bool   `json:"accessibility_analysis,omitempty"`
	CinemagraphAnalysis   *bool   `json:"cinemagraph_analysis,omitempty"`
	VisualSearch          *bool   `json:"visual_search,omitempty"` // sent as "true"/"false", as the SDK sends it
	AutoChaptering        *bool   `json:"auto_chaptering,omitempty"`
	AutoTranscription     *bool   `json:"auto_transcription,omitempty"`
	FaceCoordinates       []Rect  `json:"face_coordinates,omitempty"`
	CustomCoordinates     []Rect  `json:"custom_coordinates,omitempty"`
	AutoTagging           float64 `json:"auto_tagging,omitempty"` // confidence threshold in (0, 1]; 0 means not sent
	Categorization        string  `json:"categorization,omitempty"`
	Detection             string  `json:"detection,omitempty"`
	OCR                   string  `json:"ocr,omitempty"`
	BackgroundRemoval     string  `json:"background_removal,omitempty"`
	RawConvert            string  `json:"raw_convert,omitempty"`
	SimilaritySearch      string  `json:"similarity_search,omitempty"`
	Moderation            string  `json:"moderation,omitempty"`
	QualityOverride       string  `json:"quality_override,omitempty"`

	// Processing.
	Async             *bool             `json:"async,omitempty"`
	NotificationURL   string            `json:"notification_url,omitempty"`
	Callback          string            `json:"callback,omitempty"`
	Eval              string            `json:"eval,omitempty"`
	OnSuccess         string            `json:"on_success,omitempty"`
	Proxy             string            `json:"proxy,omitempty"`
	ReturnDeleteToken *bool             `json:"return_delete_token,omitempty"`
	Headers           map[string]string `json:"headers,omitempty"` // HTTP headers for the delivered asset

	// Extra holds parameters the fields above do not model, signed as given
	// (for example the Upload Widget's "source"). Names must be lower-case
	// ASCII letters, digits and "_", and may not be a name a field above
	// models, "timestamp", or one the upload endpoint does not sign (file,
	// api_key, signature, cloud_name, resource_type).
	Extra map[string]string `json:"extra,omitempty"`
}

// Bool returns a pointer to b, for the boolean fields of [Params].
func Bool(b bool) *bool { return &b }

// Eager is one derived asset to generate on upload: a transformation such as
// "w_400,h_300,c_pad", optionally in another format ("webp").
type Eager struct {
	Transformation string `json:"transformation"`
	Format         string `json:"format,omitempty"`
}

// Rect is a rectangle in pixels, for face and custom coordinates.
type Rect struct {
	X      int `json:"x"`
	Y      int `json:"y"`
	Width  int `json:"width"`
	Height int `json:"height"`
}

// AccessRule is one entry of access_control: who may see the asset, and
// from when until when. Times are sent as JavaScript sends a Date: UTC,
// with milliseconds.
type AccessRule struct {
	AccessType string    `json:"access_type"` // "anonymous" or "token"
	Start      time.Time `json:"start,omitzero"`
	End        time.Time `json:"end,omitzero"`
}

// ResponsiveBreakpoint asks Cloudinary to compute responsive breakpoints for
// the uploaded image. Zero numbers and empty strings are left out.
type ResponsiveBreakpoint struct {
	CreateDerived  bool   `json:"create_derived"`
	Format         string `json:"format,omitempty"`
	Transformation string `json:"transformation,omitempty"`
	MinWidth       int    `json:"min_width,omitempty"`
	MaxWidth       int    `json:"max_width,omitempty"`
	BytesStep      int    `json:"bytes_step,omitempty"`
	MaxImages      int    `json:"max_images,omitempty"`
}

// field is one encoded parameter: a form field name and its value.
type field struct{ key, value string }

// modeledKeys holds the parameter names the fields of Params model, read
// off their json tags.
var modeledKeys = func() map[string]bool {
	keys := make(map[string]bool)
	t := reflect.TypeOf(Params{})
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "extra" {
			keys[name] = true
		}
	}
	return keys
}()

// booleanKeys holds the parameter names of the boolean fields of Params,
// which Cloudinary reads alike as "true" or "1", "false" or "0".
var booleanKeys = func() map[string]bool {
	keys := make(map[string]bool)
	t := reflect.TypeOf(Params{})
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Type == reflect.TypeOf((*bool)(nil)) {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			keys[name] = true
		}
	}
	return keys
}()

// sameValue reports whether Cloudinary reads the values a and b of key
// alike: booleans by meaning, anything else byte for byte.
func sameValue(key, a, b string) bool {
	if booleanKeys[key] {
		return cloudinary.True(a) && cloudinary.True(b) || cloudinary.False(a) && cloudinary.False(b)
	}
	return a == b
}

// mergedCollection reports whether a request's value for key is merged
// with its set's value rather than required to equal it.
func mergedCollection(key string) bool {
	return key == "tags" || key == "context" || key == "metadata"
}

// mergeCollections merges the set's tags, context and metadata into p (a
// request's copy): tags are appended after the set's, without repeats, and
// map entries are added; an entry whose key the set fixes to another value
// is a conflict. The caller's slices and maps are not modified.
func (p *Params) mergeCollections(set *Params) error {
	if len(p.Tags) > 0 && len(set.Tags) > 0 {
		tags := slices.Clone(set.Tags)
		seen := make(map[string]bool, len(set.Tags)+len(p.Tags))
		for _, t := range tags {
			seen[t] = true
		}
		for _, t := range p.Tags {
			if !seen[t] {
				seen[t] = true
				tags = append(tags, t)
			}
		}
		p.Tags = tags
	}
	var err error
	if p.Context, err = mergeMap("context", set.Context, p.Context); err != nil {
		return err
	}
	p.Metadata, err = mergeMap("metadata", set.Metadata, p.Metadata)
	return err
}

func mergeMap(name string, fixed, own map[string]string) (map[string]string, error) {
	if len(fixed) == 0 || len(own) == 0 {
		return own, nil
	}
	out := make(map[string]string, len(fixed)+len(own))
	for k, v := range fixed {
		out[k] = v
	}
	for k, v := range own {
		if f, ok := fixed[k]; ok && f != v {
			return nil, fmt.Errorf("%w: %s key %q: the set fixes %q, the request gives %q", ErrParamConflict, name, k, f, v)
		}
		out[k] = v
	}
	return out, nil
}

// clone returns p with its own copies of the collections Sign reads after
// the set is registered (the rest is encoded at registration), so that the
// caller cannot change a registered set through its slices and maps.
func (p Params) clone() Params {
	p.Tags = slices.Clone(p.Tags)
	p.Context = maps.Clone(p.Context)
	p.Metadata = maps.Clone(p.Metadata)
	return p
}
