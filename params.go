package uploadsign

import (
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
	"github.com/uploadsign/uploadsign/internal/encode"
	"github.com/uploadsign/uploadsign/internal/proposal"
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

// fields returns p's parameters, encoded and sorted by key.
func (p *Params) fields() ([]field, error) {
	var e encoder
	if err := p.encode(&e); err != nil {
		return nil, err
	}
	return slices.Clone(e.sorted()), nil
}

// encode adds p's parameters, encoded, to e, and returns the first
// parameter that cannot be encoded as an error wrapping ErrInvalidParam.
// The collections are encoded only when set, so that the common request,
// a few strings, costs no calls.
func (p *Params) encode(e *encoder) error {
	e.path("public_id", p.PublicID)
	e.path("public_id_prefix", p.PublicIDPrefix)
	e.path("folder", p.Folder)
	e.path("asset_folder", p.AssetFolder)
	e.str("display_name", p.DisplayName)
	e.str("filename_override", p.FilenameOverride)
	e.flag("use_filename", p.UseFilename)
	e.flag("use_filename_as_display_name", p.UseFilenameAsDisplayName)
	e.flag("unique_filename", p.UniqueFilename)
	e.word("unique_display_name", p.UniqueDisplayName)
	e.flag("use_asset_folder_as_public_id_prefix", p.UseAssetFolderAsPublicIDPrefix)
	e.flag("overwrite", p.Overwrite)

	e.str("type", p.Type)
	e.str("access_mode", p.AccessMode)
	if len(p.AccessControl) > 0 {
		e.accessControl(p.AccessControl)
	}
	e.str("upload_preset", p.UploadPreset)
	e.flag("discard_original_filename", p.DiscardOriginalFilename)
	e.flag("backup", p.Backup)
	e.flag("invalidate", p.Invalidate)

	if len(p.Tags) > 0 {
		v, err := encode.List(p.Tags)
		e.set("tags", v, err)
	}
	if len(p.Context) > 0 {
		v, err := encode.KeyValues(p.Context)
		e.set("context", v, err)
	}
	if len(p.Metadata) > 0 {
		v, err := encode.KeyValues(p.Metadata)
		e.set("metadata", v, err)
	}
	e.flag("clear_invalid", p.ClearInvalid)

	if p.Transformation != "" {
		v, err := encode.Transformation(p.Transformation)
		e.set("transformation", v, err)
	}
	e.str("format", p.Format)
	if len(p.AllowedFormats) > 0 {
		v, err := encode.List(p.AllowedFormats)
		e.set("allowed_formats", v, err)
	}
	if len(p.Eager) > 0 {
		e.eager(p.Eager)
	}
	e.flag("eager_async", p.EagerAsync)
	e.str("eager_notification_url", p.EagerNotificationURL)
	if len(p.ResponsiveBreakpoints) > 0 {
		e.breakpoints(p.ResponsiveBreakpoints)
	}

	e.flag("colors", p.Colors)
	e.flag("faces", p.Faces)
	e.flag("image_metadata", p.ImageMetadata)
	e.flag("media_metadata", p.MediaMetadata)
	e.flag("exif", p.Exif)
	e.flag("phash", p.Phash)
	e.flag("quality_analysis", p.QualityAnalysis)
	e.flag("accessibility_analysis", p.AccessibilityAnalysis)
	e.flag("cinemagraph_analysis", p.CinemagraphAnalysis)
	e.word("visual_search", p.VisualSearch)
	e.flag("auto_chaptering", p.AutoChaptering)
	e.flag("auto_transcription", p.AutoTranscription)
	if len(p.FaceCoordinates) > 0 {
		e.rects("face_coordinates", p.FaceCoordinates)
	}
	if len(p.CustomCoordinates) > 0 {
		e.rects("custom_coordinates", p.CustomCoordinates)
	}
	if p.AutoTagging != 0 {
		v, err := encode.AutoTagging(p.AutoTagging)
		e.set("auto_tagging", v, err)
	}
	e.str("categorization", p.Categorization)
	e.str("detection", p.Detection)
	e.str("ocr", p.OCR)
	e.str("background_removal", p.BackgroundRemoval)
	e.str("raw_convert", p.RawConvert)
	e.str("similarity_search", p.SimilaritySearch)
	e.str("moderation", p.Moderation)
	e.str("quality_override", p.QualityOverride)

	e.flag("async", p.Async)
	e.str("notification_url", p.NotificationURL)
	e.str("callback", p.Callback)
	e.str("eval", p.Eval)
	e.str("on_success", p.OnSuccess)
	e.str("proxy", p.Proxy)
	e.flag("return_delete_token", p.ReturnDeleteToken)
	if len(p.Headers) > 0 {
		v, err := encode.Headers(p.Headers)
		e.set("headers", v, err)
	}

	if len(p.Extra) > 0 {
		e.extra(p.Extra)
	}
	return e.err
}

// encoder collects encoded fields and keeps the first error. It holds the
// first fields in an array of its own, so that encoding the few parameters
// of a request allocates nothing.
type encoder struct {
	small [12]field
	n     int
	more  []field // all the fields, once small is full
	err   error
}

// sorted sorts the fields by key and returns them. It may point into e.
func (e *encoder) sorted() []field {
	list := e.list()
	slices.SortFunc(list, func(a, b field) int { return strings.Compare(a.key, b.key) })
	return list
}

// list returns the fields in their order: as added, or sorted once sorted
// has run. It may point into e.
func (e *encoder) list() []field {
	if e.more != nil {
		return e.more
	}
	return e.small[:e.n]
}

func (e *encoder) fail(key, format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("%w: %s: %s", ErrInvalidParam, key, fmt.Sprintf(format, args...))
	}
}

func (e *encoder) add(key, value string) {
	switch {
	case value == "":
	case e.more != nil:
		e.more = append(e.more, field{key, value})
	case e.n < len(e.small):
		e.small[e.n] = field{key, value}
		e.n++
	default:
		e.more = append(append(make([]field, 0, 4*len(e.small)), e.small[:]...), field{key, value})
	}
}

// set adds the value an encode function returns, or fails key with its
// error.
func (e *encoder) set(key, v string, err error) {
	if err != nil {
		e.fail(key, "%v", err)
		return
	}
	e.add(key, v)
}

// str adds a string, which must be valid UTF-8 without NUL bytes. It is
// small enough to be inlined, so the empty check costs no call: most
// parameters of a request are empty.
func (e *encoder) str(key, v string) {
	if v != "" {
		e.text(key, v)
	}
}

func (e *encoder) text(key, v string) { e.set(key, v, encode.Text(v)) }

// path adds a public_id or folder, which must name one place (see
// checkPath).
func (e *encoder) path(key, v string) {
	if v != "" {
		e.set(key, v, checkPath(key, v))
	}
}

// checkPath refuses a value of one of the parameters that name a place
// (public_id, folder, public_id_prefix, asset_folder) with a "." or ".."
// segment, an empty segment or a leading or trailing "/", and any other
// value Params refuses in a string. It is the one rule that signing and
// verifying share.
func checkPath(key, v string) error {
	if slices.Contains(cloudinary.PathParams, key) {
		if err := cloudinary.CheckPath(v); err != nil {
			return fmt.Errorf("%.80q %w", v, err)
		}
	}
	return encode.Text(v)
}

// flag encodes a boolean as the SDK's as_safe_bool does: 1 or 0.
func (e *encoder) flag(key string, b *bool) {
	if b != nil {
		e.addFlag(key, *b)
	}
}

func (e *encoder) addFlag(key string, b bool) {
	if b {
		e.add(key, "1")
	} else {
		e.add(key, "0")
	}
}

// word encodes a boolean the SDK passes through unconverted: true or false.
func (e *encoder) word(key string, b *bool) {
	if b != nil {
		e.add(key, strconv.FormatBool(*b))
	}
}

func (e *encoder) eager(list []Eager) {
	items := make([]encode.EagerItem, len(list))
	for i, t := range list {
		items[i] = encode.EagerItem(t)
	}
	v, err := encode.Eager(items)
	e.set("eager", v, err)
}

func (e *encoder) rects(key string, rs []Rect) {
	list := make([][4]int, len(rs))
	for i, r := range rs {
		list[i] = [4]int{r.X, r.Y, r.Width, r.Height}
	}
	v, err := encode.Rects(list)
	e.set(key, v, err)
}

func (e *encoder) accessControl(rules []AccessRule) {
	list := make([]encode.AccessRule, len(rules))
	for i, r := range rules {
		list[i] = encode.AccessRule(r)
	}
	v, err := encode.AccessControl(list)
	e.set("access_control", v, err)
}

func (e *encoder) breakpoints(list []ResponsiveBreakpoint) {
	items := make([]encode.Breakpoint, len(list))
	for i, r := range list {
		items[i] = encode.Breakpoint{CreateDerived: r.CreateDerived, Format: r.Format, Transformation: r.Transformation,
			MinWidth: r.MinWidth, MaxWidth: r.MaxWidth, BytesStep: r.BytesStep, MaxImages: r.MaxImages}
	}
	v, err := encode.Breakpoints(items)
	e.set("responsive_breakpoints", v, err)
}

func (e *encoder) extra(m map[string]string) {
	for _, k := range encode.Keys(m) {
		switch {
		case !cloudinary.ValidParamName(k):
			e.fail("extra", "parameter name %q is not lower-case ASCII letters, digits and \"_\"", k)
		case modeledKeys[k]:
			e.fail("extra", "parameter %q has a field of its own in Params", k)
		case k == "timestamp" || cloudinary.Unsigned(k):
			e.fail("extra", "parameter %q is set by the signer or not signed", k)
		default:
			e.str(k, m[k])
		}
	}
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

// ParseProposal reads a JSON object of upload parameters, such as the
// Upload Widget's params_to_sign, into the values Cloudinary signs: each
// value becomes the string the official Node SDK's api_sign_request makes
// of it. Strings stay as they are; numbers are written as JavaScript writes
// them (1.50 as 1.5, 1E21 as 1e+21, 12345678901234567890 as
// 12345678901234567000); booleans are true and false; arrays are joined
// with "," after each element is written the same way (null as an empty
// element); null values are dropped. The result holds one value per key.
//
// It refuses, with an error wrapping [ErrInvalidParam], what is not a
// JSON object, a duplicate key, a nested object or an array inside an
// array, a number beyond float64, invalid UTF-8, and NUL bytes. It signs
// nothing: pass the result to [Signer.SignProposed].
func ParseProposal(paramsToSign []byte) (url.Values, error) {
	values, err := proposal.Parse(paramsToSign)
	if err != nil {
		return nil, fmt.Errorf("%w: params_to_sign: %w", ErrInvalidParam, err)
	}
	return values, nil
}
