package media

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/internal/media/mediatest"
)

// pdfOf builds a one-page PDF whose page draws an image (object 5) made of
// imgDict and imgData; extra objects are appended as they are.
func pdfOf(imgDict string, imgData []byte, extra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	b.WriteString("1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n")
	b.WriteString("2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n")
	b.WriteString("3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</XObject<</Im1 5 0 R>>>>/Contents 4 0 R>>\nendobj\n")
	c := "q 320 0 0 240 72 300 cm /Im1 Do Q"
	fmt.Fprintf(&b, "4 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n", len(c), c)
	fmt.Fprintf(&b, "5 0 obj\n<<%s/Length %d>>\nstream\n", imgDict, len(imgData))
	b.Write(imgData)
	b.WriteString("\nendstream\nendobj\n")
	b.WriteString(extra)
	b.WriteString("trailer\n<</Root 1 0 R>>\n%%EOF\n")
	return b.Bytes()
}

func zlibBytes(b []byte) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	return z.Bytes()
}

// An object stream's header may list any number of objects at one offset:
// each is read anew. A small file whose one object stream names a large
// array a hundred thousand times made the reader parse it a hundred
// thousand times, on arrival (inspection) as on cleaning.
func TestAttackPDFObjectStreamAmplification(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries int
		object  string
	}{
		{"an array of 16384 numbers, 500 times", 500, "[" + strings.Repeat("0 ", 1<<14) + "]"},
		{"a string of 1 MiB, 400 times", 400, "(" + strings.Repeat("a", 1<<20) + ")"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var head bytes.Buffer
			for k := 0; k < tc.entries; k++ {
				fmt.Fprintf(&head, "%d 0 ", 100+k)
			}
			data := zlibBytes(append(head.Bytes(), tc.object...))
			extra := fmt.Sprintf("6 0 obj\n<</Type/ObjStm/N %d/First %d/Filter/FlateDecode/Length %d>>\nstream\n", tc.entries, head.Len(), len(data))
			extra += string(data) + "\nendstream\nendobj\n"
			file := pdfOf("/Type/XObject/Subtype/Image/Width 1/Height 1/ColorSpace/DeviceGray/BitsPerComponent 8", []byte{0}, extra)
			t.Logf("the file: %d KiB", len(file)>>10)

			start := time.Now()
			var err error
			n := allocated(func() { _, err = cleanBytes(file) })
			t.Logf("clean: %v, %d MiB allocated, err %v", time.Since(start), n>>20, err)
			if limit := uint64(128 << 20); n > limit {
				t.Errorf("cleaning a %d KiB PDF allocated %d MiB", len(file)>>10, n>>20)
			}
			start = time.Now()
			n = allocated(func() { inspect(file, 4096) })
			t.Logf("inspect: %v, %d MiB allocated", time.Since(start), n>>20)
			if limit := uint64(128 << 20); n > limit {
				t.Errorf("inspecting a %d KiB PDF on arrival allocated %d MiB", len(file)>>10, n>>20)
			}
		})
	}
}

// A JPEG image in a PDF stored compressed once more, with Flate
// ([/FlateDecode /DCTDecode], as some optimizers write it), kept its EXIF:
// the cleaner only cleaned streams whose sole filter is DCTDecode.
func TestAttackPDFJPEGUnderFlateKeepsEXIF(t *testing.T) {
	for _, tc := range []struct {
		name, dict string
	}{
		{"flate then dct", "/Type/XObject/Subtype/Image/Width 32/Height 24/ColorSpace/DeviceRGB/BitsPerComponent 8/Filter[/FlateDecode/DCTDecode]"},
		{"flate then dct, null parms", "/Type/XObject/Subtype/Image/Width 32/Height 24/ColorSpace/DeviceRGB/BitsPerComponent 8/Filter[/FlateDecode/DCTDecode]/DecodeParms[null null]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := pdfOf(tc.dict, zlibBytes(mediatest.JPEGWithEXIF()), "")
			out, err := cleanBytes(file)
			if err != nil {
				t.Fatal(err)
			}
			if pages, _, _ := pdfcpuRead(t, out); pages != 1 {
				t.Errorf("the cleaned PDF has %d pages, want 1", pages)
			}
			plain := pdfPlainText(t, out)
			for _, s := range []string{"Exif", "Canon", "Grandma"} {
				if bytes.Contains(plain, []byte(s)) {
					t.Errorf("the cleaned PDF, decompressed, still holds %q", s)
				}
			}
			// The image is still there and still decodes to the same pixels.
			j := bytes.Index(plain, []byte{0xff, 0xd8, 0xff})
			if j < 0 {
				t.Fatal("the cleaned PDF lost its image")
			}
			a := decode(t, mediatest.JPEGWithEXIF())
			b := decode(t, plain[j:])
			if a.Bounds() != b.Bounds() || a.At(5, 7) != b.At(5, 7) {
				t.Error("the image's pixels changed")
			}
		})
	}
}

// A JPEG in a PDF that the JPEG cleaner cannot finish (here: cut before
// its end-of-image marker, which viewers draw anyway) was copied as it
// was, EXIF and all: the PDF cleaner fell back to the original bytes.
func TestAttackPDFJPEGThatDoesNotCleanKeepsEXIF(t *testing.T) {
	j := mediatest.JPEGWithEXIF()
	cut := j[:len(j)-2] // without FFD9
	file := pdfOf("/Type/XObject/Subtype/Image/Width 32/Height 24/ColorSpace/DeviceRGB/BitsPerComponent 8/Filter/DCTDecode", cut, "")
	out, err := cleanBytes(file)
	if err != nil {
		return // refusing is fine
	}
	for _, s := range []string{"Exif", "Canon", "Grandma"} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("the cleaned PDF still holds %q", s)
		}
	}
}

// pdfPlainText returns the cleaned PDF's bytes with every Flate stream
// decompressed after it: a canary inside a compressed stream is invisible
// to a search of the raw bytes.
func pdfPlainText(t *testing.T, out []byte) []byte {
	t.Helper()
	f, err := readPDF(out)
	if err != nil {
		t.Fatalf("the cleaned PDF does not read: %v", err)
	}
	all := append([]byte{}, out...)
	for _, def := range f.defs {
		s, ok := def.obj.(*pdfStream)
		if !ok {
			continue
		}
		data := s.data
		for range 4 { // filters stacked
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				break
			}
			var d bytes.Buffer
			d.ReadFrom(zr)
			data = d.Bytes()
			all = append(all, data...)
		}
	}
	return all
}

// An XMP packet hung off a key other than /Metadata (a stream that says
// /Type/Metadata, or only /Subtype/XML), compressed so that a search of
// the raw bytes misses it, survived cleaning: only the /Metadata key was
// dropped, not what is metadata.
func TestAttackPDFXMPUnderAnotherKey(t *testing.T) {
	x := []byte(`<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>` + mediatest.PDFAuthor + `</dc:creator></x:xmpmeta>`)
	for _, dict := range []string{"/Type/Metadata/Subtype/XML/Filter/FlateDecode", "/Subtype/XML/Filter/FlateDecode", "/Filter/FlateDecode"} {
		t.Run(dict, func(t *testing.T) {
			z := zlibBytes(x)
			extra := fmt.Sprintf("9 0 obj\n<<%s/Length %d>>\nstream\n%s\nendstream\nendobj\n", dict, len(z), z)
			file := pdfOf("/Type/XObject/Subtype/Image/Width 1/Height 1/ColorSpace/DeviceGray/BitsPerComponent 8/XMP 9 0 R", []byte{0}, extra)
			file = bytes.Replace(file, []byte("/Type/Catalog"), []byte("/Type/Catalog/PrivateData 9 0 R"), 1)
			out, err := cleanBytes(file)
			if err != nil {
				t.Fatal(err)
			}
			if plain := pdfPlainText(t, out); bytes.Contains(plain, []byte("CANARY")) || bytes.Contains(plain, []byte("xmpmeta")) {
				t.Error("the cleaned PDF, decompressed, still holds the XMP packet")
			}
			if pages, _, _ := pdfcpuRead(t, out); pages != 1 {
				t.Errorf("%d pages, want 1", pages)
			}
		})
	}
}

// id3v2UTF16 returns an ID3v2.3 tag whose artist frame holds s in UTF-16
// with a byte-order mark, as many taggers write it: FF FE, then the text.
func id3v2UTF16(s string) []byte {
	text := []byte{1, 0xff, 0xfe} // encoding 1: UTF-16 with BOM
	for _, c := range s {
		text = append(text, byte(c), 0)
	}
	text = append(text, 0, 0)
	frame := append([]byte("TPE1"), 0, 0, byte(len(text)>>8), byte(len(text)), 0, 0)
	frame = append(frame, text...)
	// Padding, as taggers leave it: room to grow the tag in place.
	frame = append(frame, make([]byte, 300)...)
	size := []byte{0, 0, byte(len(frame) >> 7), byte(len(frame) & 0x7f)}
	return append(append([]byte{'I', 'D', '3', 3, 0, 0}, size...), frame...)
}

// An MP3 with a second ID3v2 tag (a tagger that prepended a new tag
// without removing the old one, or a tag appended after the audio): the
// byte-order mark FF FE of a UTF-16 text reads as an MPEG-1 layer I frame
// header, and the cleaner copied the "frame", the artist's name with it.
func TestAttackMP3TagTextReadAsFrame(t *testing.T) {
	utf16 := func(s string) []byte {
		var b []byte
		for _, c := range s {
			b = append(b, byte(c), 0)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"two tags first", slices.Concat(id3v2UTF16("older tag"), id3v2UTF16(mediatest.PDFAuthor), mediatest.MP3Frames(20))},
		{"a tag in the middle", slices.Concat(mediatest.MP3Frames(10), id3v2UTF16(mediatest.PDFAuthor), mediatest.MP3Frames(10))},
		{"a tag at the end", slices.Concat(mediatest.MP3Frames(20), id3v2UTF16(mediatest.PDFAuthor))},
		{"UTF-16 text of an unknown tag between frames", slices.Concat(mediatest.MP3Frames(10), []byte{0xff, 0xfe}, utf16(mediatest.PDFAuthor+strings.Repeat(" ", 200)), mediatest.MP3Frames(10))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := cleanBytes(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out, utf16("CANARY")) {
				t.Error("the cleaned MP3 still holds the artist's name")
			}
			if !bytes.Contains(out, mediatest.MP3Frames(10)) {
				t.Error("the cleaned MP3 lost its audio frames")
			}
		})
	}
}

// A page's thumbnail (/Thumb) is a small image of the page, which a writer
// makes once and an incremental update does not redo: it can show the page
// as it was before a name was removed from it. It survived cleaning, and
// was not in the list of what survives.
func TestAttackPDFThumbnailSurvives(t *testing.T) {
	thumb := []byte("CANARY drawn as pixels of the old page")
	extra := fmt.Sprintf("9 0 obj\n<</Type/XObject/Subtype/Image/Width %d/Height 1/ColorSpace/DeviceGray/BitsPerComponent 8/Length %d>>\nstream\n%s\nendstream\nendobj\n", len(thumb), len(thumb), thumb)
	file := pdfOf("/Type/XObject/Subtype/Image/Width 1/Height 1/ColorSpace/DeviceGray/BitsPerComponent 8", []byte{0}, extra)
	file = bytes.Replace(file, []byte("/Type/Page/"), []byte("/Type/Page/Thumb 9 0 R/"), 1)
	out, err := cleanBytes(file)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(pdfPlainText(t, out), []byte("CANARY")) {
		t.Error("the cleaned PDF still holds the page's old thumbnail")
	}
	if pages, _, _ := pdfcpuRead(t, out); pages != 1 {
		t.Errorf("%d pages, want 1", pages)
	}
}

// A 250 KiB PDF whose one object stream inflates to 250 MiB (zlib
// expands up to a thousandfold) made the inspector allocate 568 MiB on
// arrival, whatever the file's size: the decompression budget was twice
// MaxCleanPDF for any file.
func TestAttackPDFObjectStreamBomb(t *testing.T) {
	body := append(bytes.Repeat([]byte(" "), 250<<20), "null"...)
	data := zlibBytes(append([]byte("100 0 "), body...))
	extra := fmt.Sprintf("6 0 obj\n<</Type/ObjStm/N 1/First 6/Filter/FlateDecode/Length %d>>\nstream\n", len(data))
	extra += string(data) + "\nendstream\nendobj\n"
	file := pdfOf("/Type/XObject/Subtype/Image/Width 1/Height 1/ColorSpace/DeviceGray/BitsPerComponent 8", []byte{0}, extra)
	start := time.Now()
	n := allocated(func() { inspect(file, 4096) })
	t.Logf("a %d KiB PDF, inspected on arrival: %v, %d MiB allocated", len(file)>>10, time.Since(start), n>>20)
	if n > 64<<20 {
		t.Errorf("inspecting a %d KiB PDF allocated %d MiB", len(file)>>10, n>>20)
	}
	var err error
	n = allocated(func() { _, err = cleanBytes(file) })
	t.Logf("cleaned: %d MiB allocated, err %v", n>>20, err)
	if n > 64<<20 || !errors.Is(err, ErrCannotClean) {
		t.Errorf("cleaning a %d KiB PDF allocated %d MiB, err %v, want ErrCannotClean", len(file)>>10, n>>20, err)
	}
}
