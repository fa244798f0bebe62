package uploadsigntest

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// Boxes of ISO base media files (ISO/IEC 14496-12), written from the
// specification.

// isoBox is a box of the type around content, with a 32-bit size, or a
// 64-bit one (size field 1) if large is set.
func isoBox(typ string, large bool, content ...[]byte) []byte {
	body := bytes.Join(content, nil)
	if large {
		b := binary.BigEndian.AppendUint32(nil, 1)
		b = append(b, typ...)
		b = binary.BigEndian.AppendUint64(b, uint64(16+len(body)))
		return append(b, body...)
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

// mvhd is a movie header of the version with the timescale and duration.
func mvhd(version byte, timescale uint32, duration uint64) []byte {
	b := []byte{version, 0, 0, 0}
	if version == 1 {
		b = append(b, make([]byte, 16)...) // creation and modification times
		b = binary.BigEndian.AppendUint32(b, timescale)
		b = binary.BigEndian.AppendUint64(b, duration)
	} else {
		b = append(b, make([]byte, 8)...)
		b = binary.BigEndian.AppendUint32(b, timescale)
		b = binary.BigEndian.AppendUint32(b, uint32(duration))
	}
	return isoBox("mvhd", false, b, make([]byte, 80)) // rate, volume, matrix, next track ID...
}

// tkhd is a track header of the version with the width and height, in
// whole pixels (16.16 fixed point in the box).
func tkhd(version byte, width, height uint32) []byte {
	b := []byte{version, 0, 0, 7}
	if version == 1 {
		b = append(b, make([]byte, 32)...) // times, track ID, reserved, duration
	} else {
		b = append(b, make([]byte, 20)...)
	}
	b = append(b, make([]byte, 8+2+2+2+2+36)...) // reserved, layer, group, volume, reserved, matrix
	b = binary.BigEndian.AppendUint32(b, width<<16)
	b = binary.BigEndian.AppendUint32(b, height<<16)
	return isoBox("tkhd", false, b)
}

func TestMP4Info(t *testing.T) {
	ftyp := isoFile("isom", 0)
	mdat := isoBox("mdat", false, noise(5000))
	audio := isoBox("trak", false, tkhd(0, 0, 0), isoBox("mdia", false, noise(40)))
	video := isoBox("trak", false, isoBox("edts", false, noise(12)), tkhd(1, 640, 360))
	tests := []struct {
		name          string
		file          []byte
		width, height int
		duration      float64
	}{
		{"moov after mdat", bytes.Join([][]byte{ftyp, mdat, isoBox("moov", false, mvhd(0, 1000, 2500), audio, video)}, nil), 640, 360, 2.5},
		{"moov first, 64-bit sizes", bytes.Join([][]byte{ftyp, isoBox("moov", true, mvhd(1, 600, 900), video), isoBox("mdat", true, noise(100))}, nil), 640, 360, 1.5},
		{"the first track with a picture", bytes.Join([][]byte{ftyp, isoBox("moov", false, isoBox("trak", false, tkhd(0, 320, 240)), video, mvhd(0, 1, 3))}, nil), 320, 240, 3},
		{"unknown duration", bytes.Join([][]byte{ftyp, isoBox("moov", false, mvhd(0, 1000, 0xffffffff), video)}, nil), 640, 360, 0},
		{"no timescale", bytes.Join([][]byte{ftyp, isoBox("moov", false, mvhd(0, 0, 10))}, nil), 0, 0, 0},
		{"no moov", bytes.Join([][]byte{ftyp, mdat}, nil), 0, 0, 0},
		{"moov cut short", bytes.Join([][]byte{ftyp, isoBox("moov", false, mvhd(0, 1000, 2500), video)}, nil)[:len(ftyp)+60], 0, 0, 0},
		{"a box larger than the file", append(ftyp, 0xff, 0xff, 0xff, 0xff, 'm', 'o', 'o', 'v'), 0, 0, 0},
		{"tkhd too short", bytes.Join([][]byte{ftyp, isoBox("moov", false, isoBox("trak", false, isoBox("tkhd", false, []byte{0, 0, 0, 7})))}, nil), 0, 0, 0},
	}
	for _, tt := range tests {
		w, h, d := mp4Info(bytes.NewReader(tt.file), int64(len(tt.file)))
		if w != tt.width || h != tt.height || d != tt.duration {
			t.Errorf("%s: %d×%d, %v s; want %d×%d, %v s", tt.name, w, h, d, tt.width, tt.height, tt.duration)
		}
	}
	// sniff gives them with the format.
	file := tests[0].file
	if c := sniff(bytes.NewReader(file), int64(len(file))); c != (content{format: "mp4", kind: "video", width: 640, height: 360, duration: 2.5}) {
		t.Errorf("sniff: %+v", c)
	}
}

// videoFile is an MP4 of a w×h picture lasting seconds (in milliseconds'
// timescale), its moov after n bytes of media data.
func videoFile(w, h uint32, seconds float64, n int) []byte {
	moov := isoBox("moov", false, mvhd(0, 1000, uint64(seconds*1000)), isoBox("trak", false, tkhd(0, w, h)))
	return bytes.Join([][]byte{isoFile("isom", 0), isoBox("mdat", false, noise(n)), moov}, nil)
}
