package mediatest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
)

// PDFAuthor is the author written in every test PDF's metadata.
const PDFAuthor = "Zhou CANARY"

// pdfWriter builds a PDF, keeping each object's offset for the
// cross-reference table.
type pdfWriter struct {
	b       bytes.Buffer
	offsets map[int]int
}

func newPDF(version string) *pdfWriter {
	w := &pdfWriter{offsets: map[int]int{}}
	fmt.Fprintf(&w.b, "%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n", version)
	return w
}

func (w *pdfWriter) obj(num int, body string) {
	w.offsets[num] = w.b.Len()
	fmt.Fprintf(&w.b, "%d 0 obj\n%s\nendobj\n", num, body)
}

func (w *pdfWriter) stream(num int, dict string, data []byte) {
	w.offsets[num] = w.b.Len()
	fmt.Fprintf(&w.b, "%d 0 obj\n<<%s/Length %d>>\nstream\n", num, dict, len(data))
	w.b.Write(data)
	w.b.WriteString("\nendstream\nendobj\n")
}

// xref writes a classic cross-reference section for the objects nums and a
// trailer with the entries given, and returns the section's offset.
func (w *pdfWriter) xref(nums []int, size int, trailer string) int {
	at := w.b.Len()
	w.b.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, n := range nums {
		fmt.Fprintf(&w.b, "%d 1\n%010d 00000 n \n", n, w.offsets[n])
	}
	fmt.Fprintf(&w.b, "trailer\n<</Size %d%s>>\nstartxref\n%d\n%%%%EOF\n", size, trailer, at)
	return at
}

func xmp(who string) []byte {
	return []byte(`<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>` + who + `</dc:creator></rdf:Description>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`)
}

const pdfContent = "BT /F1 24 Tf 72 720 Td (The letter of summons) Tj ET"

// pdfPages writes a catalog (1), its XMP (2), a page tree (3), two pages
// (4, 7) with content (5, 8) and a font (6); the first page has XMP of its
// own (9); the second shows a photo (12), a JPEG with EXIF (a camera, its
// serial, a GPS position).
func (w *pdfWriter) pdfPages() {
	w.obj(1, "<</Type/Catalog/Pages 3 0 R/Metadata 2 0 R>>")
	w.stream(2, "/Type/Metadata/Subtype/XML", xmp(PDFAuthor))
	w.obj(3, "<</Type/Pages/Kids[4 0 R 7 0 R]/Count 2>>")
	w.obj(4, "<</Type/Page/Parent 3 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 6 0 R>>>>/Contents 5 0 R/Metadata 9 0 R>>")
	w.stream(5, "", []byte(pdfContent))
	w.obj(6, "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/PTEX.FileName(/home/zhou/CANARY.pdf)>>")
	w.obj(7, "<</Type/Page/Parent 3 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 6 0 R>>/XObject<</Im1 12 0 R>>>>/Contents 8 0 R>>")
	w.stream(8, "", []byte("BT /F1 12 Tf 72 720 Td (Page two) Tj ET q 320 0 0 240 72 300 cm /Im1 Do Q"))
	w.stream(9, "/Type/Metadata/Subtype/XML", xmp(PDFAuthor))
	w.stream(12, "/Type/XObject/Subtype/Image/Width 32/Height 24/ColorSpace/DeviceRGB/BitsPerComponent 8/Filter/DCTDecode", JPEGWithEXIF())
}

// PDFWithInfo returns a two-page PDF whose Info dictionary names an author
// and a producer (PDFAuthor in both), with XMP metadata naming the author
// on its catalog and on its first page.
func PDFWithInfo() []byte {
	w := newPDF("1.4")
	w.pdfPages()
	w.obj(10, "<</Author("+PDFAuthor+")/Producer(Writer of "+PDFAuthor+")/Title(Summons)/CreationDate(D:20240101120000Z)>>")
	w.xref([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12}, 13, "/Root 1 0 R/Info 10 0 R/ID[<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>]")
	return w.b.Bytes()
}

// PDFIncremental returns PDFWithInfo changed by an incremental update: a
// new Info dictionary (object 11) without the author, the catalog without
// its XMP. The first version's Info, naming the author, is still in the
// file, as incremental updates leave it.
func PDFIncremental() []byte {
	w := newPDF("1.4")
	w.pdfPages()
	w.obj(10, "<</Author("+PDFAuthor+")/Producer(Writer of "+PDFAuthor+")>>")
	prev := w.xref([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12}, 13, "/Root 1 0 R/Info 10 0 R")
	w.obj(1, "<</Type/Catalog/Pages 3 0 R>>")
	w.obj(11, "<</Producer(an editor)/ModDate(D:20240202120000Z)>>")
	w.xref([]int{1, 11}, 13, fmt.Sprintf("/Root 1 0 R/Info 11 0 R/Prev %d", prev))
	return w.b.Bytes()
}

// PDFObjectStreams returns a PDF 1.5 whose catalog, pages and Info
// dictionary (naming PDFAuthor) are packed, compressed, in an object
// stream, with a cross-reference stream in place of a table, as most
// writers make them today.
func PDFObjectStreams() []byte {
	w := newPDF("1.5")
	packed := []string{
		"<</Type/Catalog/Pages 2 0 R/Metadata 6 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
		"<</Author(" + PDFAuthor + ")/Producer(Writer of " + PDFAuthor + ")>>",
	}
	nums := []int{1, 2, 3, 5, 7}
	var head, body bytes.Buffer
	for i, o := range packed {
		fmt.Fprintf(&head, "%d %d ", nums[i], body.Len())
		body.WriteString(o + "\n")
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(head.Bytes())
	zw.Write(body.Bytes())
	zw.Close()
	w.stream(4, "", []byte(pdfContent))
	w.stream(6, "/Type/Metadata/Subtype/XML", xmp(PDFAuthor))
	w.stream(8, fmt.Sprintf("/Type/ObjStm/N %d/First %d/Filter/FlateDecode", len(packed), head.Len()), z.Bytes())
	// The cross-reference stream (9): type, field 2, field 3 per object.
	var xr bytes.Buffer
	row := func(typ byte, f2 uint32, f3 uint16) {
		xr.WriteByte(typ)
		xr.Write(binary.BigEndian.AppendUint32(nil, f2))
		xr.Write(binary.BigEndian.AppendUint16(nil, f3))
	}
	row(0, 0, 0xffff)
	for n := 1; n <= 9; n++ {
		switch n {
		case 4, 6, 8:
			row(1, uint32(w.offsets[n]), 0)
		case 9:
			row(1, uint32(w.b.Len()), 0)
		default:
			idx := map[int]uint16{1: 0, 2: 1, 3: 2, 5: 3, 7: 4}[n]
			row(2, 8, idx)
		}
	}
	at := w.b.Len()
	w.stream(9, "/Type/XRef/Size 10/W[1 4 2]/Root 1 0 R/Info 7 0 R", xr.Bytes())
	fmt.Fprintf(&w.b, "startxref\n%d\n%%%%EOF\n", at)
	return w.b.Bytes()
}
