package uploadsign

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

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
		e.set("access_control")(encodeAccessControl(p.AccessControl))
	}
	e.str("upload_preset", p.UploadPreset)
	e.flag("discard_original_filename", p.DiscardOriginalFilename)
	e.flag("backup", p.Backup)
	e.flag("invalidate", p.Invalidate)

	if len(p.Tags) > 0 {
		e.set("tags")(encodeList(p.Tags))
	}
	if len(p.Context) > 0 {
		e.set("context")(encodeKeyValues(p.Context))
	}
	if len(p.Metadata) > 0 {
		e.set("metadata")(encodeKeyValues(p.Metadata))
	}
	e.flag("clear_invalid", p.ClearInvalid)

	if p.Transformation != "" {
		e.set("transformation")(encodeTransformation(p.Transformation))
	}
	e.str("format", p.Format)
	if len(p.AllowedFormats) > 0 {
		e.set("allowed_formats")(encodeList(p.AllowedFormats))
	}
	if len(p.Eager) > 0 {
		e.set("eager")(encodeEager(p.Eager))
	}
	e.flag("eager_async", p.EagerAsync)
	e.str("eager_notification_url", p.EagerNotificationURL)
	if len(p.ResponsiveBreakpoints) > 0 {
		e.set("responsive_breakpoints")(encodeBreakpoints(p.ResponsiveBreakpoints))
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
		e.set("face_coordinates")(encodeRects(p.FaceCoordinates))
	}
	if len(p.CustomCoordinates) > 0 {
		e.set("custom_coordinates")(encodeRects(p.CustomCoordinates))
	}
	if p.AutoTagging != 0 {
		e.set("auto_tagging")(encodeAutoTagging(p.AutoTagging))
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
		e.set("headers")(encodeHeaders(p.Headers))
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

// set returns a function that adds the value an encode function returns
// as key, or fails key with its error: e.set("tags")(encodeList(tags)).
func (e *encoder) set(key string) func(v string, err error) {
	return func(v string, err error) {
		if err != nil {
			e.fail(key, "%v", err)
			return
		}
		e.add(key, v)
	}
}

// str adds a string, which must be valid UTF-8 without NUL bytes. It is
// small enough to be inlined, so the empty check costs no call: most
// parameters of a request are empty.
func (e *encoder) str(key, v string) {
	if v != "" {
		e.text(key, v)
	}
}

func (e *encoder) text(key, v string) { e.set(key)(v, checkText(v)) }

// path adds a public_id or folder, which must name one place (see
// checkPath).
func (e *encoder) path(key, v string) {
	if v != "" {
		e.set(key)(v, checkPath(key, v))
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

func (e *encoder) extra(m map[string]string) {
	for _, k := range jsKeys(m) {
		switch {
		case !validParamName(k):
			e.fail("extra", "parameter name %q is not lower-case ASCII letters, digits and \"_\"", k)
		case modeled(k):
			e.fail("extra", "parameter %q has a field of its own in Params", k)
		case k == "timestamp" || cloudinary.Unsigned(k):
			e.fail("extra", "parameter %q is set by the signer or not signed", k)
		default:
			e.str(k, m[k])
		}
	}
}

// validParamName reports whether name looks like a Cloudinary parameter:
// a lower-case ASCII letter, then lower-case letters, digits and "_".
func validParamName(name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
