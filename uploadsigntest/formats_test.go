package uploadsigntest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The files below are written from each format's specification: just the
// header the sniffer reads, then noise.

func noise(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(b)
	return b
}

// isoFile is an ISO base media file (ISO/IEC 14496-12): an ftyp box of 24
// bytes with the major brand, then n bytes.
func isoFile(brand string, n int) []byte {
	b := binary.BigEndian.AppendUint32(nil, 24)
	b = append(b, "ftyp"+brand+"\x00\x00\x02\x00"+brand+"mp41"...)
	return append(b, noise(n)...)
}

// ebmlFile is a Matroska or WebM file (RFC 8794, RFC 9559): the EBML
// header with EBMLVersion, DocType and DocTypeVersion, then n bytes.
func ebmlFile(docType string, n int) []byte {
	body := []byte{0x42, 0x86, 0x81, 0x01} // EBMLVersion 1
	body = append(body, 0x42, 0x82, 0x80|byte(len(docType)))
	body = append(body, docType...)
	body = append(body, 0x42, 0x87, 0x81, 0x04) // DocTypeVersion 4
	b := append([]byte{0x1a, 0x45, 0xdf, 0xa3, 0x80 | byte(len(body))}, body...)
	return append(b, noise(n)...)
}

// riffFile is a RIFF file of the form ("AVI ", "WAVE", "WEBP"...), then n
// bytes.
func riffFile(form string, n int) []byte {
	b := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+n))...)
	return append(append(b, form...), noise(n)...)
}

func encoded(t *testing.T, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 7, 5))
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpg":
		err = jpeg.Encode(&buf, img, nil)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSniff(t *testing.T) {
	lossy := append([]byte("RIFF\x00\x00\x00\x00WEBPVP8 \x00\x00\x00\x00\x00\x00\x00\x9d\x01\x2a"), 0x2c, 0x01, 0xc8, 0x00, 0, 0)
	tests := []struct {
		name string
		file []byte
		want content
	}{
		{"png", encoded(t, "png"), content{format: "png", kind: "image", width: 7, height: 5}},
		{"jpeg", encoded(t, "jpg"), content{format: "jpg", kind: "image", width: 7, height: 5}},
		{"gif", encoded(t, "gif"), content{format: "gif", kind: "image", width: 7, height: 5}},
		{"webp", lossy, content{format: "webp", kind: "image", width: 300, height: 200}},
		{"mp4 isom", isoFile("isom", 1000), content{format: "mp4", kind: "video"}},
		{"mp4 mp42", isoFile("mp42", 1000), content{format: "mp4", kind: "video"}},
		{"mov", isoFile("qt  ", 1000), content{format: "mov", kind: "video"}},
		{"heic is not a video", isoFile("heic", 1000), content{}},
		{"avif is not a video", isoFile("avif", 1000), content{}},
		{"ftyp box too small", append([]byte("\x00\x00\x00\x08ftypisom"), noise(100)...), content{}},
		{"ftyp box cut short", []byte("\x00\x00\x00\x18ftypiso"), content{}},
		{"webm", ebmlFile("webm", 1000), content{format: "webm", kind: "video"}},
		{"mkv", ebmlFile("matroska", 1000), content{format: "mkv", kind: "video"}},
		{"EBML of another DocType", ebmlFile("vorbis", 1000), content{}},
		{"EBML header cut short", ebmlFile("webm", 0)[:12], content{}},
		{"EBML header without DocType", append([]byte{0x1a, 0x45, 0xdf, 0xa3, 0x84, 0x42, 0x86, 0x81, 0x01}, noise(100)...), content{}},
		{"DocType after the EBML header", append([]byte{0x1a, 0x45, 0xdf, 0xa3, 0x84, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84}, "webm"...), content{}},
		{"avi", riffFile("AVI ", 1000), content{format: "avi", kind: "video"}},
		{"wav", riffFile("WAVE", 1000), content{format: "wav", kind: "video"}},
		{"RIFF of another form", riffFile("CDDA", 1000), content{}},
		{"mp3 with ID3", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), noise(1000)...), content{format: "mp3", kind: "video"}},
		{"mp3 frame", append([]byte{0xff, 0xfb, 0x90, 0x64}, noise(1000)...), content{format: "mp3", kind: "video"}},
		{"sync bits with a reserved layer", append([]byte{0xff, 0xf9, 0x90, 0x64}, noise(1000)...), content{}},
		{"noise", noise(200_000), content{}},
		{"text", []byte("<html><script>alert(1)</script></html>"), content{}},
		{"empty", []byte{}, content{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sniff(bytes.NewReader(tt.file), int64(len(tt.file)))
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(content{})); diff != "" {
				t.Errorf("sniff (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	png := content{format: "png", kind: "image", width: 7, height: 5}
	mkv := content{format: "mkv", kind: "video"}
	tests := []struct {
		name, resourceType string
		c                  content
		filename           string
		fields             map[string]string
		kind, format, err  string
	}{
		{"image", "image", png, "a.jpg", nil, "image", "png", ""},
		{"image of another file", "image", content{}, "a.png", nil, "", "", "Invalid image file"},
		{"image of a video", "image", mkv, "a.png", nil, "", "", "Invalid image file"},
		{"video", "video", mkv, "a.mp4", nil, "video", "mkv", ""},
		{"video of another file", "video", content{}, "a.mp4", nil, "", "", "Unsupported video format or file"},
		{"video of an image", "video", png, "a.mp4", nil, "", "", "Unsupported video format or file"},
		{"auto image", "auto", png, "a.bin", nil, "image", "png", ""},
		{"auto video", "auto", mkv, "a.bin", nil, "video", "mkv", ""},
		{"auto raw", "auto", content{}, "notes.TXT", nil, "raw", "txt", ""},
		{"raw keeps its extension", "raw", content{}, "a.html", nil, "raw", "html", ""},
		{"allowed", "image", png, "a", map[string]string{"allowed_formats": "jpg,png"}, "image", "png", ""},
		{"not allowed", "image", png, "a", map[string]string{"allowed_formats": "jpg"}, "", "", "Image file format png not allowed"},
		{"video not allowed", "video", mkv, "a", map[string]string{"allowed_formats": "mp4,mov,webm"}, "", "", "Video file format mkv not allowed"},
		{"raw not allowed", "raw", content{}, "a.txt", map[string]string{"allowed_formats": "pdf"}, "", "", "Raw file format txt not allowed"},
		{"auto raw not allowed", "auto", content{}, "a.txt", map[string]string{"allowed_formats": "jpg"}, "", "", "Raw file format txt not allowed"},
		{"not allowed, converted", "image", png, "a", map[string]string{"allowed_formats": "jpg", "format": "jpg"}, "image", "jpg", ""},
		{"allowed, so not converted", "image", png, "a", map[string]string{"allowed_formats": "png,jpg", "format": "jpg"}, "image", "png", ""},
		{"converted", "image", png, "a", map[string]string{"format": "webp"}, "image", "webp", ""},
		{"raw is not converted to be allowed", "raw", content{}, "a.txt", map[string]string{"allowed_formats": "pdf", "format": "pdf"}, "", "", "Raw file format txt not allowed"},
		{"spaces and case in the list", "image", png, "a", map[string]string{"allowed_formats": " JPG , PNG "}, "image", "png", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, format, err := judge(tt.resourceType, tt.c, tt.filename, tt.fields)
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			if kind != tt.kind || format != tt.format || msg != tt.err {
				t.Errorf("judge = %q, %q, %q; want %q, %q, %q", kind, format, msg, tt.kind, tt.format, tt.err)
			}
		})
	}
}
