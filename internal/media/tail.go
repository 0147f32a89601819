package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Tail is a first pass over a WAV or a FLAC that finds where the tags
// appended after its audio start. Those tags can only be found from the end
// of the file: a FLAC's audio frames, and the data of a WAV written without
// knowing its length (a data size of 0xFFFFFFFF), run to the end of the
// file, and a tag editor appends ID3, APE or RIFF chunks there. Write every
// byte of the file to a Tail, in order, then pass it to [Clean] with the
// same file. Its memory is bounded whatever the file's size.
type Tail struct {
	typ string
	n   int64
	// last holds the file's last bytes: where ID3v1, APE footers and ID3v2
	// footers are.
	last []byte
	// starts maps where a tag-like header's tag would end to where the
	// earliest such header starts: every RIFF chunk header with a metadata
	// chunk ID, and every ID3v2 header, wherever it is. Walking back from
	// the end of the file through it finds a chain of tags that ends
	// exactly at the end of the file.
	starts   map[int64]int64
	overflow bool
	overlap  []byte // the last bytes written
	junction []byte
}

const (
	tailLast = 512 // bytes of the file's end kept
	// maxTagStarts bounds the headers remembered: audio data holds a
	// chunk-like header by chance about once in 4 GiB, so only a file
	// built to do it reaches this, and it is refused.
	maxTagStarts  = 1 << 16
	headerOverlap = 9 // one byte less than the longest header looked for
)

// riffTagIDs are the RIFF chunks found after a WAV's data that carry
// metadata or nothing needed to play it.
var riffTagIDs = []string{
	"LIST", "id3 ", "ID3 ", "bext", "iXML", "_PMX", "axml", "JUNK", "junk",
	"PAD ", "DISP", "cart", "umid", "afsp", "cue ", "smpl", "inst", "acid",
	"plst", "labl", "note", "ltxt", "fact",
}

// NewTail returns a first pass for a file of the given media type, or nil if
// the type needs none. For a PDF it only counts the bytes, so that the
// cleaner reads the file into a buffer of the right size at once.
func NewTail(mediaType string) *Tail {
	switch mediaType {
	case WAV, FLAC:
		return &Tail{typ: mediaType, starts: map[int64]int64{}}
	case PDF:
		return &Tail{typ: mediaType}
	}
	return nil
}

// Write never fails.
func (t *Tail) Write(p []byte) (int, error) {
	if t.typ == PDF {
		t.n += int64(len(p))
		return len(p), nil
	}
	// A header split between the previous write and this one: the end
	// of the previous write and the start of this one, scanned together.
	// A header found twice is remembered once.
	base := t.n - int64(len(t.overlap))
	t.junction = append(append(t.junction[:0], t.overlap...), p[:min(len(p), headerOverlap)]...)
	t.scan(t.junction, base)
	t.scan(p, t.n)
	t.n += int64(len(p))
	ov := append(t.overlap, p[max(0, len(p)-headerOverlap):]...)
	t.overlap = append(t.overlap[:0], ov[max(0, len(ov)-headerOverlap):]...)
	t.last = append(t.last, p[max(0, len(p)-tailLast):]...)
	if len(t.last) > 2*tailLast {
		t.last = append(t.last[:0], t.last[len(t.last)-tailLast:]...)
	}
	return len(p), nil
}

func (t *Tail) scan(buf []byte, base int64) {
	find := func(marker string, end func(h []byte) (int64, bool), hlen int) {
		for i := 0; ; {
			j := bytes.Index(buf[i:], []byte(marker))
			if j < 0 {
				return
			}
			at := i + j
			i = at + 1
			if at+hlen > len(buf) {
				continue // the next write completes it
			}
			if n, ok := end(buf[at : at+hlen]); ok {
				t.remember(base+int64(at), base+int64(at)+n)
			}
		}
	}
	find("ID3", id3v2Len, 10)
	if t.typ == WAV {
		for _, id := range riffTagIDs {
			find(id, func(h []byte) (int64, bool) {
				n := int64(binary.LittleEndian.Uint32(h[4:]))
				return 8 + n + n&1, true
			}, 8)
		}
	}
}

func (t *Tail) remember(start, end int64) {
	if s, ok := t.starts[end]; ok {
		t.starts[end] = min(s, start)
		return
	}
	if len(t.starts) >= maxTagStarts {
		t.overflow = true
		return
	}
	t.starts[end] = start
}

// id3v2Len returns the length of the ID3v2 tag whose header is h.
func id3v2Len(h []byte) (int64, bool) {
	if h[3] < 2 || h[3] > 4 || h[4] == 0xff || h[6]|h[7]|h[8]|h[9] >= 0x80 {
		return 0, false
	}
	n := int64(h[6])<<21 | int64(h[7])<<14 | int64(h[8])<<7 | int64(h[9])
	n += 10
	if h[5]&0x10 != 0 {
		n += 10 // a footer
	}
	return n, true
}

// audioEnd returns where the tags at the end of the file start (the file's
// length if it has none), never before from.
func (t *Tail) audioEnd(from int64) (int64, error) {
	if t.overflow {
		return 0, fmt.Errorf("%w: too many tag-like headers in the audio", ErrMalformed)
	}
	lastStart := t.n - int64(len(t.last)) // file offset of t.last[0]
	at := func(off int64, n int) []byte {
		if off < lastStart || off+int64(n) > t.n {
			return nil
		}
		return t.last[off-lastStart : off-lastStart+int64(n)]
	}
	end := t.n
	for end > from {
		if b := at(end-128, 3); string(b) == "TAG" && end-128 >= from {
			end -= 128 // ID3v1
			continue
		}
		if b := at(end-32, 32); b != nil && string(b[:8]) == "APETAGEX" {
			n := int64(binary.LittleEndian.Uint32(b[12:])) // items and footer
			if binary.LittleEndian.Uint32(b[20:])&(1<<31) != 0 {
				n += 32 // a header
			}
			if n >= 32 && end-n >= from {
				end -= n
				continue
			}
		}
		if b := at(end-10, 10); b != nil && string(b[:3]) == "3DI" {
			h := append([]byte("ID3"), b[3:]...)
			if n, ok := id3v2Len(h); ok && end-n >= from {
				end -= n
				continue
			}
		}
		if s, ok := t.starts[end]; ok && s >= from {
			end = s
			continue
		}
		break
	}
	return end, nil
}
