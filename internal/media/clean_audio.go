package media

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// cleanMP3 copies the MPEG audio frames of an MP3 and nothing else: ID3v2
// tags (first, between frames or at the end), ID3v1, APE and Lyrics tags,
// and any other bytes between frames are dropped. A frame header is
// believed only if another frame like it, a tag or the end of the file
// follows the frame: a tag's text can look like a frame header (the
// byte-order mark FF FE of UTF-16 text reads as MPEG-1 layer I).
func cleanMP3(w *bufio.Writer, r *bufio.Reader) error {
	frames := 0
	for {
		// An ID3v2 tag: its size is in its header.
		if h, err := r.Peek(10); err == nil && string(h[:3]) == "ID3" && h[3] < 0xff && h[6]|h[7]|h[8]|h[9] < 0x80 {
			size := int(h[6])<<21 | int(h[7])<<14 | int(h[8])<<7 | int(h[9])
			if h[5]&0x10 != 0 {
				size += 10 // a footer
			}
			if _, err := r.Discard(10 + size); err != nil {
				if frames == 0 {
					return err
				}
				return nil // a tag cut short at the end
			}
			continue
		}
		h, err := r.Peek(4)
		if len(h) < 4 {
			if frames == 0 {
				return fmt.Errorf("%w: no MPEG audio frames", ErrMalformed)
			}
			if err == io.EOF || len(h) < 4 {
				return nil
			}
			return err
		}
		n := mpegFrameLen(h)
		if n == 0 {
			// Not a frame: a tag or junk. Skip a byte and look again.
			r.Discard(1)
			continue
		}
		hdr := [4]byte(h)
		if !mpegFollows(r, hdr, n) {
			r.Discard(1)
			continue
		}
		frame, err := r.Peek(n)
		if err != nil {
			// A frame cut short at the end of the file: drop it.
			if frames == 0 {
				return fmt.Errorf("%w: no whole MPEG audio frame", ErrMalformed)
			}
			return nil
		}
		w.Write(frame)
		r.Discard(n)
		frames++
	}
}

// mpegFollows reports whether what follows the frame of n bytes at the
// reader's position is the end of the file, a tag, or a frame header of
// the same version, layer and sample rate.
func mpegFollows(r *bufio.Reader, frame [4]byte, n int) bool {
	next, _ := r.Peek(n + 4)
	next = next[min(n, len(next)):]
	if len(next) < 4 {
		return true // the end of the file
	}
	switch string(next[:3]) {
	case "TAG", "ID3", "APE", "LYR":
		return true
	}
	return mpegFrameLen(next) > 0 && next[1]&0xfe == frame[1]&0xfe && next[2]&0x0c == frame[2]&0x0c
}

var (
	mpegBitrates = [2][3][16]int{
		{ // MPEG-1: layers I, II, III
			{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0},
			{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0},
			{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0},
		},
		{ // MPEG-2 and 2.5
			{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0},
			{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},
			{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},
		},
	}
	mpegRates = [4][3]int{{11025, 12000, 8000}, {0, 0, 0}, {22050, 24000, 16000}, {44100, 48000, 32000}}
)

// mpegFrameLen returns the length of the MPEG audio frame whose header is
// h, or 0 if h is not a valid frame header.
func mpegFrameLen(h []byte) int {
	if h[0] != 0xff || h[1]&0xe0 != 0xe0 {
		return 0
	}
	version := (h[1] >> 3) & 3 // 0: 2.5, 2: 2, 3: 1
	layer := (h[1] >> 1) & 3   // 1: III, 2: II, 3: I
	bitIdx := h[2] >> 4
	rateIdx := (h[2] >> 2) & 3
	pad := int(h[2]>>1) & 1
	if version == 1 || layer == 0 || bitIdx == 0 || bitIdx == 15 || rateIdx == 3 {
		return 0
	}
	v := 1
	if version == 3 {
		v = 0
	}
	l := 3 - int(layer) // 0: I, 1: II, 2: III
	bitrate := mpegBitrates[v][l][bitIdx] * 1000
	rate := mpegRates[version][rateIdx]
	switch {
	case l == 0:
		return (12*bitrate/rate + pad) * 4
	case l == 2 && v == 1:
		return 72*bitrate/rate + pad
	}
	return 144*bitrate/rate + pad
}

// cleanFLAC keeps a FLAC's stream information, seek table and cue sheet,
// and drops its other metadata blocks (Vorbis comments, pictures,
// application data, padding); the audio frames are copied as they are, up
// to the tags appended after them.
func cleanFLAC(w *bufio.Writer, r *bufio.Reader, pos func() int64, tail *Tail) error {
	magic := make([]byte, 4)
	if _, err := io.ReadFull(r, magic); err != nil {
		return err
	}
	if string(magic) != "fLaC" {
		return fmt.Errorf("%w: not a FLAC", ErrMalformed)
	}
	type block struct {
		typ  byte
		body []byte
	}
	var kept []block
	seen := map[byte]bool{}
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		typ, last := hdr[0]&0x7f, hdr[0]&0x80 != 0
		n := int(hdr[1])<<16 | int(hdr[2])<<8 | int(hdr[3])
		if (typ == 0 || typ == 3 || typ == 5) && !seen[typ] {
			// One of each: a file that repeats a block must not make
			// the cleaner hold every copy.
			seen[typ] = true
			if n > 1<<20 {
				return fmt.Errorf("%w: a metadata block is too large", ErrMalformed)
			}
			body := make([]byte, n)
			if _, err := io.ReadFull(r, body); err != nil {
				return err
			}
			kept = append(kept, block{typ, body})
		} else if _, err := r.Discard(n); err != nil {
			return err
		}
		if last {
			break
		}
		if typ == 127 {
			return fmt.Errorf("%w: an invalid metadata block", ErrMalformed)
		}
	}
	if len(kept) == 0 || kept[0].typ != 0 {
		return fmt.Errorf("%w: no stream information", ErrMalformed)
	}
	w.Write(magic)
	for i, b := range kept {
		t := b.typ
		if i == len(kept)-1 {
			t |= 0x80
		}
		w.Write([]byte{t, byte(len(b.body) >> 16), byte(len(b.body) >> 8), byte(len(b.body))})
		w.Write(b.body)
	}
	from := pos()
	end, err := tail.audioEnd(from)
	if err != nil {
		return err
	}
	_, err = io.CopyN(w, r, end-from)
	return err
}

// cleanWAV keeps a WAV's format, fact and data chunks (the first of each)
// and drops the others (LIST INFO, id3, bext, iXML, …). A streamed WAV,
// whose data size is 0xFFFFFFFF, has its data copied up to the tags
// appended after it (found by the first pass, tail), and its sizes set to
// what is copied.
func cleanWAV(w *bufio.Writer, r *bufio.Reader, pos func() int64, tail *Tail) error {
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil {
		return err
	}
	if string(riff[:4]) != "RIFF" || string(riff[8:]) != "WAVE" {
		return fmt.Errorf("%w: not a WAV", ErrMalformed)
	}
	var prefix []byte // the chunks kept before data
	seen := map[string]bool{}
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		id := string(hdr[:4])
		n := int64(binary.LittleEndian.Uint32(hdr[4:]))
		if id == "data" {
			streamed := n == 0xffffffff
			var audio int64 // a streamed WAV's data, up to its tags
			if streamed {
				from := pos()
				end, err := tail.audioEnd(from)
				if err != nil {
					return err
				}
				audio = end - from
				n = min(audio, 0xffffffff) // too long for the size fields: still unknown
				binary.LittleEndian.PutUint32(hdr[4:], uint32(n))
			}
			size := uint32(0xffffffff)
			if n != 0xffffffff && 4+int64(len(prefix))+8+n+n&1 < 0xffffffff {
				size = uint32(4 + int64(len(prefix)) + 8 + n + n&1)
			}
			w.Write([]byte("RIFF"))
			binary.Write(w, binary.LittleEndian, size)
			w.Write([]byte("WAVE"))
			w.Write(prefix)
			w.Write(hdr[:])
			if streamed {
				if _, err := io.CopyN(w, r, audio); err != nil {
					return err
				}
				if n < 0xffffffff && n&1 == 1 {
					return w.WriteByte(0)
				}
				return nil
			}
			if _, err := io.CopyN(w, r, n); err != nil {
				return err
			}
			if n&1 == 1 {
				// The pad byte, written whether the file has it or not.
				return w.WriteByte(0)
			}
			return nil // what follows the data is dropped
		}
		if (id == "fmt " || id == "fact") && !seen[id] {
			// One of each: a file that repeats a chunk must not make
			// the cleaner hold every copy.
			seen[id] = true
			if n > 1<<16 {
				return fmt.Errorf("%w: a format chunk is too large", ErrMalformed)
			}
			body := make([]byte, n+n&1)
			if _, err := io.ReadFull(r, body); err != nil {
				return err
			}
			prefix = append(append(prefix, hdr[:]...), body...)
			continue
		}
		if _, err := r.Discard(int(n + n&1)); err != nil {
			return err
		}
	}
}
