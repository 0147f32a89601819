package media

import (
	"bytes"
	"fmt"
)

// A minimal reader of PDF objects (ISO 32000-1, 7.2–7.3), for the cleaner:
// it reads a whole file held in memory, never allocates by a length the file
// gives, and bounds nesting.

type (
	pdfObject  any    // one of the types below
	pdfName    string // decoded: "#20" is a space
	pdfString  []byte // decoded
	pdfNumber  string // as written: "12", "-0.5"
	pdfKeyword string // true, false, null
	pdfArray   []pdfObject
	pdfRef     struct{ num, gen int }
	pdfDict    struct{ entries []pdfEntry }
	pdfStream  struct {
		dict *pdfDict
		data []byte // as stored: still encoded
	}
)

type pdfEntry struct {
	key pdfName
	val pdfObject
}

func (d *pdfDict) get(k pdfName) pdfObject {
	for _, e := range d.entries {
		if e.key == k {
			return e.val
		}
	}
	return nil
}

func (d *pdfDict) set(k pdfName, v pdfObject) {
	for i, e := range d.entries {
		if e.key == k {
			d.entries[i].val = v
			return
		}
	}
	d.entries = append(d.entries, pdfEntry{k, v})
}

func (d *pdfDict) del(k pdfName) {
	d.entries = deleteEntries(d.entries, k)
}

func deleteEntries(es []pdfEntry, k pdfName) []pdfEntry {
	out := es[:0]
	for _, e := range es {
		if e.key != k {
			out = append(out, e)
		}
	}
	return out
}

const pdfMaxDepth = 64

var errPDFSyntax = fmt.Errorf("%w: a PDF object does not parse", ErrMalformed)

var errPDFTooMany = fmt.Errorf("%w: a PDF of more values than tvault reads for its size", ErrCannotClean)

type pdfLexer struct {
	b []byte
	i int
	// values, when set, is how many more values the file may hold: it is
	// shared by every lexer over one file, so that neither a huge array
	// nor an object stream naming one object many times (each read anew)
	// can make the reader allocate many times the file's size.
	values *int
}

func isPDFSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isPDFDelim(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

func isPDFRegular(c byte) bool { return !isPDFSpace(c) && !isPDFDelim(c) }

// skip passes over white space and comments.
func (l *pdfLexer) skip() {
	for l.i < len(l.b) {
		c := l.b[l.i]
		switch {
		case isPDFSpace(c):
			l.i++
		case c == '%':
			for l.i < len(l.b) && l.b[l.i] != '\n' && l.b[l.i] != '\r' {
				l.i++
			}
		default:
			return
		}
	}
}

// word returns the run of regular characters at the lexer's position.
func (l *pdfLexer) word() []byte {
	s := l.i
	for l.i < len(l.b) && isPDFRegular(l.b[l.i]) {
		l.i++
	}
	return l.b[s:l.i]
}

// uint reads an unsigned decimal integer (at most 10 digits).
func (l *pdfLexer) uint() (int, bool) {
	l.skip()
	s := l.i
	n := 0
	for l.i < len(l.b) && l.b[l.i] >= '0' && l.b[l.i] <= '9' && l.i-s < 10 {
		n = n*10 + int(l.b[l.i]-'0')
		l.i++
	}
	if l.i == s || (l.i < len(l.b) && isPDFRegular(l.b[l.i])) {
		return 0, false
	}
	return n, true
}

func (l *pdfLexer) object(depth int) (pdfObject, error) {
	if depth > pdfMaxDepth {
		return nil, fmt.Errorf("%w: objects nested too deep", ErrMalformed)
	}
	if l.values != nil {
		if *l.values--; *l.values < 0 {
			return nil, errPDFTooMany
		}
	}
	l.skip()
	if l.i >= len(l.b) {
		return nil, errPDFSyntax
	}
	switch c := l.b[l.i]; {
	case c == '/':
		l.i++
		return decodePDFName(l.word())
	case c == '(':
		return l.literal()
	case c == '<' && l.i+1 < len(l.b) && l.b[l.i+1] == '<':
		l.i += 2
		return l.dict(depth)
	case c == '<':
		return l.hex()
	case c == '[':
		l.i++
		var a pdfArray
		for {
			l.skip()
			if l.i < len(l.b) && l.b[l.i] == ']' {
				l.i++
				return a, nil
			}
			o, err := l.object(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, o)
		}
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return l.number()
	}
	switch w := string(l.word()); w {
	case "true", "false", "null":
		return pdfKeyword(w), nil
	}
	return nil, errPDFSyntax
}

func (l *pdfLexer) dict(depth int) (*pdfDict, error) {
	d := &pdfDict{}
	var index map[pdfName]int // where each key is, once there are many
	for {
		l.skip()
		if l.i+1 < len(l.b) && l.b[l.i] == '>' && l.b[l.i+1] == '>' {
			l.i += 2
			return d, nil
		}
		if l.i >= len(l.b) || l.b[l.i] != '/' {
			return nil, errPDFSyntax
		}
		l.i++
		k, err := decodePDFName(l.word())
		if err != nil {
			return nil, err
		}
		v, err := l.object(depth + 1)
		if err != nil {
			return nil, err
		}
		switch {
		case len(d.entries) < 16:
			d.set(k, v)
		case index == nil:
			index = map[pdfName]int{}
			for i, e := range d.entries {
				index[e.key] = i
			}
			fallthrough
		default:
			if i, ok := index[k]; ok {
				d.entries[i].val = v
			} else {
				index[k] = len(d.entries)
				d.entries = append(d.entries, pdfEntry{k, v})
			}
		}
	}
}

// number reads a number, or a reference ("12 0 R").
func (l *pdfLexer) number() (pdfObject, error) {
	w := l.word()
	if !validPDFNumber(w) {
		return nil, errPDFSyntax
	}
	if !bytes.ContainsAny(w, "+-.") && len(w) <= 10 {
		// Maybe a reference: two unsigned integers and R.
		save := l.i
		if gen, ok := l.uint(); ok {
			l.skip()
			if l.i < len(l.b) && l.b[l.i] == 'R' && (l.i+1 == len(l.b) || !isPDFRegular(l.b[l.i+1])) {
				l.i++
				num := 0
				for _, c := range w {
					num = num*10 + int(c-'0')
				}
				return pdfRef{num, gen}, nil
			}
		}
		l.i = save
	}
	return pdfNumber(w), nil
}

func validPDFNumber(w []byte) bool {
	if len(w) > 0 && (w[0] == '+' || w[0] == '-') {
		w = w[1:]
	}
	digits, dots := 0, 0
	for _, c := range w {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

func decodePDFName(w []byte) (pdfName, error) {
	out := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		if w[i] == '#' {
			if i+2 >= len(w) {
				return "", errPDFSyntax
			}
			h, ok := unhex(w[i+1], w[i+2])
			if !ok {
				return "", errPDFSyntax
			}
			out = append(out, h)
			i += 2
			continue
		}
		out = append(out, w[i])
	}
	return pdfName(out), nil
}

func unhexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func unhex(a, b byte) (byte, bool) {
	x, ok1 := unhexDigit(a)
	y, ok2 := unhexDigit(b)
	return x<<4 | y, ok1 && ok2
}

func (l *pdfLexer) hex() (pdfString, error) {
	l.i++ // <
	var out pdfString
	var half byte
	odd := false
	for ; l.i < len(l.b); l.i++ {
		c := l.b[l.i]
		if c == '>' {
			l.i++
			if odd {
				out = append(out, half<<4)
			}
			return out, nil
		}
		if isPDFSpace(c) {
			continue
		}
		d, ok := unhexDigit(c)
		if !ok {
			return nil, errPDFSyntax
		}
		if odd {
			out = append(out, half<<4|d)
		} else {
			half = d
		}
		odd = !odd
	}
	return nil, errPDFSyntax
}

func (l *pdfLexer) literal() (pdfString, error) {
	l.i++ // (
	var out pdfString
	depth := 1
	for l.i < len(l.b) {
		c := l.b[l.i]
		l.i++
		switch c {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return out, nil
			}
		case '\r': // an end of line in a string reads as \n
			if l.i < len(l.b) && l.b[l.i] == '\n' {
				l.i++
			}
			c = '\n'
		case '\\':
			if l.i >= len(l.b) {
				return nil, errPDFSyntax
			}
			e := l.b[l.i]
			l.i++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r', '\n': // a line continued
				if e == '\r' && l.i < len(l.b) && l.b[l.i] == '\n' {
					l.i++
				}
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.i < len(l.b) && l.b[l.i] >= '0' && l.b[l.i] <= '7'; k++ {
						v = v*8 + int(l.b[l.i]-'0')
						l.i++
					}
					c = byte(v)
				} else {
					c = e // \( \) \\ and any other
				}
			}
		}
		out = append(out, c)
	}
	return nil, errPDFSyntax
}
