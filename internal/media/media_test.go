package media

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"slices"
	"testing"

	"github.com/tvault/tvault/internal/media/mediatest"
)

func kinds(f []Finding) []string {
	var k []string
	for _, x := range f {
		k = append(k, x.Kind)
	}
	slices.Sort(k)
	return k
}

func inspect(b []byte, chunk int) []Finding {
	in := NewInspector(Sniff(b))
	for len(b) > 0 {
		n := min(chunk, len(b))
		in.Write(b[:n])
		b = b[n:]
	}
	return in.Findings()
}

func TestInspect(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
		typ  string
		want []string
	}{
		{"jpeg", mediatest.JPEGWithEXIF(), JPEG, []string{"camera", "comment", "exif", "gps", "serial"}},
		{"png", mediatest.PNGWithText(), PNG, []string{"camera", "exif", "gps", "serial", "text", "time"}},
		{"pdf", []byte("%PDF-1.7\n1 0 obj << /Author (Someone) /Producer (x) >> endobj\n<x:xmpmeta>"), PDF, []string{"author", "software", "xmp"}},
		{"mp3", mediatest.MP3WithTags(), MP3, []string{"tags"}},
		{"flac", mediatest.FLACWithTags(), FLAC, []string{"picture", "tags"}},
		{"wav", mediatest.WAVWithTags(), WAV, []string{"author", "tags"}},
		{"text", []byte("plain words, 普通话"), Text, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sniff(tc.file); got != tc.typ {
				t.Fatalf("Sniff = %s, want %s", got, tc.typ)
			}
			// Whole, and in tiny writes: a marker or chunk header split
			// across writes is still found.
			for _, chunk := range []int{len(tc.file), 3} {
				got := inspect(tc.file, chunk)
				if !slices.Equal(kinds(got), tc.want) {
					t.Errorf("writes of %d: kinds %v, want %v", chunk, kinds(got), tc.want)
				}
				for _, f := range got {
					if bytes.Contains([]byte(f.Detail), []byte("CANARY")) || bytes.ContainsAny([]byte(f.Detail), "\x1b") {
						t.Errorf("finding %q repeats a value or a control code", f.Detail)
					}
				}
			}
		})
	}
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the cleaned file does not decode: %v", err)
	}
	return img
}

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"jpeg", mediatest.JPEGWithEXIF()},
		{"png", mediatest.PNGWithText()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			typ := Sniff(tc.file)
			var out bytes.Buffer
			if err := Clean(&out, bytes.NewReader(append(tc.file, "trailing CANARY"...)), typ, nil); err != nil {
				t.Fatal(err)
			}
			if got := inspect(out.Bytes(), 4096); len(got) != 0 {
				t.Errorf("the cleaned file still carries %v", kinds(got))
			}
			for _, s := range []string{"CANARY", "Exif", "Canon", "Grandma"} {
				if bytes.Contains(out.Bytes(), []byte(s)) {
					t.Errorf("the cleaned file still holds %q", s)
				}
			}
			a, b := decode(t, tc.file), decode(t, out.Bytes())
			if a.Bounds() != b.Bounds() {
				t.Fatalf("bounds %v, want %v", b.Bounds(), a.Bounds())
			}
			for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
				for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
					if a.At(x, y) != b.At(x, y) {
						t.Fatalf("pixel %d,%d differs", x, y)
					}
				}
			}
		})
	}
}

func TestCleanRefuses(t *testing.T) {
	var out bytes.Buffer
	if err := Clean(&out, bytes.NewReader([]byte("%PDF-1.7")), PDF, nil); err == nil {
		t.Error("a PDF without objects was cleaned")
	}
	for _, bad := range [][]byte{{0xff, 0xd8, 0xff, 0xe1, 0x00}, []byte("\x89PNG\r\n\x1a\n\x00\x00"), {0xff, 0xd8, 0x00}} {
		if _, err := cleanBytes(bad); err == nil {
			t.Errorf("a damaged %s was cleaned", Sniff(bad))
		}
	}
}

func FuzzInspect(f *testing.F) {
	f.Add(mediatest.JPEGWithEXIF())
	f.Add(mediatest.PNGWithText())
	f.Add(mediatest.EXIF())
	f.Add([]byte("fLaC\x04\x00\x00\x10"))
	f.Add(mediatest.MP3WithTags())
	f.Add(mediatest.WAVWithTags())
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVELIST\x04\x00\x00\x00INFO"))
	f.Add(mediatest.PDFObjectStreams())
	f.Add(mediatest.PDFIncremental())
	f.Fuzz(func(t *testing.T, b []byte) {
		whole := inspect(b, len(b)+1)
		split := inspect(b, 7)
		if !slices.Equal(kinds(whole), kinds(split)) {
			t.Fatalf("whole %v, split %v", kinds(whole), kinds(split))
		}
		exifFindings(b)
	})
}

func FuzzClean(f *testing.F) {
	f.Add(mediatest.JPEGWithEXIF())
	f.Add(mediatest.PNGWithText())
	f.Add(mediatest.MP3WithTags())
	f.Add(mediatest.FLACWithTags())
	f.Add(mediatest.WAVWithTags())
	f.Add(mediatest.StreamedWAV())
	f.Add(mediatest.PDFWithInfo())
	f.Add(mediatest.PDFIncremental())
	f.Add(mediatest.PDFObjectStreams())
	f.Fuzz(func(t *testing.T, b []byte) {
		typ := Sniff(b)
		if !CanClean(typ) {
			return
		}
		out, err := cleanBytes(b)
		if err != nil {
			return
		}
		// A cleaned file cleans to itself, and carries nothing.
		again, err := cleanBytes(out)
		if err != nil {
			t.Fatalf("the cleaned file does not clean again: %v", err)
		}
		if !bytes.Equal(out, again) {
			t.Fatal("cleaning is not idempotent")
		}
	})
}

func TestCleanAudio(t *testing.T) {
	wavClean := func() []byte {
		w := mediatest.WAVWithTags()
		// RIFF, size, WAVE, fmt (8+16), data (8+200).
		var out []byte
		out = append(out, "RIFF"...)
		size := 4 + 24 + 208
		out = append(out, byte(size), byte(size>>8), 0, 0)
		out = append(out, "WAVE"...)
		out = append(out, w[12:36]...)
		out = append(out, "data"...)
		out = append(out, 200, 0, 0, 0)
		return append(out, mediatest.WAVSamples()...)
	}
	flacClean := func() []byte {
		out := []byte("fLaC")
		out = append(out, 0x80, 0, 0, 34)
		out = append(out, make([]byte, 34)...)
		return append(out, mediatest.FLACAudio()...)
	}
	for _, tc := range []struct {
		name       string
		file, want []byte
	}{
		{"mp3", mediatest.MP3WithTags(), mediatest.MP3Frames(10)},
		{"flac", mediatest.FLACWithTags(), flacClean()},
		{"wav", mediatest.WAVWithTags(), wavClean()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := cleanBytes(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, tc.want) {
				t.Fatalf("cleaned %d bytes, want %d (the audio, and nothing else)", len(out), len(tc.want))
			}
			if got := inspect(out, 4096); len(got) != 0 {
				t.Errorf("the cleaned file still carries %v", kinds(got))
			}
		})
	}
}

// cleanBytes cleans a file held in memory.
func cleanBytes(b []byte) ([]byte, error) {
	typ := Sniff(b)
	tail := NewTail(typ)
	if tail != nil {
		tail.Write(b)
	}
	var out bytes.Buffer
	err := Clean(&out, bytes.NewReader(b), typ, tail)
	return out.Bytes(), err
}

// FuzzTail: where the tags start does not depend on how the file is split
// into writes.
func FuzzTail(f *testing.F) {
	f.Add(mediatest.FLACWithTags(), 3)
	f.Add(mediatest.WAVWithTags(), 7)
	f.Add(append(mediatest.FLACWithTags(), id3v2("x", true)...), 5)
	f.Fuzz(func(t *testing.T, b []byte, chunk int) {
		if chunk <= 0 || chunk > len(b) {
			return
		}
		for _, typ := range []string{WAV, FLAC} {
			whole, split := NewTail(typ), NewTail(typ)
			whole.Write(b)
			for p := b; len(p) > 0; p = p[min(chunk, len(p)):] {
				split.Write(p[:min(chunk, len(p))])
			}
			a, errA := whole.audioEnd(0)
			c, errC := split.audioEnd(0)
			if a != c || (errA == nil) != (errC == nil) {
				t.Fatalf("%s: whole %d %v, in writes of %d: %d %v", typ, a, errA, chunk, c, errC)
			}
			if a < 0 || a > int64(len(b)) {
				t.Fatalf("%s: the audio ends at %d of %d", typ, a, len(b))
			}
		}
	})
}
