package uploadsign

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	// fixed parameters, timestamp, the keys Cloudinary does not sign, and
	// upload_preset (a preset can turn on overwrite where the Signer cannot
	// see it) cannot be listed.
	ClientParams []string `json:"client_params,omitempty"`

	// SingleUse makes every payload of the set create at most one asset:
	// Sign gives each payload a fresh, unguessable public_id (128 random
	// bits) and signs overwrite=false, so a replayed payload can neither add
	// an asset nor replace one; Cloudinary answers a replay with the asset
	// the first use made. It needs no shared state, so it holds across any
	// number of backend instances. It does not stop the first use from
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

func isTrue(v string) bool  { return v == "true" || v == "1" }
func isFalse(v string) bool { return v == "false" || v == "0" }

// sameValue reports whether Cloudinary reads the values a and b of key
// alike: booleans by meaning, anything else byte for byte.
func sameValue(key, a, b string) bool {
	if booleanKeys[key] {
		return isTrue(a) && isTrue(b) || isFalse(a) && isFalse(b)
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
	e.str("public_id", p.PublicID)
	e.str("public_id_prefix", p.PublicIDPrefix)
	e.str("folder", p.Folder)
	e.str("asset_folder", p.AssetFolder)
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
		e.list("tags", p.Tags)
	}
	if len(p.Context) > 0 {
		e.keyValues("context", p.Context)
	}
	if len(p.Metadata) > 0 {
		e.keyValues("metadata", p.Metadata)
	}
	e.flag("clear_invalid", p.ClearInvalid)

	if p.Transformation != "" {
		e.transformation(p.Transformation)
	}
	e.str("format", p.Format)
	if len(p.AllowedFormats) > 0 {
		e.list("allowed_formats", p.AllowedFormats)
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
		e.autoTagging(p.AutoTagging)
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
		e.headers(p.Headers)
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

// sorted returns the fields sorted by key. It may point into e.
func (e *encoder) sorted() []field {
	list := e.more
	if list == nil {
		list = e.small[:e.n]
	}
	slices.SortFunc(list, func(a, b field) int { return strings.Compare(a.key, b.key) })
	return list
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

// valid reports whether v is valid UTF-8 without NUL bytes, failing key
// if not.
func (e *encoder) valid(key, v string) bool {
	switch {
	case !utf8.ValidString(v):
		e.fail(key, "%.80q is not valid UTF-8", v)
		return false
	case strings.IndexByte(v, 0) >= 0:
		e.fail(key, "%.80q holds a NUL byte", v)
		return false
	}
	return true
}

// str adds a string, which must be valid UTF-8. The empty check is inlined
// at every call: most parameters of a request are empty.
func (e *encoder) str(key, v string) {
	if v != "" {
		e.addString(key, v)
	}
}

func (e *encoder) addString(key, v string) {
	if e.valid(key, v) {
		e.add(key, v)
	}
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

// transformation percent-decodes the incoming transformation as the Node
// SDK's build_upload_params does (decodeURIComponent), refusing what that
// function throws on: a malformed escape, or escapes that are not UTF-8.
func (e *encoder) transformation(t string) {
	if t == "" || !strings.ContainsRune(t, '%') {
		e.str("transformation", t)
		return
	}
	decoded, err := url.PathUnescape(t)
	if err != nil || !utf8.ValidString(decoded) {
		e.fail("transformation", "%.80q has a malformed percent-escape", t)
		return
	}
	e.str("transformation", decoded)
}

// list joins items with ",", refusing items that are empty or hold a comma.
func (e *encoder) list(key string, items []string) {
	if len(items) == 0 {
		return
	}
	for i, item := range items {
		switch {
		case item == "":
			e.fail(key, "item %d is empty", i)
			return
		case strings.ContainsRune(item, ','):
			e.fail(key, "item %d (%q) holds a comma", i, item)
			return
		case !e.valid(key, item):
			return
		}
	}
	e.add(key, strings.Join(items, ","))
}

// keyValues encodes a map as key=value pairs in key order joined with "|",
// with "=" and "|" in values escaped by a backslash, as the SDK's
// encode_context does.
func (e *encoder) keyValues(key string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	var b []byte
	for i, k := range sortedKeys(m) {
		v := m[k]
		switch {
		case k == "":
			e.fail(key, "a key is empty")
			return
		case strings.ContainsAny(k, "=|\\"):
			e.fail(key, "key %.80q holds \"=\", \"|\" or \"\\\", which cannot be escaped", k)
			return
		case ambiguousBackslash(v):
			e.fail(key, "the value of %.80q has \"\\\" before \"=\", \"|\" or its end, which Cloudinary would read as an escape", k)
			return
		case !e.valid(key, k) || !e.valid(key, v):
			return
		}
		if i > 0 {
			b = append(b, '|')
		}
		b = append(b, k...)
		b = append(b, '=')
		b = cloudinary.AppendContextValue(b, v)
	}
	e.add(key, string(b))
}

// ambiguousBackslash reports whether v has a backslash that, once "=" and
// "|" are escaped, Cloudinary would read as part of an escape: one before
// "=", "|" or the end of the value.
func ambiguousBackslash(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && (i+1 == len(v) || v[i+1] == '=' || v[i+1] == '|') {
			return true
		}
	}
	return false
}

func (e *encoder) headers(h map[string]string) {
	if len(h) == 0 {
		return
	}
	var b []byte
	for i, k := range sortedKeys(h) {
		v := h[k]
		switch {
		case k == "" || strings.ContainsAny(k, ":\r\n"):
			e.fail("headers", "header name %q is empty or holds \":\" or a line break", k)
			return
		case strings.ContainsAny(v, "\r\n"):
			e.fail("headers", "the value of %q holds a line break", k)
			return
		case !e.valid("headers", k) || !e.valid("headers", v):
			return
		}
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, k...)
		b = append(b, ':')
		b = append(b, v...)
	}
	e.add("headers", string(b))
}

// eager joins transformations with "|", each followed by "/format" if set.
func (e *encoder) eager(list []Eager) {
	if len(list) == 0 {
		return
	}
	var b []byte
	for i, t := range list {
		switch {
		case t.Transformation == "":
			e.fail("eager", "item %d has no transformation", i)
			return
		case strings.ContainsRune(t.Transformation, '|') || strings.ContainsAny(t.Format, "|/"):
			e.fail("eager", "item %d holds \"|\" in its transformation or \"|\" or \"/\" in its format", i)
			return
		case !e.valid("eager", t.Transformation) || !e.valid("eager", t.Format):
			return
		}
		if i > 0 {
			b = append(b, '|')
		}
		b = append(b, t.Transformation...)
		if t.Format != "" {
			b = append(b, '/')
			b = append(b, t.Format...)
		}
	}
	e.add("eager", string(b))
}

// rects encodes rectangles as x,y,w,h joined with "|".
func (e *encoder) rects(key string, rs []Rect) {
	if len(rs) == 0 {
		return
	}
	var b []byte
	for i, r := range rs {
		if r.X < 0 || r.Y < 0 || r.Width < 0 || r.Height < 0 {
			e.fail(key, "rectangle %d has a negative value", i)
			return
		}
		if i > 0 {
			b = append(b, '|')
		}
		b = strconv.AppendInt(b, int64(r.X), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(r.Y), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(r.Width), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(r.Height), 10)
	}
	e.add(key, string(b))
}

func (e *encoder) autoTagging(v float64) {
	switch {
	case v == 0:
	case math.IsNaN(v) || v < 0 || v > 1:
		e.fail("auto_tagging", "%v is not a confidence in (0, 1]", v)
	default:
		e.add("auto_tagging", jsNumber(v))
	}
}

// jsNumber formats v as JavaScript's Number.prototype.toString does: the
// shortest digits that read back as v, without an exponent from 1e-7 up to
// 1e21, and -0 as "0".
func jsNumber(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	case v < 0:
		return "-" + jsNumber(-v)
	}
	// d.ddde±x: the digits, and n, the position of the decimal point
	// after the first digit as ECMAScript's Number::toString counts it.
	mant, exp, _ := strings.Cut(strconv.FormatFloat(v, 'e', -1, 64), "e")
	digits := strings.Replace(mant, ".", "", 1)
	e, _ := strconv.Atoi(exp)
	k, n := len(digits), e+1
	switch {
	case k <= n && n <= 21:
		return digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return "0." + strings.Repeat("0", -n) + digits
	}
	out := digits[:1]
	if k > 1 {
		out += "." + digits[1:]
	}
	if n-1 < 0 {
		return out + "e-" + strconv.Itoa(1-n)
	}
	return out + "e+" + strconv.Itoa(n-1)
}

// jsDate is how JavaScript's JSON.stringify writes a Date.
const jsDate = "2006-01-02T15:04:05.000Z"

// accessControl encodes the rules as the JSON array the SDK's
// jsonArrayParam writes.
func (e *encoder) accessControl(rules []AccessRule) {
	if len(rules) == 0 {
		return
	}
	b := []byte{'['}
	for i, r := range rules {
		if r.AccessType == "" {
			e.fail("access_control", "rule %d has no access type", i)
			return
		}
		if !e.valid("access_control", r.AccessType) {
			return
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"access_type":`...)
		b = appendJSONString(b, r.AccessType)
		if !r.Start.IsZero() {
			b = append(b, `,"start":`...)
			b = appendJSONString(b, r.Start.UTC().Format(jsDate))
		}
		if !r.End.IsZero() {
			b = append(b, `,"end":`...)
			b = appendJSONString(b, r.End.UTC().Format(jsDate))
		}
		b = append(b, '}')
	}
	e.add("access_control", string(append(b, ']')))
}

// breakpoints encodes the settings as the JSON array the SDK's
// generate_responsive_breakpoints_string writes.
func (e *encoder) breakpoints(list []ResponsiveBreakpoint) {
	if len(list) == 0 {
		return
	}
	b := []byte{'['}
	for i, r := range list {
		if !e.valid("responsive_breakpoints", r.Format) || !e.valid("responsive_breakpoints", r.Transformation) {
			return
		}
		if r.MinWidth < 0 || r.MaxWidth < 0 || r.BytesStep < 0 || r.MaxImages < 0 {
			e.fail("responsive_breakpoints", "item %d has a negative number", i)
			return
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"create_derived":`...)
		b = strconv.AppendBool(b, r.CreateDerived)
		if r.Format != "" {
			b = append(b, `,"format":`...)
			b = appendJSONString(b, r.Format)
		}
		if r.Transformation != "" {
			b = append(b, `,"transformation":`...)
			b = appendJSONString(b, r.Transformation)
		}
		for _, n := range [...]struct {
			name string
			v    int
		}{{"min_width", r.MinWidth}, {"max_width", r.MaxWidth}, {"bytes_step", r.BytesStep}, {"max_images", r.MaxImages}} {
			if n.v != 0 {
				b = append(b, `,"`...)
				b = append(b, n.name...)
				b = append(b, `":`...)
				b = strconv.AppendInt(b, int64(n.v), 10)
			}
		}
		b = append(b, '}')
	}
	e.add("responsive_breakpoints", string(append(b, ']')))
}

// appendJSONString appends s quoted as JavaScript's JSON.stringify quotes
// it: only '"', '\\' and control characters are escaped.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func (e *encoder) extra(m map[string]string) {
	if len(m) == 0 {
		return
	}
	for _, k := range sortedKeys(m) {
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

// sortedKeys returns m's keys in the order JavaScript enumerates an object
// whose keys were inserted in byte order, the order the SDKs' encoders
// then write: keys that are array indices ("0", "9", "10") first, by
// number, then the others in byte order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, aIndex := arrayIndex(a)
		ib, bIndex := arrayIndex(b)
		switch {
		case aIndex && bIndex:
			return cmp.Compare(ia, ib)
		case aIndex:
			return -1
		case bIndex:
			return 1
		}
		return strings.Compare(a, b)
	})
	return keys
}

// arrayIndex reports whether k is a JavaScript array index: the canonical
// decimal form of an integer from 0 to 2^32-2.
func arrayIndex(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return n, err == nil && n < 1<<32-1
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
	bad := func(format string, args ...any) (url.Values, error) {
		return nil, fmt.Errorf("%w: params_to_sign: %s", ErrInvalidParam, fmt.Sprintf(format, args...))
	}
	if !utf8.Valid(paramsToSign) {
		return bad("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(paramsToSign))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return bad("not a JSON object")
	}
	out := url.Values{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return bad("malformed JSON: %v", err)
		}
		key := tok.(string) // object keys are strings
		if _, dup := out[key]; dup {
			return bad("%.60q is given twice", key)
		}
		value, present, err := proposalValue(dec, false)
		if err != nil {
			return bad("%.60q: %v", key, err)
		}
		if strings.IndexByte(key, 0) >= 0 || strings.IndexByte(value, 0) >= 0 {
			return bad("%.60q holds a NUL byte", key)
		}
		if present {
			out[key] = []string{value}
		} else {
			out[key] = nil // seen, for the duplicate check; dropped below
		}
	}
	if _, err := dec.Token(); err != nil {
		return bad("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("data after the JSON object")
	}
	for k, v := range out {
		if v == nil {
			delete(out, k)
		}
	}
	return out, nil
}

// proposalValue reads one JSON value and writes it as JavaScript's String
// would, arrays joined with ","; present is false for null at the top.
func proposalValue(dec *json.Decoder, inArray bool) (value string, present bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return "", false, fmt.Errorf("malformed JSON: %v", err)
	}
	switch v := tok.(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	case bool:
		return strconv.FormatBool(v), true, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return "", false, fmt.Errorf("the number %.40s is beyond what JavaScript can hold", v)
		}
		return jsNumber(f), true, nil
	case json.Delim:
		if v == '{' {
			return "", false, errors.New("a nested object is not an upload parameter")
		}
		if inArray {
			return "", false, errors.New("an array inside an array is not an upload parameter")
		}
		var b strings.Builder
		for i := 0; dec.More(); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			s, _, err := proposalValue(dec, true)
			if err != nil {
				return "", false, err
			}
			b.WriteString(s)
		}
		if _, err := dec.Token(); err != nil { // ]
			return "", false, fmt.Errorf("malformed JSON: %v", err)
		}
		return b.String(), true, nil
	}
	return "", false, fmt.Errorf("unexpected JSON %v", tok)
}
