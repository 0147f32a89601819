package media

import (
	"bytes"
	"encoding/binary"
)

// headLen is how much of the start of a file the inspector keeps: a JPEG's
// metadata segments, an MP3's ID3v2 tag and a FLAC's metadata blocks all
// come before the media data, and in practice within the first megabyte.
const headLen = 1 << 20

// pdfMarkers are what a PDF's document information and XMP look like. They
// are searched for in the whole file, since a PDF keeps its Info dictionary
// wherever its writer put it.
var pdfMarkers = []struct {
	marker     string
	kind, what string
}{
	{"/Author", "author", "an author"},
	{"/Creator", "software", "the software that made it"},
	{"/Producer", "software", "the software that made it"},
	{"/CreationDate", "time", "the time it was made"},
	{"/ModDate", "time", "the time it was changed"},
	{"/Title", "comment", "a title"},
	{"/Subject", "comment", "a subject"},
	{"/Keywords", "comment", "keywords"},
	{"<x:xmpmeta", "xmp", "XMP metadata (may hold names, times and software)"},
}

// Inspector finds the metadata a file carries while the file streams
// through it: write every byte of the file to it, in order, then call
// [Inspector.Findings]. Its memory is bounded whatever the file's size.
type Inspector struct {
	typ   string
	n     int64
	head  []byte
	tail  [128]byte
	found findings

	// PDF: the end of the previous write, so that a marker split across
	// two writes is still found.
	overlap []byte
	// PDF: the whole file while it is at most pdfInspectMax bytes, read
	// as a PDF at the end (an Info dictionary packed in a compressed
	// object stream is invisible to the marker search).
	pdf     []byte
	pdfOver bool

	// PNG and RIFF (WAV): a walk over chunks.
	chunk chunkWalk
}

// NewInspector returns an inspector for a file of the given media type
// ([Sniff]).
func NewInspector(mediaType string) *Inspector {
	in := &Inspector{typ: mediaType}
	switch mediaType {
	case PNG:
		in.chunk = chunkWalk{skip: 8, png: true, found: &in.found}
	case WAV:
		in.chunk = chunkWalk{skip: 12, found: &in.found}
	}
	return in
}

// Write never fails.
func (in *Inspector) Write(p []byte) (int, error) {
	n := len(p)
	if len(in.head) < headLen {
		in.head = append(in.head, p[:min(len(p), headLen-len(in.head))]...)
	}
	// The last 128 bytes: where an ID3v1 tag lives.
	if len(p) >= len(in.tail) {
		copy(in.tail[:], p[len(p)-len(in.tail):])
	} else {
		copy(in.tail[:], in.tail[len(p):])
		copy(in.tail[len(in.tail)-len(p):], p)
	}
	in.n += int64(n)
	switch in.typ {
	case PDF:
		in.scanPDF(p)
		if !in.pdfOver && len(in.pdf)+len(p) <= pdfInspectMax {
			in.pdf = append(in.pdf, p...)
		} else {
			in.pdfOver, in.pdf = true, nil
		}
	case PNG, WAV:
		in.chunk.write(p)
	}
	return n, nil
}

func (in *Inspector) scanPDF(p []byte) {
	const keep = 16 // longer than every marker
	buf := append(in.overlap, p...)
	for _, m := range pdfMarkers {
		if bytes.Contains(buf, []byte(m.marker)) {
			in.found.add(m.kind, m.what)
		}
	}
	in.overlap = append(in.overlap[:0], buf[max(0, len(buf)-keep):]...)
}

// pdfInspectMax is the largest PDF the inspector reads as a PDF, in
// memory; a larger one is only searched for the markers of pdfMarkers.
const pdfInspectMax = 16 << 20

// pdfFindings reads a PDF's Info dictionary, wherever it is stored, and
// looks for XMP metadata on any object.
func pdfFindings(b []byte) []Finding {
	var f findings
	file, err := readPDF(b)
	if err != nil {
		return nil
	}
	info, _ := file.trailer.get("Info").(*pdfDict)
	if ref, ok := file.trailer.get("Info").(pdfRef); ok {
		info, _ = file.defs[ref.num].obj.(*pdfDict)
	}
	if info != nil {
		for _, e := range info.entries {
			kind, what := "comment", "custom document information"
			for _, m := range pdfMarkers {
				if m.marker == "/"+string(e.key) {
					kind, what = m.kind, m.what
				}
			}
			if e.key != "Trapped" {
				f.add(kind, what)
			}
		}
	}
	for _, def := range file.defs {
		xmp := false
		walkDicts(def.obj, func(d *pdfDict) {
			xmp = xmp || d.get("Metadata") != nil
		})
		if xmp {
			f.add("xmp", "XMP metadata (may hold names, times and software)")
			break
		}
	}
	return f.list
}

// Findings returns what the file carries, one finding per kind, in the order
// found.
func (in *Inspector) Findings() []Finding {
	f := findings{}
	f.merge(in.found.list)
	switch in.typ {
	case JPEG:
		f.merge(jpegFindings(in.head))
	case MP3:
		if bytes.HasPrefix(in.head, []byte("ID3")) {
			f.add("tags", "ID3 tags (may hold names, places, comments and a picture)")
		}
		if in.n >= 128 && bytes.HasPrefix(in.tail[:], []byte("TAG")) {
			f.add("tags", "ID3 tags (may hold names, places, comments and a picture)")
		}
	case FLAC:
		f.merge(flacFindings(in.head))
	case PDF:
		if in.pdf != nil {
			f.merge(pdfFindings(in.pdf))
		}
	}
	if in.chunk.exif != nil {
		f.merge(exifFindings(in.chunk.exif))
	}
	return f.list
}

// jpegFindings walks a JPEG's segments up to its first scan.
func jpegFindings(b []byte) []Finding {
	var f findings
	walkJPEG(b, func(marker byte, body []byte) bool {
		switch {
		case marker == 0xe1 && bytes.HasPrefix(body, []byte("Exif\x00\x00")):
			f.merge(exifFindings(body[6:]))
			f.add("exif", "EXIF metadata")
		case marker == 0xe1 && bytes.HasPrefix(body, []byte("http://ns.adobe.com/xap/1.0/")):
			f.add("xmp", "XMP metadata (may hold names, times and software)")
		case marker == 0xed:
			f.add("iptc", "IPTC metadata (may hold names, places and captions)")
		case marker == 0xfe:
			f.add("comment", "a comment")
		}
		return true
	})
	return f.list
}

// walkJPEG calls fn with each marker segment of b from the start, passing
// over the entropy-coded data of every scan (segments may follow a scan:
// an APP1 with EXIF between the scans of a progressive JPEG), until fn
// returns false, the image ends, or b ends.
func walkJPEG(b []byte, fn func(marker byte, body []byte) bool) {
	if len(b) < 2 || b[0] != 0xff || b[1] != 0xd8 {
		return
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xff {
			return
		}
		marker := b[i+1]
		if marker == 0xff { // fill byte
			i++
			continue
		}
		if marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7) {
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return
		}
		if marker == 0xd9 {
			return
		}
		if !fn(marker, b[i+4:i+2+n]) {
			return
		}
		i += 2 + n
		if marker == 0xda {
			i = skipScan(b, i)
		}
	}
}

// skipScan returns where the entropy-coded data that starts at b[i] ends:
// at a marker that is not a stuffed zero, a restart marker or a fill byte.
func skipScan(b []byte, i int) int {
	for ; i+1 < len(b); i++ {
		if b[i] != 0xff {
			continue
		}
		if m := b[i+1]; m != 0x00 && m != 0xff && (m < 0xd0 || m > 0xd7) {
			return i
		}
	}
	return len(b)
}

// flacFindings reads a FLAC's metadata blocks.
func flacFindings(b []byte) []Finding {
	var f findings
	i := 4
	for i+4 <= len(b) {
		typ := b[i] & 0x7f
		last := b[i]&0x80 != 0
		n := int(b[i+1])<<16 | int(b[i+2])<<8 | int(b[i+3])
		switch typ {
		case 4:
			f.add("tags", "Vorbis comments (may hold names, places and comments)")
		case 6:
			f.add("picture", "an embedded picture")
		}
		if last {
			break
		}
		i += 4 + n
	}
	return f.list
}

// chunkWalk follows a PNG's or a RIFF file's chunks as they stream past,
// noting the ones that carry metadata and keeping an eXIf chunk's body.
type chunkWalk struct {
	png   bool
	skip  int64 // bytes still to pass over
	hdr   []byte
	found *findings
	// exif collects the body of a PNG eXIf chunk (at most maxTIFF bytes).
	exif     []byte
	exifLeft int64
	done     bool
}

func (c *chunkWalk) write(p []byte) {
	for len(p) > 0 && !c.done {
		if c.skip > 0 {
			n := int(min(c.skip, int64(len(p))))
			if c.exifLeft > 0 {
				k := int(min(int64(n), c.exifLeft))
				c.exif = append(c.exif, p[:k]...)
				c.exifLeft -= int64(k)
			}
			c.skip -= int64(n)
			p = p[n:]
			continue
		}
		need := 8 - len(c.hdr)
		k := min(need, len(p))
		c.hdr = append(c.hdr, p[:k]...)
		p = p[k:]
		if len(c.hdr) < 8 {
			return
		}
		c.chunkHeader()
		c.hdr = c.hdr[:0]
	}
}

func (c *chunkWalk) chunkHeader() {
	if c.png {
		n := int64(binary.BigEndian.Uint32(c.hdr))
		typ := string(c.hdr[4:8])
		switch typ {
		case "tEXt", "zTXt", "iTXt":
			c.found.add("text", "text chunks (may hold an author, a comment or software)")
		case "tIME":
			c.found.add("time", "the time the image was last changed")
		case "eXIf":
			c.found.add("exif", "EXIF metadata")
			if c.exif == nil {
				c.exif = []byte{}
				c.exifLeft = min(n, maxTIFF)
			}
		case "IEND":
			c.done = true
		}
		c.skip = n + 4 // data and CRC
		return
	}
	id := string(c.hdr[:4])
	n := int64(binary.LittleEndian.Uint32(c.hdr[4:]))
	switch id {
	case "LIST":
		c.found.add("tags", "RIFF INFO tags (may hold names, comments and software)")
	case "id3 ", "ID3 ":
		c.found.add("tags", "ID3 tags (may hold names, places, comments and a picture)")
	case "bext":
		c.found.add("author", "broadcast metadata (originator, time, description)")
	case "iXML", "_PMX":
		c.found.add("xmp", "XML metadata")
	}
	c.skip = n + n&1
}
