package media

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
)

// MaxCleanPDF is the largest PDF [Clean] cleans. A PDF is not a stream: its
// objects refer to one another from anywhere in the file, so the cleaner
// reads it whole into memory (never into a file) and refuses a larger one.
const MaxCleanPDF = 128 << 20

// pdfDef is an object's definition, and where in the file it is: an
// incremental update appends new definitions of changed objects, so the
// last definition of a number is its current one.
type pdfDef struct {
	obj pdfObject
	gen int
	at  int
}

// pdfFile is what the cleaner reads of a PDF: every object defined in it,
// and its last trailer.
type pdfFile struct {
	version string
	defs    map[int]pdfDef
	trailer *pdfDict
	// inflated counts the bytes of streams decompressed, bounded by
	// maxInflated so that a small file cannot make the reader hold
	// gigabytes (zlib expands up to a thousandfold).
	inflated, maxInflated int
	// values is how many more values (numbers, names, strings, arrays,
	// dictionaries…) the reader may make: see pdfMaxValues.
	values int
}

// pdfMaxValues bounds how many values the reader makes of a PDF of n
// bytes, and so its memory (a value costs it about 50 bytes), whatever the
// file's object streams decompress to or how often they name one object:
// a million, and one for every 16 bytes of the file. A real PDF holds far
// fewer; most of its bytes are stream data.
func pdfMaxValues(n int) int { return 1<<20 + n/16 }

// pdfMaxInflated bounds how many bytes the streams of a PDF of n bytes
// decompress to, all together: 32 times the file and 4 MiB, at most twice
// [MaxCleanPDF]. Object streams compress about fivefold; a 250 KiB file
// whose one object stream inflates to 250 MiB made the inspector allocate
// 568 MiB on arrival.
func pdfMaxInflated(n int) int { return min(2*MaxCleanPDF, 32*n+4<<20) }

// readPDF reads every object of a PDF held in memory. It does not trust the
// cross-reference tables, whose offsets an incremental update or a damaged
// file gets wrong: it finds objects by their "N G obj" headers, in order,
// passing over stream data, and reads the objects packed in object streams.
// The last definition of a number wins, as the last update's table says.
func readPDF(b []byte) (*pdfFile, error) {
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		return nil, fmt.Errorf("%w: not a PDF", ErrMalformed)
	}
	f := &pdfFile{version: "1.7", defs: map[int]pdfDef{}, values: pdfMaxValues(len(b)), maxInflated: pdfMaxInflated(len(b))}
	if v := b[5:min(len(b), 8)]; len(v) == 3 && v[0] >= '1' && v[0] <= '2' && v[1] == '.' && v[2] >= '0' && v[2] <= '9' {
		f.version = string(v)
	}
	trailerAt := -1
	nextObj, nextTrailer := -1, -1
	// work counts the bytes read by every attempt at an object: a damaged
	// or hostile file (say, many "obj" inside one unterminated string)
	// could otherwise make the cleaner read it over and over.
	work, maxWork := 0, 16*len(b)+1<<20
	for i := 0; i < len(b); {
		if work > maxWork {
			return nil, fmt.Errorf("%w: a PDF too damaged to read", ErrMalformed)
		}
		if nextObj < i {
			nextObj = indexFrom(b, i, "obj")
		}
		if nextTrailer < i {
			nextTrailer = indexFrom(b, i, "trailer")
		}
		switch {
		case nextObj == len(b) && nextTrailer == len(b):
			i = len(b)
		case nextTrailer < nextObj:
			i = nextTrailer + len("trailer")
			if !pdfWordAt(b, nextTrailer, len("trailer")) {
				continue
			}
			l := &pdfLexer{b: b, i: i, values: &f.values}
			l.skip()
			if l.i+1 < len(b) && b[l.i] == '<' && b[l.i+1] == '<' {
				l.i += 2
				d, err := l.dict(0)
				work += l.i - i
				if err == nil {
					if d.get("Root") != nil {
						f.trailer, trailerAt = d, nextTrailer
					}
					i = l.i
				}
			}
		default:
			k := nextObj
			i = k + 3
			num, gen, ok := objHeaderBefore(b, k)
			if !ok || (k+3 < len(b) && isPDFRegular(b[k+3])) {
				continue
			}
			l := &pdfLexer{b: b, i: k + 3, values: &f.values}
			o, err := l.object(0)
			work += min(l.i, len(b)) - k
			if err != nil {
				continue
			}
			if d, isDict := o.(*pdfDict); isDict {
				s, ok, err := l.stream(d)
				work += min(l.i, len(b)) - k
				if err != nil {
					continue
				} else if ok {
					o = s
					if d.get("Type") == pdfName("XRef") && d.get("Root") != nil && k > trailerAt {
						// A cross-reference stream is a trailer too.
						f.trailer, trailerAt = d, k
					}
				}
			}
			f.defs[num] = pdfDef{obj: o, gen: gen, at: k}
			i = l.i
		}
	}
	if f.values < 0 {
		return nil, errPDFTooMany
	}
	if f.trailer == nil {
		return nil, fmt.Errorf("%w: a PDF without a trailer naming its catalog", ErrMalformed)
	}
	if f.trailer.get("Encrypt") != nil {
		return nil, fmt.Errorf("%w: an encrypted PDF (decrypt it first, with its password)", ErrCannotClean)
	}
	if err := f.readObjectStreams(); err != nil {
		return nil, err
	}
	return f, nil
}

// indexFrom returns where word is next found in b from i, or len(b).
func indexFrom(b []byte, i int, word string) int {
	k := bytes.Index(b[i:], []byte(word))
	if k < 0 {
		return len(b)
	}
	return i + k
}

// pdfWordAt reports whether the n bytes at k stand alone.
func pdfWordAt(b []byte, k, n int) bool {
	return (k == 0 || !isPDFRegular(b[k-1])) && (k+n == len(b) || !isPDFRegular(b[k+n]))
}

// objHeaderBefore reads the "N G " that must come before "obj" at k.
func objHeaderBefore(b []byte, k int) (num, gen int, ok bool) {
	j := k
	back := func(maxDigits int) (int, bool) {
		s := j
		for j > 0 && isPDFSpace(b[j-1]) {
			j--
		}
		if j == s {
			return 0, false
		}
		e := j
		for j > 0 && b[j-1] >= '0' && b[j-1] <= '9' && e-j < maxDigits {
			j--
		}
		if j == e {
			return 0, false
		}
		n := 0
		for _, c := range b[j:e] {
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	if gen, ok = back(5); !ok {
		return 0, 0, false
	}
	if num, ok = back(9); !ok {
		return 0, 0, false
	}
	if j > 0 && isPDFRegular(b[j-1]) {
		return 0, 0, false
	}
	return num, gen, true
}

// stream reads the stream that may follow a dictionary, and "endobj".
func (l *pdfLexer) stream(d *pdfDict) (*pdfStream, bool, error) {
	l.skip()
	if !bytes.HasPrefix(l.b[l.i:], []byte("stream")) || !pdfWordAt(l.b, l.i, len("stream")) {
		return nil, false, nil
	}
	start := l.i + len("stream")
	switch {
	case bytes.HasPrefix(l.b[start:], []byte("\r\n")):
		start += 2
	case start < len(l.b) && (l.b[start] == '\n' || l.b[start] == '\r'):
		start++
	}
	end := -1
	if n, ok := d.get("Length").(pdfNumber); ok {
		if length, ok := pdfInt(n); ok && length >= 0 && length <= len(l.b)-start {
			j := start + length
			for j < len(l.b) && j < start+length+4 && isPDFSpace(l.b[j]) {
				j++
			}
			if bytes.HasPrefix(l.b[j:], []byte("endstream")) {
				end = start + length
			}
		}
	}
	if end < 0 {
		// No length, an indirect one, or a wrong one: up to "endstream",
		// without the end of line before it.
		k := bytes.Index(l.b[start:], []byte("endstream"))
		if k < 0 {
			l.i = len(l.b) // read to the end
			return nil, false, errPDFSyntax
		}
		end = start + k
		if end > start && l.b[end-1] == '\n' {
			end--
		}
		if end > start && l.b[end-1] == '\r' {
			end--
		}
	}
	l.i = indexFrom(l.b, end, "endstream") + len("endstream")
	l.skip()
	if bytes.HasPrefix(l.b[min(l.i, len(l.b)):], []byte("endobj")) {
		l.i += len("endobj")
	}
	return &pdfStream{dict: d, data: l.b[start:end]}, true, nil
}

// pdfInt reads an integer number.
func pdfInt(n pdfNumber) (int, bool) {
	s := string(n)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" || len(s) > 12 {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// readObjectStreams reads the objects packed in the current object
// streams (PDF 1.5). An object in a stream is as new as the stream.
func (f *pdfFile) readObjectStreams() error {
	type objStm struct {
		num int
		def pdfDef
	}
	var streams []objStm
	for num, def := range f.defs {
		if s, ok := def.obj.(*pdfStream); ok && s.dict.get("Type") == pdfName("ObjStm") {
			streams = append(streams, objStm{num, def})
		}
	}
	// work counts the bytes read by every object read out of the streams,
	// bounded by twice what the streams hold: a header may name one
	// offset, a long string, many times.
	work, held := 0, 0
	for _, st := range streams {
		s := st.def.obj.(*pdfStream)
		data, err := f.decode(s)
		if err != nil {
			return err
		}
		held += len(data)
		n, ok1 := s.dict.get("N").(pdfNumber)
		first, ok2 := s.dict.get("First").(pdfNumber)
		count, ok3 := pdfInt(n)
		firstAt, ok4 := pdfInt(first)
		if !ok1 || !ok2 || !ok3 || !ok4 || count < 0 || firstAt < 0 || firstAt > len(data) {
			return fmt.Errorf("%w: an object stream's header", ErrMalformed)
		}
		head := &pdfLexer{b: data[:firstAt]}
		for k := 0; k < count; k++ {
			num, ok1 := head.uint()
			off, ok2 := head.uint()
			if !ok1 || !ok2 || firstAt+off > len(data) {
				return fmt.Errorf("%w: an object stream's header", ErrMalformed)
			}
			l := &pdfLexer{b: data, i: firstAt + off, values: &f.values}
			o, err := l.object(0)
			if err != nil {
				return err
			}
			if work += l.i - (firstAt + off); work > 2*held+1<<20 {
				return errPDFTooMany
			}
			if old, ok := f.defs[num]; !ok || old.at < st.def.at {
				f.defs[num] = pdfDef{obj: o, at: st.def.at}
			}
		}
	}
	return nil
}

// decode returns an object stream's data, which only Flate compresses in
// practice; any other filter is refused, since the objects it holds would
// otherwise be lost from the cleaned copy.
func (f *pdfFile) decode(s *pdfStream) ([]byte, error) {
	filter := s.dict.get("Filter")
	if a, ok := filter.(pdfArray); ok && len(a) == 1 {
		filter = a[0]
	}
	if p, ok := s.dict.get("DecodeParms").(*pdfDict); ok && p.get("Predictor") != nil {
		return nil, fmt.Errorf("%w: a PDF object stream with a predictor", ErrCannotClean)
	}
	switch filter {
	case nil:
		return s.data, nil
	case pdfName("FlateDecode"):
	default:
		return nil, fmt.Errorf("%w: a PDF object stream compressed in a way tvault does not read", ErrCannotClean)
	}
	return f.inflate(s.data)
}

// inflate decompresses Flate data, within what is left of the file's
// decompression budget (pdfMaxInflated, for all its streams).
func (f *pdfFile) inflate(data []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: a PDF stream does not decompress", ErrMalformed)
	}
	budget := f.maxInflated - f.inflated
	out, err := io.ReadAll(io.LimitReader(zr, int64(budget)+1))
	if len(out) > budget {
		return nil, fmt.Errorf("%w: its streams decompress to more than %d MiB, more than tvault reads for its size", ErrCannotClean, f.maxInflated>>20)
	}
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("%w: a PDF stream does not decompress", ErrMalformed)
	}
	f.inflated += len(out)
	return out, nil
}
