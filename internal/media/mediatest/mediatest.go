// Package mediatest makes files that carry identifying metadata, for tests:
// a JPEG and a PNG with a camera, a serial number (SN-0042-CANARY), a GPS
// position and an author (Zhou CANARY).
package mediatest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// EXIF builds a little-endian TIFF with a camera make and model, a
// serial number in the Exif IFD and a GPS position: what a phone writes.
func EXIF() []byte {
	le := binary.LittleEndian
	var b []byte
	b = append(b, "II*\x00"...)
	b = le.AppendUint32(b, 8)
	// IFD0 at 8: Make, Model, ExifIFD, GPSIFD.
	const n0 = 4
	ifd0End := 8 + 2 + 12*n0 + 4
	makeOff := ifd0End
	modelOff := makeOff + 16
	exifOff := modelOff + 16
	exifEnd := exifOff + 2 + 12 + 4
	serialOff := exifEnd
	gpsOff := serialOff + 16
	entry := func(tag, typ uint16, count, value uint32) {
		b = le.AppendUint16(b, tag)
		b = le.AppendUint16(b, typ)
		b = le.AppendUint32(b, count)
		b = le.AppendUint32(b, value)
	}
	b = le.AppendUint16(b, n0)
	entry(0x010f, 2, 16, uint32(makeOff))
	entry(0x0110, 2, 16, uint32(modelOff))
	entry(0x8769, 4, 1, uint32(exifOff))
	entry(0x8825, 4, 1, uint32(gpsOff))
	b = le.AppendUint32(b, 0)
	b = append(b, pad("Canon", 16)...)
	b = append(b, pad("EOS 5D\x1b[31m", 16)...)
	b = le.AppendUint16(b, 1)
	entry(0xa431, 2, 16, uint32(serialOff))
	b = le.AppendUint32(b, 0)
	b = append(b, pad("SN-0042-CANARY", 16)...)
	b = le.AppendUint16(b, 1)
	entry(0x0002, 5, 3, 0)
	b = le.AppendUint32(b, 0)
	return b
}

func pad(s string, n int) []byte {
	b := make([]byte, n)
	copy(b, s)
	return b
}

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := range 24 {
		for x := range 32 {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), uint8(x ^ y), 255})
		}
	}
	return img
}

// JPEGWithEXIF returns a real JPEG with an EXIF segment (make, model, serial,
// GPS) and a comment, as a phone camera leaves one.
func JPEGWithEXIF() []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(), &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	plain := buf.Bytes()
	app1 := append([]byte("Exif\x00\x00"), EXIF()...)
	seg := []byte{0xff, 0xe1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(app1)+2))
	seg = append(seg, app1...)
	com := []byte("taken at Grandma's house")
	seg = append(seg, 0xff, 0xfe)
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(com)+2))
	seg = append(seg, com...)
	out := append([]byte{}, plain[:2]...)
	out = append(out, seg...)
	return append(out, plain[2:]...)
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// PNGWithText returns a real PNG with a text chunk, an eXIf chunk and a tIME
// chunk, one of them after the image data.
func PNGWithText() []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage()); err != nil {
		panic(err)
	}
	p := buf.Bytes()
	// After the signature and IHDR (8 + 25 bytes).
	out := append([]byte{}, p[:33]...)
	out = append(out, pngChunk("tEXt", []byte("Author\x00Zhou CANARY"))...)
	out = append(out, pngChunk("eXIf", EXIF())...)
	rest := p[33:]
	iend := len(rest) - 12
	out = append(out, rest[:iend]...)
	out = append(out, pngChunk("tIME", []byte{7, 232, 3, 1, 10, 0, 0})...)
	return append(out, rest[iend:]...)
}

// MP3Frames returns n MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz).
func MP3Frames(n int) []byte {
	var out []byte
	for i := range n {
		f := make([]byte, 417)
		copy(f, []byte{0xff, 0xfb, 0x90, 0x64})
		for j := 4; j < len(f); j++ {
			f[j] = byte(i*7 + j)
			if f[j] == 0xff {
				f[j] = 0xfe
			}
		}
		out = append(out, f...)
	}
	return out
}

// MP3WithTags returns an MP3 with an ID3v2 tag (an artist, Zhou CANARY), an
// APE tag and an ID3v1 tag around frames.
func MP3WithTags() []byte {
	frame := append([]byte("TPE1"), 0, 0, 0, 13, 0, 0)
	frame = append(frame, "\x03Zhou CANARY"...)
	id3 := append([]byte("ID3\x03\x00\x00"), 0, 0, 0, byte(len(frame)))
	id3 = append(id3, frame...)
	out := append(id3, MP3Frames(10)...)
	out = append(out, "APETAGEX"...)
	out = append(out, make([]byte, 24)...)
	v1 := make([]byte, 128)
	copy(v1, "TAGA song by Zhou CANARY")
	return append(out, v1...)
}

// FLACWithTags returns a FLAC with stream information, a Vorbis comment
// (an artist, Zhou CANARY) and a picture, then audio bytes.
func FLACWithTags() []byte {
	out := []byte("fLaC")
	out = append(out, 0x00, 0, 0, 34)
	out = append(out, make([]byte, 34)...)
	comment := []byte("ARTIST=Zhou CANARY")
	out = append(out, 0x04, 0, 0, byte(len(comment)))
	out = append(out, comment...)
	pic := []byte("a picture of Zhou CANARY")
	out = append(out, 0x86, 0, 0, byte(len(pic)))
	out = append(out, pic...)
	return append(out, FLACAudio()...)
}

// FLACAudio is what FLACWithTags has after its metadata.
func FLACAudio() []byte { return []byte{0xff, 0xf8, 0x69, 0x08, 0x00, 0x13, 1, 2, 3, 4} }

// WAVWithTags returns a WAV with a LIST INFO chunk (an artist, Zhou
// CANARY) before its data and a bext chunk after it.
func WAVWithTags() []byte {
	chunk := func(id string, body []byte) []byte {
		c := append([]byte(id), byte(len(body)), byte(len(body)>>8), byte(len(body)>>16), byte(len(body)>>24))
		c = append(c, body...)
		if len(body)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	fmtChunk := chunk("fmt ", []byte{1, 0, 1, 0, 0x80, 0xbb, 0, 0, 0, 0x77, 1, 0, 2, 0, 16, 0})
	list := chunk("LIST", []byte("INFOIART\x0c\x00\x00\x00Zhou CANARY\x00"))
	data := chunk("data", WAVSamples())
	bext := chunk("bext", []byte("recorded by Zhou CANARY"))
	body := append([]byte("WAVE"), fmtChunk...)
	body = append(body, list...)
	body = append(body, data...)
	body = append(body, bext...)
	return append([]byte("RIFF"), append([]byte{byte(len(body)), byte(len(body) >> 8), byte(len(body) >> 16), byte(len(body) >> 24)}, body...)...)
}

// WAVSamples is the audio of WAVWithTags.
func WAVSamples() []byte {
	s := make([]byte, 200)
	for i := range s {
		s[i] = byte(i * 3)
	}
	return s
}

// StreamedWAV returns a WAV written without knowing its length (data and
// RIFF sizes 0xFFFFFFFF), with a LIST INFO chunk (an artist, Zhou CANARY)
// appended after its data, as a tag editor does.
func StreamedWAV() []byte {
	w := WAVWithTags()
	out := append([]byte("RIFF\xff\xff\xff\xffWAVE"), w[12:36]...) // fmt
	out = append(out, "data\xff\xff\xff\xff"...)
	out = append(out, WAVSamples()...)
	list := []byte("INFOIART\x0c\x00\x00\x00Zhou CANARY\x00")
	out = append(out, "LIST"...)
	out = append(out, byte(len(list)), 0, 0, 0)
	return append(out, list...)
}
