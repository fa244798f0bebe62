package uploadsigntest

import (
	"encoding/binary"
	"io"
)

// The boxes of an ISO base media file (ISO/IEC 14496-12) that the fake
// reads to give a video's width, height and duration, as Cloudinary's
// answer does: moov's mvhd (the timescale and the duration) and the
// tkhd of the first track with a picture (its width and height, 16.16
// fixed point). Only box headers and those two boxes are read, wherever
// moov is (before or after the media data), so the cost does not grow
// with the file.

// maxBoxes bounds the boxes walked at one level, against a file that
// would make the walk long.
const maxBoxes = 1024

// box is one box: its type, and where its content lies.
type box struct {
	typ       string
	off, size int64 // of the content, after the header
}

// boxes returns the boxes from off to end, at one level.
func boxes(r io.ReaderAt, off, end int64) []box {
	var out []box
	for len(out) < maxBoxes && off+8 <= end {
		var h [16]byte
		if _, err := r.ReadAt(h[:8], off); err != nil {
			break
		}
		size, header := int64(binary.BigEndian.Uint32(h[:4])), int64(8)
		switch size {
		case 0: // to the end of the container
			size = end - off
		case 1: // a 64-bit size follows
			if _, err := r.ReadAt(h[8:16], off+8); err != nil {
				return out
			}
			size, header = int64(binary.BigEndian.Uint64(h[8:16])), 16
		}
		if size < header || size > end-off {
			break
		}
		out = append(out, box{typ: string(h[4:8]), off: off + header, size: size - header})
		off += size
	}
	return out
}

// readBox reads the first n bytes of a box's content, fewer if it is
// shorter.
func readBox(r io.ReaderAt, b box, n int) []byte {
	buf := make([]byte, min(int64(n), b.size))
	k, _ := r.ReadAt(buf, b.off)
	return buf[:k]
}

// mp4Info reads a video's width, height and duration (in seconds) from
// an ISO base media file of size bytes; zero for what it cannot read.
func mp4Info(r io.ReaderAt, size int64) (width, height int, duration float64) {
	for _, top := range boxes(r, 0, size) {
		if top.typ != "moov" {
			continue
		}
		for _, b := range boxes(r, top.off, top.off+top.size) {
			switch b.typ {
			case "mvhd":
				duration = mvhdDuration(readBox(r, b, 32))
			case "trak":
				if width == 0 {
					width, height = trakSize(r, b)
				}
			}
		}
		break
	}
	return width, height, duration
}

// mvhdDuration reads the duration in seconds from a movie header: version
// 0 has 32-bit times, version 1 64-bit ones.
func mvhdDuration(b []byte) float64 {
	var timescale uint32
	var duration uint64
	switch {
	case len(b) >= 20 && b[0] == 0:
		timescale, duration = binary.BigEndian.Uint32(b[12:]), uint64(binary.BigEndian.Uint32(b[16:]))
	case len(b) >= 32 && b[0] == 1:
		timescale, duration = binary.BigEndian.Uint32(b[20:]), binary.BigEndian.Uint64(b[24:])
	}
	if timescale == 0 || duration == ^uint64(0) || duration == uint64(^uint32(0)) && b[0] == 0 {
		return 0 // unknown duration
	}
	return float64(duration) / float64(timescale)
}

// trakSize reads the width and height of a track's header, rounded down
// to whole pixels: zero for a track without a picture.
func trakSize(r io.ReaderAt, trak box) (width, height int) {
	for _, b := range boxes(r, trak.off, trak.off+trak.size) {
		if b.typ != "tkhd" {
			continue
		}
		h := readBox(r, b, 96)
		at := 76 // version 0: 32-bit times
		if len(h) > 0 && h[0] == 1 {
			at = 88
		}
		if len(h) < at+8 {
			return 0, 0
		}
		return int(binary.BigEndian.Uint32(h[at:]) >> 16), int(binary.BigEndian.Uint32(h[at+4:]) >> 16)
	}
	return 0, 0
}
