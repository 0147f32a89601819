package media

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/tvault/tvault/internal/media/mediatest"
)

// riffChunk returns a RIFF chunk: id, little-endian size, body, pad byte.
func riffChunk(id string, body []byte) []byte {
	c := binary.LittleEndian.AppendUint32([]byte(id), uint32(len(body)))
	c = append(c, body...)
	if len(body)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// id3v2 returns an ID3v2.4 tag holding s, with a footer if footer is set.
func id3v2(s string, footer bool) []byte {
	frame := append([]byte("TPE1"), 0, 0, 0, byte(len(s)+1), 0, 0, 3)
	frame = append(frame, s...)
	flags := byte(0)
	if footer {
		flags = 0x10
	}
	size := []byte{0, 0, byte(len(frame) >> 7), byte(len(frame) & 0x7f)}
	tag := append([]byte{'I', 'D', '3', 4, 0, flags}, size...)
	tag = append(tag, frame...)
	if footer {
		tag = append(tag, '3', 'D', 'I', 4, 0, flags)
		tag = append(tag, size...)
	}
	return tag
}

// apeTag returns an APEv2 tag (header, one item, footer) holding s.
func apeTag(s string) []byte {
	item := binary.LittleEndian.AppendUint32(nil, uint32(len(s)))
	item = append(item, 0, 0, 0, 0)
	item = append(item, "Artist\x00"...)
	item = append(item, s...)
	hf := func(flags uint32) []byte {
		b := append([]byte("APETAGEX"), 0xd0, 0x07, 0, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(item)+32))
		b = binary.LittleEndian.AppendUint32(b, 1)
		b = binary.LittleEndian.AppendUint32(b, flags)
		return append(b, make([]byte, 8)...)
	}
	out := hf(1<<31 | 1<<29)
	out = append(out, item...)
	return append(out, hf(1<<31)...)
}

func id3v1(s string) []byte {
	v1 := make([]byte, 128)
	copy(v1, "TAG"+s)
	return v1
}

// A WAV written by a streaming recorder does not know its length: its
// data size is 0xFFFFFFFF, and the cleaner copied everything after the
// data header to the end, tags appended after the audio included. A FLAC's
// audio frames run to the end of the file, and the cleaner copied
// everything after the metadata blocks, ID3 and APE tags appended by a tag
// editor included.
func TestAttackTrailingTags(t *testing.T) {
	samples := mediatest.WAVSamples()
	fmtChunk := riffChunk("fmt ", []byte{1, 0, 1, 0, 0x80, 0xbb, 0, 0, 0, 0x77, 1, 0, 2, 0, 16, 0})
	streamed := func(trailer ...[]byte) []byte {
		b := append([]byte("RIFF\xff\xff\xff\xffWAVE"), fmtChunk...)
		b = append(b, "data\xff\xff\xff\xff"...)
		b = append(b, samples...)
		for _, t := range trailer {
			b = append(b, t...)
		}
		return b
	}
	wavWant := func() []byte {
		b := binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(4+len(fmtChunk)+8+len(samples)))
		b = append(b, "WAVE"...)
		b = append(b, fmtChunk...)
		b = binary.LittleEndian.AppendUint32(append(b, "data"...), uint32(len(samples)))
		return append(b, samples...)
	}()
	flacHead := append([]byte("fLaC\x80\x00\x00\x22"), make([]byte, 34)...)
	flacWant := append(append([]byte{}, flacHead...), mediatest.FLACAudio()...)
	flac := func(trailer ...[]byte) []byte {
		b := append([]byte{}, flacWant...)
		for _, t := range trailer {
			b = append(b, t...)
		}
		return b
	}
	list := riffChunk("LIST", []byte("INFOIART\x0c\x00\x00\x00Zhou CANARY\x00"))
	for _, tc := range []struct {
		name       string
		file, want []byte
	}{
		{"wav streamed, LIST and id3 after the data", streamed(list, riffChunk("id3 ", id3v2("Zhou CANARY", false))), wavWant},
		{"wav streamed, bext after the data", streamed(riffChunk("bext", []byte("recorded by Zhou CANARY"))), wavWant},
		{"wav streamed, ID3v1 appended", streamed(list, id3v1("Zhou CANARY")), wavWant},
		{"wav streamed, nothing after the data", streamed(), wavWant},
		{"flac, ID3v2 appended", flac(id3v2("Zhou CANARY", false)), flacWant},
		{"flac, ID3v2 with a footer, APE and ID3v1", flac(id3v2("Zhou CANARY", true), apeTag("Zhou CANARY"), id3v1("Zhou CANARY")), flacWant},
		{"flac, APE", flac(apeTag("Zhou CANARY")), flacWant},
		{"flac, ID3v1", flac(id3v1("Zhou CANARY")), flacWant},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := cleanBytes(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out, []byte("CANARY")) {
				t.Fatal("the cleaned file still holds the tag")
			}
			if !bytes.Equal(out, tc.want) {
				t.Fatalf("cleaned %d bytes, want %d (the audio, and nothing else)", len(out), len(tc.want))
			}
		})
	}
}
