package media

import (
	"encoding/binary"
	"strings"
)

// Finding is one kind of metadata a file carries.
type Finding struct {
	// Kind is short and stable, for scripts and the signed record: gps,
	// camera, serial, time, author, software, comment, xmp, iptc, text,
	// tags.
	Kind string `json:"kind"`
	// Detail says what was found, for a person. It never repeats a value
	// that could name or locate someone (a serial, a position, an author):
	// only the camera's make and model are shown as they are.
	Detail string `json:"detail"`
}

// TIFF tags that identify a person, a place, a device or a time.
const (
	tagMake        = 0x010f
	tagModel       = 0x0110
	tagDateTime    = 0x0132
	tagArtist      = 0x013b
	tagSoftware    = 0x0131
	tagCopyright   = 0x8298
	tagExifIFD     = 0x8769
	tagGPSIFD      = 0x8825
	tagDateOrig    = 0x9003
	tagOwnerName   = 0xa430
	tagBodySerial  = 0xa431
	tagLensSerial  = 0xa435
	tagUserComment = 0x9286
	tagImageDesc   = 0x010e
	tagGPSLatitude = 0x0002
	tagGPSLongit   = 0x0004
	maxIFDEntries  = 512
	maxTIFF        = 1 << 20
)

// exifFindings reads a TIFF structure (the body of a JPEG APP1 "Exif"
// segment, or of a PNG eXIf chunk) and returns what it says about who,
// where and with what. Damaged or hostile input gives fewer findings,
// never an error: the file is kept as it is either way.
func exifFindings(b []byte) []Finding {
	if len(b) > maxTIFF {
		b = b[:maxTIFF]
	}
	if len(b) < 8 {
		return nil
	}
	var bo binary.ByteOrder
	switch string(b[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return nil
	}
	t := tiff{b: b, bo: bo}
	var f findings
	ifd0 := t.entries(bo.Uint32(b[4:8]))
	var makeModel []string
	for _, e := range ifd0 {
		switch e.tag {
		case tagMake, tagModel:
			if s := t.ascii(e); s != "" {
				makeModel = append(makeModel, s)
			}
		case tagDateTime:
			f.add("time", "the time the file was made")
		case tagArtist, tagCopyright:
			f.add("author", "an author or copyright holder")
		case tagSoftware:
			f.add("software", "the software that made it")
		case tagImageDesc:
			f.add("comment", "a description")
		case tagExifIFD:
			for _, x := range t.entries(t.offset(e)) {
				switch x.tag {
				case tagDateOrig:
					f.add("time", "the time the photo was taken")
				case tagOwnerName:
					f.add("author", "the camera owner's name")
				case tagBodySerial, tagLensSerial:
					f.add("serial", "the camera's serial number")
				case tagUserComment:
					f.add("comment", "a comment")
				}
			}
		case tagGPSIFD:
			for _, g := range t.entries(t.offset(e)) {
				if g.tag == tagGPSLatitude || g.tag == tagGPSLongit {
					f.add("gps", "the GPS position where it was taken")
					break
				}
			}
		}
	}
	if len(makeModel) > 0 {
		f.add("camera", "the camera: "+clean(strings.Join(makeModel, " ")))
	}
	return f.list
}

type tiff struct {
	b  []byte
	bo binary.ByteOrder
}

type ifdEntry struct {
	tag, typ uint16
	count    uint32
	value    []byte // the 4 bytes of the value field
}

func (t tiff) entries(off uint32) []ifdEntry {
	if off < 8 || uint64(off)+2 > uint64(len(t.b)) {
		return nil
	}
	n := int(t.bo.Uint16(t.b[off:]))
	n = min(n, maxIFDEntries, (len(t.b)-int(off)-2)/12)
	out := make([]ifdEntry, 0, n)
	for i := range n {
		e := t.b[int(off)+2+12*i:]
		out = append(out, ifdEntry{tag: t.bo.Uint16(e), typ: t.bo.Uint16(e[2:]), count: t.bo.Uint32(e[4:]), value: e[8:12]})
	}
	return out
}

func (t tiff) offset(e ifdEntry) uint32 { return t.bo.Uint32(e.value) }

// ascii returns an ASCII tag's value, or "" if it does not fit the file.
func (t tiff) ascii(e ifdEntry) string {
	if e.typ != 2 || e.count == 0 || e.count > 256 {
		return ""
	}
	var raw []byte
	if e.count <= 4 {
		raw = e.value[:e.count]
	} else {
		off := t.offset(e)
		if uint64(off)+uint64(e.count) > uint64(len(t.b)) {
			return ""
		}
		raw = t.b[off : off+e.count]
	}
	return strings.TrimRight(string(raw), "\x00 ")
}

// clean keeps the printable ASCII of s, at most 64 bytes: a camera's make
// and model, shown on a terminal, must not carry control codes.
func clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0x20 && r < 0x7f && b.Len() < 64 {
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// findings collects findings, one per kind.
type findings struct {
	list []Finding
	seen map[string]bool
}

func (f *findings) add(kind, detail string) {
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	if f.seen[kind] {
		return
	}
	f.seen[kind] = true
	f.list = append(f.list, Finding{Kind: kind, Detail: detail})
}

func (f *findings) merge(list []Finding) {
	for _, x := range list {
		f.add(x.Kind, x.Detail)
	}
}
