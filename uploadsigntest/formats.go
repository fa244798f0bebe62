package uploadsigntest

import (
	"encoding/binary"
	"image"
	_ "image/gif"  // register GIF for image.DecodeConfig
	_ "image/jpeg" // register JPEG
	_ "image/png"  // register PNG
	"io"
	"mime"
	"path"
	"strings"
)

// sniff reports the format, size and resource type of an upload, reading
// no more of it than its header.
func sniff(b *blob, filename string) (format string, width, height int, kind string, err error) {
	r, err := b.open()
	if err != nil {
		return "", 0, 0, "", err
	}
	defer r.Close()
	if cfg, f, err := image.DecodeConfig(io.NewSectionReader(r, 0, b.size)); err == nil {
		if f == "jpeg" {
			f = "jpg"
		}
		return f, cfg.Width, cfg.Height, "image", nil
	}
	head := make([]byte, 30)
	n, _ := r.ReadAt(head, 0)
	if w, h, ok := webpSize(head[:n]); ok {
		return "webp", w, h, "image", nil
	}
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(filename)), ".")
	switch ext {
	case "mp4", "mov", "webm", "ogv", "avi", "mkv", "mp3", "wav", "ogg":
		return ext, 0, 0, "video", nil
	}
	return ext, 0, 0, "raw", nil
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

func mimeType(format string) string {
	if t := mime.TypeByExtension("." + format); t != "" {
		return t
	}
	return "application/octet-stream"
}
