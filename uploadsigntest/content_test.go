package uploadsigntest_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/uploadsign/uploadsign/uploadsigntest"
)

// signFields returns fields with the test's timestamp, api_key and a
// signature computed here by Cloudinary's documented rule (signed fields
// sorted by name, name=value joined with "&", the secret appended,
// SHA-1), so that these tests depend on no code under test to sign.
func signFields(fields map[string]string) map[string]string {
	return signWith(key, secret, fields)
}

// signWith signs fields as signFields does, with another key.
func signWith(apiKey, apiSecret string, fields map[string]string) map[string]string {
	f := copyFields(fields)
	f["timestamp"] = "1700000000"
	names := make([]string, 0, len(f))
	for name := range f {
		names = append(names, name)
	}
	sort.Strings(names)
	pairs := make([]string, len(names))
	for i, name := range names {
		pairs[i] = name + "=" + f[name]
	}
	f["signature"] = sha1Hex(strings.Join(pairs, "&"), apiSecret)
	f["api_key"] = apiKey
	return f
}

func uploadURL(srv *uploadsigntest.Server, resourceType string) string {
	return srv.URL + "/v1_1/" + cloud + "/" + resourceType + "/upload"
}

// TestFormatFromContent: the format and the resource type come from the
// file's bytes, whatever its name says, as Cloudinary decides them.
func TestFormatFromContent(t *testing.T) {
	_, srv, _ := startFake(t)
	tests := []struct {
		name, resourceType, filename string
		file                         []byte
		kind, format                 string
		width                        int
	}{
		{"png named jpg", "image", "photo.jpg", pngImage(t, 7, 5), "image", "png", 7},
		{"webp named png", "image", "photo.png", webpVP8(300, 200), "image", "webp", 300},
		{"mp4 named mov", "video", "clip.mov", uploadsigntest.ISOFile("isom", 5000), "video", "mp4", 0},
		{"mov named mp4", "video", "clip.mp4", uploadsigntest.ISOFile("qt  ", 5000), "video", "mov", 0},
		{"webm named mkv", "video", "clip.mkv", uploadsigntest.EBMLFile("webm", 5000), "video", "webm", 0},
		{"mkv named webm", "video", "clip.webm", uploadsigntest.EBMLFile("matroska", 5000), "video", "mkv", 0},
		{"avi", "video", "clip", uploadsigntest.RIFFFile("AVI ", 5000), "video", "avi", 0},
		{"auto: an image", "auto", "file.bin", pngImage(t, 7, 5), "image", "png", 7},
		{"auto: a video", "auto", "file.png", uploadsigntest.EBMLFile("webm", 5000), "video", "webm", 0},
		{"auto: neither, raw by its name", "auto", "clip.mp4", randomBytes(5000, 1), "raw", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer, err := uploadsigntest.Post(uploadURL(srv, tt.resourceType), signFields(nil), tt.filename, tt.file)
			if err != nil || answer.Status != http.StatusOK {
				t.Fatalf("%v (%v)", answer, err)
			}
			format, width := answer.Result.Format, answer.Result.Width
			if answer.Result.ResourceType != tt.kind || format != tt.format || width != tt.width {
				t.Errorf("resource_type %v, format %q, width %v; want %s, %q, %v", answer.Result.ResourceType, format, width, tt.kind, tt.format, tt.width)
			}
			if tt.kind != "raw" && !strings.HasSuffix(answer.SecureURL, "."+tt.format) {
				t.Errorf("secure_url %v does not end with the format", answer.SecureURL)
			}
		})
	}
}

// TestUnreadableContent: an image or video upload of a file that is not
// one is refused as Cloudinary refuses it, whatever its name; so is a
// random 30 MB file named .mp4. Nothing of a refused upload is kept.
func TestUnreadableContent(t *testing.T) {
	_, srv, _ := startFake(t)
	tests := []struct {
		name, resourceType, filename string
		file                         []byte
		msg                          string
	}{
		{"random bytes named mkv", "video", "clip.mkv", randomBytes(200_000, 2), "Unsupported video format or file"},
		{"random 30 MB named mp4", "video", "clip.mp4", randomBytes(30_000_000, 3), "Unsupported video format or file"},
		{"an image as a video", "video", "a.png", pngImage(t, 4, 4), "Unsupported video format or file"},
		{"text named png", "image", "a.png", []byte("plain text"), "Invalid image file"},
		{"a video as an image", "image", "a.png", uploadsigntest.ISOFile("isom", 5000), "Invalid image file"},
		{"heic, which the fake does not read", "image", "a.heic", uploadsigntest.ISOFile("heic", 5000), "Invalid image file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer, err := uploadsigntest.Post(uploadURL(srv, tt.resourceType), signFields(nil), tt.filename, tt.file)
			if err != nil || answer.Status != http.StatusBadRequest || answer.Error != tt.msg {
				t.Errorf("%v (%v), want 400 %q", answer, err, tt.msg)
			}
		})
	}
	if ok := succeeded(srv); len(ok) != 0 {
		t.Errorf("recorded %s as accepted", describe(ok))
	}
}

// TestAllowedFormats: a signed allowed_formats refuses other formats with
// Cloudinary's 400 and words, judged on the content; format converts what
// it does not allow (as the official SDKs' tests expect), and only that.
func TestAllowedFormats(t *testing.T) {
	_, srv, _ := startFake(t)
	png := pngImage(t, 4, 4)
	tests := []struct {
		name, resourceType, filename string
		file                         []byte
		fields                       map[string]string
		status                       int
		msg, format                  string
	}{
		{"png, jpg allowed", "image", "a.jpg", png, map[string]string{"allowed_formats": "jpg"}, 400, "Image file format png not allowed", ""},
		{"png, png allowed", "image", "a.png", png, map[string]string{"allowed_formats": "jpg,png"}, 200, "", "png"},
		{"png, jpg allowed, converted to jpg", "image", "a.png", png, map[string]string{"allowed_formats": "jpg", "format": "jpg"}, 200, "", "jpg"},
		{"png, allowed, so not converted", "image", "a.png", png, map[string]string{"allowed_formats": "png", "format": "jpg"}, 200, "", "png"},
		{"mkv named mp4, video formats allowed", "video", "clip.mp4", uploadsigntest.EBMLFile("matroska", 200_000),
			map[string]string{"allowed_formats": "mp4,mov,webm"}, 400, "Video file format mkv not allowed", ""},
		{"webm, video formats allowed", "video", "clip.webm", uploadsigntest.EBMLFile("webm", 200_000),
			map[string]string{"allowed_formats": "mp4,mov,webm"}, 200, "", "webm"},
		{"raw txt, pdf allowed", "raw", "notes.txt", []byte("hello"), map[string]string{"allowed_formats": "pdf"}, 400, "Raw file format txt not allowed", ""},
		{"auto: text, images allowed", "auto", "notes.txt", []byte("hello"), map[string]string{"allowed_formats": "jpg,png"}, 400, "Raw file format txt not allowed", ""},
		{"auto: png, images allowed", "auto", "a.bin", png, map[string]string{"allowed_formats": "jpg,png"}, 200, "", "png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer, err := uploadsigntest.Post(uploadURL(srv, tt.resourceType), signFields(tt.fields), tt.filename, tt.file)
			if err != nil || answer.Status != tt.status || answer.Error != tt.msg {
				t.Fatalf("%v (%v), want %d %q", answer, err, tt.status, tt.msg)
			}
			if format := answer.Result.Format; answer.Status == 200 && format != tt.format {
				t.Errorf("format %q, want %q", format, tt.format)
			}
		})
	}
}

// TestChunkedFormatOfWholeFile: a chunked upload is judged on the
// assembled file, whose header is in the first chunk only.
func TestChunkedFormatOfWholeFile(t *testing.T) {
	_, srv, _ := startChunkFake(t)
	tests := []struct {
		name   string
		file   []byte
		fields map[string]string
		status int
		msg    string
	}{
		{"webm", uploadsigntest.EBMLFile("webm", 3500), map[string]string{"allowed_formats": "mp4,webm"}, 200, ""},
		{"mkv, not allowed", uploadsigntest.EBMLFile("matroska", 3500), map[string]string{"allowed_formats": "mp4,webm"}, 400, "Video file format mkv not allowed"},
		{"random bytes", randomBytes(3500, 4), nil, 400, "Unsupported video format or file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer, err := uploadsigntest.PostChunked(uploadURL(srv, "video"), signFields(tt.fields), "clip.mp4",
				bytes.NewReader(tt.file), int64(len(tt.file)), minChunk)
			if err != nil || answer.Status != tt.status || answer.Error != tt.msg {
				t.Fatalf("%v (%v), want %d %q", answer, err, tt.status, tt.msg)
			}
			if answer.Status == 200 && (answer.Result.Format != "webm" || answer.Result.Bytes != int64(len(tt.file))) {
				t.Errorf("answer %v", answer)
			}
			ups := srv.Uploads()
			if last := ups[len(ups)-1]; last.Status != answer.Status || last.Chunks != 4 {
				t.Errorf("recorded %s, want the whole file's 4 chunks", describe(ups[len(ups)-1:]))
			}
		})
	}
}

// formPart is a field, or the file if file is not nil, of a form posted
// in the order given.
type formPart struct {
	name, value string
	file        []byte
}

func postParts(t *testing.T, url string, parts []formPart) *uploadsigntest.Answer {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range parts {
		if p.file != nil {
			fw, err := mw.CreateFormFile(p.name, "a.png")
			if err != nil {
				t.Fatal(err)
			}
			fw.Write(p.file)
			continue
		}
		mw.WriteField(p.name, p.value)
	}
	mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	return readAnswer(t, resp)
}

// TestFieldsBeforeFile: the fields posted before the file decide whether
// the fake keeps the file while it reads it. Refused ones (api_key,
// signature and timestamp among them) make it count the bytes and keep
// none: a refused 40 MiB upload does not even make the fake create its
// directory of temporary files. Fields posted after the file are read as
// Cloudinary reads them, but for one case the fake documents: refused
// fields before the file that later fields would make acceptable.
func TestFieldsBeforeFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, srv, _ := startFake(t)
	signed := signFields(map[string]string{"public_id": "p"})
	tampered := copyFields(signed)
	tampered["public_id"] = "other"

	answer, err := postStream(uploadURL(srv, "image"), tampered, nil, patternFile(40<<20))
	if err != nil || answer.Status != http.StatusUnauthorized {
		t.Fatalf("tampered: %v (%v)", answer, err)
	}
	if entries, err := os.ReadDir(tmp); err != nil || len(entries) != 0 {
		t.Errorf("after a refused 40 MiB upload, the temporary directory holds %v (%v), want nothing", entries, err)
	}

	img := pngImage(t, 3, 2)
	var after []formPart // every field after the file
	after = append(after, formPart{name: "file", file: img})
	for _, k := range []string{"api_key", "public_id", "signature", "timestamp"} {
		after = append(after, formPart{name: k, value: signed[k]})
	}
	if answer := postParts(t, uploadURL(srv, "image"), after); answer.Status != 200 || answer.Result.Width != 3.0 {
		t.Errorf("fields after the file: %v, want 200", answer)
	}
	split := []formPart{ // public_id, signed, after the file
		{name: "api_key", value: key}, {name: "signature", value: signed["signature"]}, {name: "timestamp", value: signed["timestamp"]},
		{name: "file", file: img}, {name: "public_id", value: "p"},
	}
	if answer := postParts(t, uploadURL(srv, "image"), split); answer.Status != 400 || !strings.Contains(answer.Error, "post every field before the file") {
		t.Errorf("signed fields on both sides of the file: %v, want the fake's 400", answer)
	}
}
