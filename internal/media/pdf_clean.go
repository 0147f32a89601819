package media

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
	"strings"
)

// pdfDropped are the dictionary keys the cleaner removes wherever they are:
// XMP metadata streams (of the document, of a page, of an image, of a
// font…) and page-piece dictionaries, private data of the program that
// made the file (its name, times of change), and pages' thumbnails, small
// images that an incremental update does not redo (they can show a page as
// it was before a name was removed from it). Keys that start with
// pdfTeXPrefix go too: pdfTeX records there the path of an included file
// on the author's machine, and that file's Info dictionary.
var pdfDropped = []pdfName{"Metadata", "PieceInfo", "Thumb"}

const pdfTeXPrefix = "PTEX."

// cleanPDF writes a PDF anew from its catalog: only the objects the
// document reaches from its catalog, numbered afresh in the order they are
// reached, without the document information dictionary (the trailer's
// Info: author, title, producer, dates), without XMP metadata anywhere,
// without the file identifiers, and without the history of incremental
// updates (earlier versions of objects, deleted objects, older Info
// dictionaries). Streams are copied as they are stored, never re-encoded.
// The whole file is held in memory: see [MaxCleanPDF].
func cleanPDF(w *bufio.Writer, r io.Reader, tail *Tail) error {
	tooLarge := fmt.Errorf("%w: tvault cleans PDFs of up to %d MiB, in memory; this one is larger", ErrCannotClean, MaxCleanPDF>>20)
	var b []byte
	var err error
	if tail != nil {
		// The size is known: one buffer of it, not a growing one that
		// holds up to twice the file while it is copied.
		if tail.n > MaxCleanPDF {
			return tooLarge
		}
		b, err = readAllInto(make([]byte, 0, tail.n+1), io.LimitReader(r, MaxCleanPDF+1))
	} else {
		b, err = io.ReadAll(io.LimitReader(r, MaxCleanPDF+1))
	}
	if err != nil {
		return err
	}
	if len(b) > MaxCleanPDF {
		return tooLarge
	}
	f, err := readPDF(b)
	if err != nil {
		return err
	}
	root, ok := f.trailer.get("Root").(pdfRef)
	if !ok || !f.usable(root.num) {
		return fmt.Errorf("%w: the PDF's catalog is missing", ErrMalformed)
	}

	// Number the objects reached from the catalog, in the order reached.
	renum := map[int]int{root.num: 1}
	order := []int{root.num}
	dropped := map[int]bool{} // each object is judged once
	for k := 0; k < len(order); k++ {
		o := f.defs[order[k]].obj
		stripPDF(o)
		walkRefs(o, func(r pdfRef) {
			if _, seen := renum[r.num]; seen || dropped[r.num] {
				return
			}
			if !f.usable(r.num) {
				dropped[r.num] = true
				return
			}
			renum[r.num] = len(order) + 1
			order = append(order, r.num)
		})
	}

	cw := &pdfOut{w: w, h: sha256.New()}
	cw.printf("%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n", f.version)
	offsets := make([]int64, 0, len(order))
	var buf bytes.Buffer
	for k, num := range order {
		offsets = append(offsets, cw.n)
		buf.Reset()
		fmt.Fprintf(&buf, "%d 0 obj\n", k+1)
		switch o := f.defs[num].obj.(type) {
		case *pdfStream:
			data, err := f.cleanDCT(o)
			if err != nil {
				return err
			}
			o.dict.del("Length")
			o.dict.set("Length", pdfNumber(strconv.Itoa(len(data))))
			writePDFObject(&buf, o.dict, renum)
			buf.WriteString("\nstream\n")
			cw.write(buf.Bytes())
			cw.write(data)
			cw.write([]byte("\nendstream\nendobj\n"))
			continue
		default:
			writePDFObject(&buf, o, renum)
		}
		buf.WriteString("\nendobj\n")
		cw.write(buf.Bytes())
	}
	// The file identifier: from the cleaned content alone, so that it
	// names nothing of the original and cleaning is repeatable.
	id := fmt.Sprintf("%x", cw.h.Sum(nil)[:16])
	xref := cw.n
	cw.printf("xref\n0 %d\n0000000000 65535 f \n", len(order)+1)
	for _, off := range offsets {
		cw.printf("%010d 00000 n \n", off)
	}
	cw.printf("trailer\n<</Size %d/Root 1 0 R/ID[<%s><%s>]>>\nstartxref\n%d\n%%%%EOF\n", len(order)+1, id, id, xref)
	return cw.err
}

// readAllInto appends what r holds to b, as io.ReadAll does.
func readAllInto(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// cleanDCT returns a JPEG image stream's data without its EXIF, XMP,
// comments and other metadata segments (see [Clean]), or the stream's data
// as it is if it is not a JPEG image. The compressed image data is copied
// as it is. A JPEG compressed once more with Flate ([/FlateDecode
// /DCTDecode]) is decompressed and stored as a JPEG alone (its dictionary
// changed to say so). A JPEG stored under any other filter is refused: its
// metadata could not be removed. A JPEG the JPEG cleaner cannot finish (cut
// short, damaged) keeps what the cleaner wrote, never its original bytes.
func (f *pdfFile) cleanDCT(s *pdfStream) ([]byte, error) {
	filter := s.dict.get("Filter")
	if a, ok := filter.(pdfArray); ok && len(a) == 1 {
		filter = a[0]
	}
	data := s.data
	switch a, _ := filter.(pdfArray); {
	case filter == pdfName("DCTDecode"):
	case len(a) == 2 && a[0] == pdfName("FlateDecode") && a[1] == pdfName("DCTDecode"):
		parms := s.dict.get("DecodeParms")
		p, isArray := parms.(pdfArray)
		if parms != nil && (!isArray || len(p) != 2 || (p[0] != pdfKeyword("null") && p[0] != nil)) {
			return nil, fmt.Errorf("%w: a PDF image compressed in a way tvault does not read", ErrCannotClean)
		}
		var err error
		if data, err = f.inflate(data); err != nil {
			return nil, err
		}
		s.dict.set("Filter", pdfName("DCTDecode"))
		if isArray {
			s.dict.set("DecodeParms", p[1])
		}
	case slices.Contains(a, pdfObject(pdfName("DCTDecode"))):
		return nil, fmt.Errorf("%w: a PDF image compressed in a way tvault does not read", ErrCannotClean)
	default:
		return data, nil
	}
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	cleanJPEG(bw, bufio.NewReader(bytes.NewReader(data)))
	bw.Flush()
	return out.Bytes(), nil
}

// usable reports whether object num is defined, is not part of the file's
// structure (an object or cross-reference stream), which the cleaned copy
// has none of, and is not an XMP packet, whatever key names it: a
// reference to it, or to nothing, reads null.
func (f *pdfFile) usable(num int) bool {
	def, ok := f.defs[num]
	if !ok {
		return false
	}
	if s, ok := def.obj.(*pdfStream); ok {
		switch s.dict.get("Type") {
		case pdfName("ObjStm"), pdfName("XRef"), pdfName("Metadata"):
			return false
		}
		if s.dict.get("Subtype") == pdfName("XML") || isXMP(s) {
			return false
		}
	}
	return true
}

// isXMP reports whether a stream starts as an XMP packet does: its first
// 4 KiB, decompressed if Flate compresses them, hold an XMP packet header
// or its root element.
func isXMP(s *pdfStream) bool {
	head := s.data[:min(len(s.data), 4<<10)]
	filter := s.dict.get("Filter")
	if a, ok := filter.(pdfArray); ok && len(a) >= 1 {
		filter = a[0]
	}
	if filter == pdfName("FlateDecode") {
		zr, err := zlib.NewReader(bytes.NewReader(s.data))
		if err != nil {
			return false
		}
		var b [4 << 10]byte
		n, _ := io.ReadFull(zr, b[:])
		head = b[:n]
	}
	return bytes.Contains(head, []byte("<?xpacket")) || bytes.Contains(head, []byte("<x:xmpmeta"))
}

// stripPDF removes the metadata keys from every dictionary in o.
func stripPDF(o pdfObject) {
	switch o := o.(type) {
	case *pdfStream:
		stripPDF(o.dict)
	case *pdfDict:
		for _, k := range pdfDropped {
			o.del(k)
		}
		out := o.entries[:0]
		for _, e := range o.entries {
			if !strings.HasPrefix(string(e.key), pdfTeXPrefix) {
				out = append(out, e)
			}
		}
		o.entries = out
		for _, e := range o.entries {
			stripPDF(e.val)
		}
	case pdfArray:
		for _, v := range o {
			stripPDF(v)
		}
	}
}

// walkDicts calls fn with every dictionary in o.
func walkDicts(o pdfObject, fn func(*pdfDict)) {
	switch o := o.(type) {
	case *pdfStream:
		walkDicts(o.dict, fn)
	case *pdfDict:
		fn(o)
		for _, e := range o.entries {
			walkDicts(e.val, fn)
		}
	case pdfArray:
		for _, v := range o {
			walkDicts(v, fn)
		}
	}
}

func walkRefs(o pdfObject, fn func(pdfRef)) {
	switch o := o.(type) {
	case pdfRef:
		fn(o)
	case *pdfStream:
		walkRefs(o.dict, fn)
	case *pdfDict:
		for _, e := range o.entries {
			walkRefs(e.val, fn)
		}
	case pdfArray:
		for _, v := range o {
			walkRefs(v, fn)
		}
	}
}

// writePDFObject writes o, its references renumbered; a reference to an
// object not kept is written null.
func writePDFObject(b *bytes.Buffer, o pdfObject, renum map[int]int) {
	switch o := o.(type) {
	case pdfRef:
		if n, ok := renum[o.num]; ok {
			fmt.Fprintf(b, "%d 0 R", n)
		} else {
			b.WriteString("null")
		}
	case pdfName:
		writePDFName(b, o)
	case pdfString:
		writePDFString(b, o)
	case pdfNumber:
		b.WriteString(string(o))
	case pdfKeyword:
		b.WriteString(string(o))
	case pdfArray:
		b.WriteByte('[')
		for i, v := range o {
			if i > 0 {
				b.WriteByte(' ')
			}
			writePDFObject(b, v, renum)
		}
		b.WriteByte(']')
	case *pdfDict:
		b.WriteString("<<")
		for _, e := range o.entries {
			writePDFName(b, e.key)
			b.WriteByte(' ')
			writePDFObject(b, e.val, renum)
		}
		b.WriteString(">>")
	default: // a stream inside an object: not allowed, dropped
		b.WriteString("null")
	}
}

// writePDFString writes a literal string, every byte that is not printable
// ASCII as an octal escape.
func writePDFString(b *bytes.Buffer, s pdfString) {
	b.WriteByte('(')
	for _, c := range []byte(s) {
		switch {
		case c == '(' || c == ')' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(')')
}

func writePDFName(b *bytes.Buffer, n pdfName) {
	b.WriteByte('/')
	for _, c := range []byte(n) {
		if c <= ' ' || c > '~' || c == '#' || isPDFDelim(c) {
			fmt.Fprintf(b, "#%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
}

// pdfOut counts and hashes what it writes.
type pdfOut struct {
	w   *bufio.Writer
	h   hash.Hash
	n   int64
	err error
}

func (o *pdfOut) write(p []byte) {
	if o.err != nil {
		return
	}
	_, o.err = o.w.Write(p)
	o.h.Write(p)
	o.n += int64(len(p))
}

func (o *pdfOut) printf(format string, args ...any) {
	o.write(fmt.Appendf(nil, format, args...))
}
