package uploadsign

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
)

// ParamSet is a named, versioned set of upload parameters that every
// payload of the set signs (see the package doc).
type ParamSet struct {
	Name         string `json:"name"`
	Version      int    `json:"version"`
	ResourceType string `json:"resource_type,omitempty"` // "image" (default), "video", "raw", "auto"; picks the URL, is not signed
	Params       Params `json:"params"`                  // the values every payload of this set signs

	// ClientParams lists what a browser may choose in a proposal
	// ([Signer.SignProposed]); not what the set fixes, timestamp, unsigned
	// keys, upload_preset, eval, on_success or type.
	ClientParams []string `json:"client_params,omitempty"`

	// SingleUse gives each payload a fresh random public_id and signs
	// overwrite false: a replay neither adds nor replaces an asset. It
	// limits neither file size nor how many payloads a client asks for.
	SingleUse bool `json:"single_use,omitempty"`

	Limits Limits `json:"limits,omitzero"` // a raw set may limit MaxBytes only

	// ValidFor is how long a payload is accepted, from one minute to
	// Cloudinary's hour (zero). Sign dates it back so that Cloudinary's
	// hour ends ValidFor from now, less 30 seconds for the two clocks to
	// differ. Every chunk of a chunked upload must be sent within it.
	// SignProposed refuses a proposal older than ValidFor; what it signs
	// lives Cloudinary's hour (the widget chooses the timestamp).
	ValidFor time.Duration `json:"valid_for,omitempty"`

	// Deprecated is when payloads start to say so, Sunset when the version
	// is refused ([ErrSunset]); zero for never, by the Signer's clock.
	Deprecated time.Time `json:"deprecated,omitzero"`
	Sunset     time.Time `json:"sunset,omitzero"`
}

// Params are the signable parameters of Cloudinary's upload method,
// encoded as the Node SDK encodes them, named by their json tags. A zero
// field is not sent; booleans are pointers, so that false can be ([Bool]).
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

	// Extra holds parameters no field models, signed as given (the Upload
	// Widget's "source"): lower-case ASCII, digits and "_", not timestamp
	// nor a key the upload endpoint does not sign.
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

// ResponsiveBreakpoint asks Cloudinary to compute responsive breakpoints
// for the uploaded image; zero fields are left out.
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

// paramFields are the fields of Params by the parameter each models,
// read once off their json tags (the one place that reads them): the
// field's index, and whether it is a boolean, which Cloudinary reads
// alike as "true" or "1", "false" or "0". Extra is not among them.
var paramFields = func() map[string]paramField {
	fields := make(map[string]paramField)
	t := reflect.TypeOf(Params{})
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "extra" {
			fields[name] = paramField{index: i, boolean: t.Field(i).Type == reflect.TypeOf((*bool)(nil))}
		}
	}
	return fields
}()

type paramField struct {
	index   int
	boolean bool
}

// modeled reports whether a field of Params models the parameter key.
func modeled(key string) bool {
	_, ok := paramFields[key]
	return ok
}

// boolean reports whether the parameter key is a boolean of Params.
func boolean(key string) bool { return paramFields[key].boolean }

// sameValue reports whether Cloudinary reads the values a and b of key
// alike: booleans by meaning, anything else byte for byte.
func sameValue(key, a, b string) bool {
	if boolean(key) {
		return isTrue(a) && isTrue(b) || isFalse(a) && isFalse(b)
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

// isTrue and isFalse report whether Cloudinary reads a boolean parameter's
// value as true ("true" or "1") or false ("false" or "0"), the spellings
// the SDKs send.
func isTrue(v string) bool  { return v == "true" || v == "1" }
func isFalse(v string) bool { return v == "false" || v == "0" }
