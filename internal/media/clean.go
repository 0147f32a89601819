package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Errors from [Clean].
var (
	// ErrCannotClean: tvault has no cleaner for this kind of file.
	ErrCannotClean = errors.New("tvault cannot clean this kind of file")
	// ErrMalformed: the file is not a well-formed file of its type.
	ErrMalformed = errors.New("the file is not well formed")
)

// CanClean reports whether [Clean] handles files of the media type.
func CanClean(mediaType string) bool {
	switch mediaType {
	case JPEG, PNG, MP3, FLAC, WAV, PDF:
		return true
	}
	return false
}

// Clean writes to w a copy of the file r without its metadata:
//
//   - JPEG: without APP1–APP13 and APP15 segments (EXIF, XMP, IPTC,
//     ICC profile, maker data), comments, JPGn extension and reserved
//     segments, and without anything after the end of the image; the fixed
//     fields of JFIF and Adobe segments, which decoding needs, are kept, a
//     JFIF or JFXX thumbnail is not. The compressed image data is copied as it is: pixels are not
//     recompressed.
//
//   - PNG: only the chunks needed to draw the image (IHDR, PLTE, IDAT, IEND,
//     and tRNS, gAMA, cHRM, sRGB, sBIT, bKGD, pHYs); text, time, EXIF and ICC chunks go. A PNG with a critical
//     chunk other than IHDR, PLTE, IDAT and IEND is refused ([ErrMalformed]).
//
//   - MP3: only the MPEG audio frames; ID3, APE and Lyrics tags go.
//
//   - FLAC: stream information, seek table and cue sheet; Vorbis comments,
//     pictures and application blocks go, and so do ID3 and APE tags
//     appended after the audio.
//
//   - WAV: the fmt, fact and data chunks; LIST INFO, id3, bext and iXML go,
//     and so do ID3 tags and chunks after the data of a WAV that did not
//     know its length when written.
//
//   - PDF: written anew from its catalog, without the document information
//     dictionary, XMP metadata, page-piece data, file identifiers, and the
//     history of incremental updates; streams are copied as they are
//     stored. See cleanPDF, and docs/THREAT-MODEL.md for what a PDF can
//     still carry. A PDF is held whole in memory: larger than
//     [MaxCleanPDF], or encrypted, it gives [ErrCannotClean].
//
// Audio is copied as it is, never re-encoded.
//
// A WAV or a FLAC needs a first pass: tail is a [NewTail] that has seen
// every byte of the same file. A PDF may have one (it then takes half the
// memory); other types take nil.
//
// Other types give [ErrCannotClean]. On error, what was written to w is
// incomplete and must be discarded.
func Clean(w io.Writer, r io.Reader, mediaType string, tail *Tail) error {
	if (mediaType == WAV || mediaType == FLAC) && tail == nil {
		return fmt.Errorf("%w: cleaning a %s needs a first pass over it", ErrCannotClean, mediaType)
	}
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	bw := bufio.NewWriterSize(w, 64<<10)
	pos := func() int64 { return cr.n - int64(br.Buffered()) }
	var err error
	switch mediaType {
	case JPEG:
		err = cleanJPEG(bw, br)
	case PNG:
		err = cleanPNG(bw, br)
	case MP3:
		err = cleanMP3(bw, br)
	case FLAC:
		err = cleanFLAC(bw, br, pos, tail)
	case WAV:
		err = cleanWAV(bw, br, pos, tail)
	case PDF:
		err = cleanPDF(bw, br, tail)
	default:
		return fmt.Errorf("%w (%s)", ErrCannotClean, mediaType)
	}
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: it ends too soon", ErrMalformed)
		}
		return err
	}
	return bw.Flush()
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func cleanJPEG(w *bufio.Writer, r *bufio.Reader) error {
	var soi [2]byte
	if _, err := io.ReadFull(r, soi[:]); err != nil {
		return err
	}
	if soi != [2]byte{0xff, 0xd8} {
		return fmt.Errorf("%w: not a JPEG", ErrMalformed)
	}
	w.Write(soi[:])
	var pending byte // a marker that ended a scan, already read
	for {
		m := pending
		pending = 0
		if m == 0 {
			var err error
			if m, err = nextMarker(r); err != nil {
				return err
			}
		}
		switch {
		case m == 0xd9: // end of image: nothing after it is kept
			_, err := w.Write([]byte{0xff, 0xd9})
			return err
		case m == 0x01 || (m >= 0xd0 && m <= 0xd7):
			w.Write([]byte{0xff, m})
			continue
		}
		var lb [2]byte
		if _, err := io.ReadFull(r, lb[:]); err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint16(lb[:]))
		if n < 2 {
			return fmt.Errorf("%w: a segment length is too short", ErrMalformed)
		}
		body := make([]byte, n-2)
		if _, err := io.ReadFull(r, body); err != nil {
			return err
		}
		if kept, ok := keepJPEGSegment(m, body); ok {
			w.Write([]byte{0xff, m})
			w.Write(binary.BigEndian.AppendUint16(nil, uint16(len(kept)+2)))
			w.Write(kept)
		}
		if m == 0xda {
			var err error
			if pending, err = copyScan(w, r); err != nil {
				return err
			}
		}
	}
}

// nextMarker reads a marker: 0xFF, any fill bytes, and the marker code.
func nextMarker(r *bufio.Reader) (byte, error) {
	b, err := r.ReadByte()
	if err != nil {
		return 0, err
	}
	if b != 0xff {
		return 0, fmt.Errorf("%w: a marker was expected", ErrMalformed)
	}
	for {
		m, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		if m != 0xff {
			return m, nil
		}
	}
}

// keepJPEGSegment returns what of a segment the cleaned copy keeps, and
// whether it keeps the segment at all. Only what decoding needs is kept:
// frame and scan headers, tables and restart intervals; of a JFIF APP0
// segment its fixed fields without a thumbnail, of an Adobe APP14 segment
// its fixed fields. Everything else goes: APPn, comments, JFXX thumbnails
// (a JPEG of their own, with EXIF of their own), the JPGn extensions and
// reserved markers, whose bodies can hold anything.
func keepJPEGSegment(m byte, body []byte) ([]byte, bool) {
	switch {
	case m == 0xe0:
		const jfifLen = 14 // "JFIF\0", version, units, densities, thumbnail size
		if len(body) < jfifLen || !bytes.HasPrefix(body, []byte("JFIF\x00")) {
			return nil, false
		}
		kept := append([]byte{}, body[:jfifLen-2]...)
		return append(kept, 0, 0), true // no thumbnail
	case m == 0xee:
		const adobeLen = 12 // "Adobe", version, flags0, flags1, transform
		if len(body) < adobeLen || !bytes.HasPrefix(body, []byte("Adobe")) {
			return nil, false
		}
		return body[:adobeLen], true
	case m >= 0xc0 && m <= 0xcf && m != 0xc8, m >= 0xda && m <= 0xdf:
		return body, true
	}
	return nil, false
}

// copyScan copies entropy-coded data up to the next marker that is not a
// stuffed zero or a restart marker, and returns that marker's code.
func copyScan(w *bufio.Writer, r *bufio.Reader) (byte, error) {
	for {
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != 0xff {
			w.WriteByte(b)
			continue
		}
		next, err := r.ReadByte()
		for err == nil && next == 0xff { // fill bytes before a marker
			next, err = r.ReadByte()
		}
		switch {
		case err != nil:
			return 0, err
		case next == 0x00 || (next >= 0xd0 && next <= 0xd7):
			w.Write([]byte{0xff, next})
		default:
			return next, nil
		}
	}
}

var pngCritical = map[string]bool{"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true}

var pngKeep = map[string]bool{"tRNS": true, "gAMA": true, "cHRM": true, "sRGB": true, "sBIT": true, "bKGD": true, "pHYs": true}

func cleanPNG(w *bufio.Writer, r *bufio.Reader) error {
	sig := make([]byte, 8)
	if _, err := io.ReadFull(r, sig); err != nil {
		return err
	}
	if string(sig) != "\x89PNG\r\n\x1a\n" {
		return fmt.Errorf("%w: not a PNG", ErrMalformed)
	}
	w.Write(sig)
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		if n > 1<<31-1 {
			return fmt.Errorf("%w: a chunk is too long", ErrMalformed)
		}
		typ := string(hdr[4:])
		critical := hdr[4]&0x20 == 0
		if critical && !pngCritical[typ] {
			// A decoder must refuse a critical chunk it does not know;
			// its body could hold anything, so the cleaner refuses too.
			return fmt.Errorf("%w: an unknown critical chunk", ErrMalformed)
		}
		if critical || pngKeep[typ] {
			w.Write(hdr[:])
			if _, err := io.CopyN(w, r, n+4); err != nil {
				return err
			}
		} else if _, err := r.Discard(int(n + 4)); err != nil {
			return err
		}
		if typ == "IEND" {
			return nil
		}
	}
}
