package uploadsigntest

import (
	"cmp"
	"encoding/binary"
	"image"
	_ "image/gif"  // register GIF for image.DecodeConfig
	_ "image/jpeg" // register JPEG
	_ "image/png"  // register PNG
	"io"
	"math/bits"
	"path"
	"slices"
	"strings"
)

// Cloudinary's refusals of a file that is not what its resource type
// says: "Invalid image file" (an image upload of another file, in users'
// reports since 2014, e.g. cloudinary/cloudinary_npm#26,
// cloudinary/pycloudinary#219) and "Unsupported video format or file" (a
// video upload of another file, or of a truncated MP4, e.g.
// klis87/django-cloudinary-storage#31).
const (
	invalidImage = "Invalid image file"
	invalidVideo = "Unsupported video format or file"
)

// content is what the fake makes of a file from its first bytes.
type content struct {
	format        string  // as Cloudinary names it ("png", "jpg", "mp4", ...), "" if not recognised
	kind          string  // "image" or "video", "" if not recognised
	width, height int     // of an image, or of a video whose header gives them
	duration      float64 // of a video whose header gives it, in seconds
}

// sniffBytes is how much of a file the sniffers read, the standard
// library's image decoders aside.
const sniffBytes = 4096

// sniff reads the format of a file of size bytes from its header: the
// images the standard library decodes (PNG, JPEG, GIF), WebP, and the
// common video and audio containers (see [videoFormat]).
func sniff(r io.ReaderAt, size int64) content {
	if cfg, f, err := image.DecodeConfig(io.NewSectionReader(r, 0, size)); err == nil {
		if f == "jpeg" {
			f = "jpg"
		}
		return content{format: f, kind: "image", width: cfg.Width, height: cfg.Height}
	}
	head := make([]byte, min(size, sniffBytes))
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	if w, h, ok := webpSize(head); ok {
		return content{format: "webp", kind: "image", width: w, height: h}
	}
	if f := videoFormat(head); f != "" {
		c := content{format: f, kind: "video"}
		if f == "mp4" || f == "mov" {
			c.width, c.height, c.duration = mp4Info(r, size)
		}
		return c
	}
	return content{}
}

// judge decides an upload's resource type and format as Cloudinary does:
// image or video from the content (for "auto", raw when it is neither),
// raw's format from the file name's extension. It refuses content that is
// not of the resource type posted to, and a format outside a signed
// allowed_formats unless format converts it: Cloudinary converts to format
// only the files allowed_formats does not allow (support article 205390662,
// "Why is the Format parameter inside my upload preset being ignored").
// The refusal's words are those users report: "Image file format png not
// allowed" (e.g. djade007/cloudinary_public#1, with mov), "Raw file format
// txt not allowed" (cloudinary/pycloudinary#266); "Video file format mkv
// not allowed" follows the same pattern. The official SDKs' tests (Node's
// uploader_spec "allowed_formats", Ruby's uploader_spec) pin the status,
// 400, and the conversion, not the words.
func judge(resourceType string, c content, filename string, f map[string]string) (kind, format string, err error) {
	kind = resourceType
	if kind == "auto" {
		kind = cmp.Or(c.kind, "raw")
	}
	switch {
	case kind == "image" && c.kind != "image":
		return "", "", badRequest(invalidImage)
	case kind == "video" && c.kind != "video":
		return "", "", badRequest(invalidVideo)
	}
	format = c.format
	if kind == "raw" {
		format = strings.TrimPrefix(strings.ToLower(path.Ext(filename)), ".")
	}
	allowed := splitFormats(f["allowed_formats"])
	switch {
	case len(allowed) > 0 && slices.Contains(allowed, format):
		// allowed: kept as it is, whatever format asks
	case len(allowed) > 0 && (kind == "raw" || f["format"] == ""):
		return "", "", badRequest("%s file format %s not allowed", strings.ToUpper(kind[:1])+kind[1:], format)
	case f["format"] != "":
		format = f["format"] // converted (the fake converts only the name)
	}
	return kind, format, nil
}

// splitFormats reads allowed_formats, formats joined with ",".
func splitFormats(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// webpSize reads the canvas size from a WebP header (lossy, lossless or
// extended), which the standard library cannot decode.
func webpSize(b []byte) (w, h int, ok bool) {
	if len(b) < 30 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return 0, 0, false
	}
	switch string(b[12:16]) {
	case "VP8 ": // lossy: frame tag, start code, then 14-bit sizes
		if b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a {
			return 0, 0, false
		}
		return int(binary.LittleEndian.Uint16(b[26:]) & 0x3fff), int(binary.LittleEndian.Uint16(b[28:]) & 0x3fff), true
	case "VP8L": // lossless: signature 0x2f, then 14-bit sizes minus one
		if b[20] != 0x2f {
			return 0, 0, false
		}
		bits := binary.LittleEndian.Uint32(b[21:])
		return int(bits&0x3fff) + 1, int(bits>>14&0x3fff) + 1, true
	case "VP8X": // extended: 24-bit canvas sizes minus one
		w := int(b[24]) | int(b[25])<<8 | int(b[26])<<16
		h := int(b[27]) | int(b[28])<<8 | int(b[29])<<16
		return w + 1, h + 1, true
	}
	return 0, 0, false
}

// videoFormat names the container of a video or audio file from its first
// bytes, as Cloudinary names it: an ISO base media file (mp4, or mov for
// QuickTime), EBML (webm or mkv, by its DocType), RIFF (avi, wav), MP3;
// "" for anything else.
func videoFormat(b []byte) string {
	if f := isoBMFF(b); f != "" {
		return f
	}
	if f := ebmlDocType(b); f != "" {
		return f
	}
	if len(b) >= 12 && string(b[0:4]) == "RIFF" {
		switch string(b[8:12]) {
		case "AVI ":
			return "avi"
		case "WAVE":
			return "wav"
		}
	}
	if isMP3(b) {
		return "mp3"
	}
	return ""
}

// isoBMFF reads an ISO base media file: a first box of type ftyp, of at
// least 16 bytes, whose major brand "qt  " means QuickTime (mov) and any
// other a video, mp4, but the brands of HEIF and AVIF images.
func isoBMFF(b []byte) string {
	if len(b) < 16 || string(b[4:8]) != "ftyp" || binary.BigEndian.Uint32(b) < 16 {
		return ""
	}
	switch string(b[8:12]) {
	case "qt  ":
		return "mov"
	case "avif", "avis", "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
		return ""
	}
	return "mp4"
}

// ebmlDocType reads the EBML header that starts Matroska and WebM files
// (RFC 8794): element 0x1A45DFA3, whose child DocType (0x4282) is "webm"
// or "matroska" (mkv).
func ebmlDocType(b []byte) string {
	if len(b) < 4 || string(b[:4]) != "\x1a\x45\xdf\xa3" {
		return ""
	}
	size, n, ok := vint(b[4:])
	if !ok {
		return ""
	}
	body := b[4+n:]
	if size < uint64(len(body)) {
		body = body[:size]
	}
	for len(body) > 0 {
		id, n, ok := elementID(body)
		if !ok {
			return ""
		}
		body = body[n:]
		size, m, ok := vint(body)
		if !ok || size > uint64(len(body)-m) {
			return ""
		}
		data := body[m : m+int(size)]
		body = body[m+int(size):]
		if id == 0x4282 {
			switch strings.TrimRight(string(data), "\x00") {
			case "webm":
				return "webm"
			case "matroska":
				return "mkv"
			}
			return ""
		}
	}
	return ""
}

// vint reads an EBML variable-size integer: one more than the leading zero
// bits of its first byte is its length, the bits after the first one bit
// its value.
func vint(b []byte) (v uint64, n int, ok bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, false
	}
	n = bits.LeadingZeros8(b[0]) + 1
	if len(b) < n {
		return 0, 0, false
	}
	v = uint64(b[0] & (0xff >> n))
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
	}
	return v, n, true
}

// elementID reads an EBML element ID: a variable-size integer of at most
// four bytes, kept with its length bits.
func elementID(b []byte) (id uint64, n int, ok bool) {
	if len(b) == 0 || b[0] < 0x10 {
		return 0, 0, false
	}
	n = bits.LeadingZeros8(b[0]) + 1
	if len(b) < n {
		return 0, 0, false
	}
	for _, c := range b[:n] {
		id = id<<8 | uint64(c)
	}
	return id, n, true
}

// isMP3 recognises an MP3 file: an ID3v2 tag, or the header of an MPEG
// audio layer III frame (sync bits, a version and layer III, a bitrate and
// sample rate that are not reserved).
func isMP3(b []byte) bool {
	if len(b) >= 10 && string(b[:3]) == "ID3" {
		return true
	}
	return len(b) >= 4 && b[0] == 0xff && b[1]&0xe0 == 0xe0 && b[1]>>3&3 != 1 && b[1]>>1&3 == 1 &&
		b[2]>>4 != 0 && b[2]>>4 != 0xf && b[2]>>2&3 != 3
}

// mimeTypes are the content types of the formats the fake recognises,
// which it serves them with.
var mimeTypes = map[string]string{
	"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
	"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm", "mkv": "video/x-matroska",
	"avi": "video/x-msvideo", "wav": "audio/wav", "mp3": "audio/mpeg",
}
