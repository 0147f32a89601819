package media

import (
	"bytes"
	"encoding/binary"
	"image/jpeg"
	"io"
	"runtime"
	"testing"

	"github.com/tvault/tvault/internal/media/mediatest"
)

// jpegSegment returns a marker segment: 0xFF, marker, length, body.
func jpegSegment(marker byte, body []byte) []byte {
	s := []byte{0xff, marker}
	s = binary.BigEndian.AppendUint16(s, uint16(len(body)+2))
	return append(s, body...)
}

// plainJPEG is a JPEG with no metadata at all (JFIF only).
func plainJPEG(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := Clean(&out, bytes.NewReader(mediatest.JPEGWithEXIF()), JPEG, nil); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// withSegment puts seg right after a JPEG's SOI.
func withSegment(j, seg []byte) []byte {
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	return append(out, j[2:]...)
}

// A hostile JPEG hides its EXIF (camera serial, GPS) where the cleaner keeps
// segments: a JFXX extension whose thumbnail is itself a JPEG with EXIF, the
// tail of a JFIF APP0 segment, an Adobe APP14 segment, and a JPGn extension
// marker (0xF0–0xFD), which is not an APPn and so was kept as it was.
func TestAttackJPEGMetadataInKeptSegments(t *testing.T) {
	exif := append([]byte("Exif\x00\x00"), mediatest.EXIF()...)
	thumb := mediatest.JPEGWithEXIF()
	jfifTail := append([]byte("JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00"), exif...)
	for _, tc := range []struct {
		name string
		seg  []byte
	}{
		{"jfxx thumbnail", jpegSegment(0xe0, append([]byte("JFXX\x00\x10"), thumb...))},
		{"jfif tail", jpegSegment(0xe0, jfifTail)},
		{"adobe tail", jpegSegment(0xee, append([]byte("Adobe\x00\x64\x00\x00\x00\x00\x01"), exif...))},
		{"jpg13 extension", jpegSegment(0xfd, exif)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := withSegment(plainJPEG(t), tc.seg)
			var out bytes.Buffer
			if err := Clean(&out, bytes.NewReader(file), JPEG, nil); err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"CANARY", "Exif", "Canon"} {
				if bytes.Contains(out.Bytes(), []byte(s)) {
					t.Errorf("the cleaned file still holds %q", s)
				}
			}
			if _, err := jpeg.Decode(bytes.NewReader(out.Bytes())); err != nil {
				t.Errorf("the cleaned file does not decode: %v", err)
			}
		})
	}
}

// EXIF in an APP1 segment between the scans of a JPEG (allowed by the
// standard, and where a progressive JPEG has room for it): the inspector
// stopped at the first scan, so the user was not warned of the GPS
// position and serial number the file carries.
func TestAttackJPEGEXIFAfterSOSNotReported(t *testing.T) {
	j := plainJPEG(t)
	eoi := len(j) - 2
	app1 := jpegSegment(0xe1, append([]byte("Exif\x00\x00"), mediatest.EXIF()...))
	file := append(append(append([]byte{}, j[:eoi]...), app1...), j[eoi:]...)
	got := kinds(inspect(file, 4096))
	for _, want := range []string{"gps", "serial"} {
		found := false
		for _, k := range got {
			found = found || k == want
		}
		if !found {
			t.Errorf("findings %v miss %q", got, want)
		}
	}
	var out bytes.Buffer
	if err := Clean(&out, bytes.NewReader(file), JPEG, nil); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Bytes(), []byte("CANARY")) {
		t.Error("the cleaned file still holds the serial")
	}
}

// A PNG chunk whose type starts with a capital letter is "critical", and
// the cleaner kept every critical chunk it did not know: a hostile file
// carries its EXIF in a chunk named "EXIF".
func TestAttackPNGMetadataInUnknownCriticalChunk(t *testing.T) {
	p := mediatest.PNGWithText()
	file := append(append([]byte{}, p[:33]...), pngChunk("EXIF", mediatest.EXIF())...)
	file = append(file, p[33:]...)
	var out bytes.Buffer
	err := Clean(&out, bytes.NewReader(file), PNG, nil)
	if err == nil && bytes.Contains(out.Bytes(), []byte("CANARY")) {
		t.Fatal("the cleaned file still holds the serial, in an unknown critical chunk")
	}
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, 0)
}

// repeatReader yields head, then body n times, then tail, without holding
// them all.
type repeatReader struct {
	parts [][]byte
	body  []byte
	n     int
	cur   []byte
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		switch {
		case len(r.parts) > 0 && r.n >= 0 && len(r.parts) == 2:
			r.cur, r.parts = r.parts[0], r.parts[1:]
		case r.n > 0:
			r.cur = r.body
			r.n--
		case len(r.parts) > 0:
			r.cur, r.parts = r.parts[0], r.parts[1:]
		default:
			return 0, io.EOF
		}
	}
	k := copy(p, r.cur)
	r.cur = r.cur[k:]
	return k, nil
}

// allocated returns how many bytes f allocated.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// A hostile WAV repeats its "fact" chunk (64 KiB each) a thousand times,
// and a hostile FLAC its seek table (1 MiB each) a hundred times: the
// cleaner kept every one in memory, so memory grew with the file (a 10 GB
// file, 10 GB of memory).
func TestAttackCleanerMemoryGrowsWithRepeatedChunks(t *testing.T) {
	const limit = 16 << 20
	fact := append([]byte("fact\x00\x00\x01\x00"), make([]byte, 1<<16)...)
	wav := func() io.Reader {
		return &repeatReader{
			parts: [][]byte{[]byte("RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\xbb\x00\x00\x00\x77\x01\x00\x02\x00\x10\x00"), []byte("data\x02\x00\x00\x00\x01\x02")},
			body:  fact, n: 1000,
		}
	}
	n := allocated(func() { cleanTwoPasses(io.Discard, wav, WAV) })
	if n > limit {
		t.Errorf("cleaning a WAV of 64 MiB of repeated fact chunks allocated %d MiB", n>>20)
	}
	seek := append([]byte{0x03, 0x10, 0x00, 0x00}, make([]byte, 1<<20)...)
	flac := func() io.Reader {
		return &repeatReader{
			parts: [][]byte{append([]byte("fLaC\x00\x00\x00\x22"), make([]byte, 34)...), append([]byte{0x81, 0, 0, 0}, mediatest.FLACAudio()...)},
			body:  seek, n: 100,
		}
	}
	n = allocated(func() { cleanTwoPasses(io.Discard, flac, FLAC) })
	if n > limit {
		t.Errorf("cleaning a FLAC of 100 MiB of repeated seek tables allocated %d MiB", n>>20)
	}
}

// cleanTwoPasses cleans the file open returns, as the vault does: a first
// pass, then the cleaning pass.
func cleanTwoPasses(w io.Writer, open func() io.Reader, typ string) error {
	tail := NewTail(typ)
	if tail != nil {
		if _, err := io.Copy(tail, open()); err != nil {
			return err
		}
	}
	return Clean(w, open(), typ, tail)
}
