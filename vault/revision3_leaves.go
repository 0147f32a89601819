package vault

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Cutting a format 3 revision into leaves (revision3.go): words of text,
// and the body's readable fields.

// wordClass is the class of a rune for cutting text into words: 0 other,
// 1 part of a word, 2 a word alone. The classes are fixed ranges, not
// Unicode's tables, so that every version of every reader cuts a text
// alike (a cut that differed would fail the ID): ASCII letters and digits
// are word; Han (with its extensions and compatibility ideographs),
// Hiragana and Katakana characters alone; ASCII's other characters, Latin-1
// punctuation and symbols, general punctuation and symbols
// (U+2000-U+2BFF), CJK and fullwidth punctuation, and emoji are other;
// every other character is word.
func wordClass(r rune) int {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return 1
		}
		return 0
	}
	for _, a := range aloneRanges {
		if a[0] <= r && r <= a[1] {
			return 2
		}
	}
	for _, o := range otherRanges {
		if o[0] <= r && r <= o[1] {
			return 0
		}
	}
	return 1
}

var aloneRanges = [][2]rune{
	{0x4E00, 0x9FFF},   // CJK Unified Ideographs
	{0x3040, 0x30FF},   // Hiragana, Katakana
	{0x3400, 0x4DBF},   // Extension A
	{0xF900, 0xFAFF},   // Compatibility Ideographs
	{0x20000, 0x3FFFF}, // Extensions B onward
}

var otherRanges = [][2]rune{
	{0x80, 0xBF}, {0xD7, 0xD7}, {0xF7, 0xF7}, // Latin-1 punctuation and symbols
	{0x2000, 0x2BFF},                   // punctuation, symbols, arrows, shapes
	{0x3000, 0x303F},                   // CJK punctuation
	{0xFE10, 0xFE1F}, {0xFE30, 0xFE4F}, // vertical and compatibility forms
	{0xFF00, 0xFF0F}, {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65}, // fullwidth punctuation
	{0xFFFD, 0xFFFD},   // replacement character
	{0x1F000, 0x1FAFF}, // emoji and pictographs
}

// eachWord calls fn with the bounds of each word of s, in order. With
// escapes (text inside a JSON string), a backslash escape is a word alone.
// The words of s[a:b], where a and b are bounds of words of s, are the
// words of s between them: a word depends only on the text from its start
// to its end.
func eachWord(s string, escapes bool, fn func(start, end int)) {
	for i := 0; i < len(s); {
		j := nextWord(s, i, escapes)
		fn(i, j)
		i = j
	}
}

// nextWord returns the end of the word of s that starts at i (eachWord).
func nextWord(s string, i int, escapes bool) int {
	if escapes && s[i] == '\\' {
		n := 2
		if i+1 < len(s) && s[i+1] == 'u' {
			n = 6
		}
		return min(i+n, len(s))
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	c := wordClass(r)
	i += w
	if c == 2 {
		return i
	}
	for i < len(s) && !(escapes && s[i] == '\\') {
		if b := s[i]; b < utf8.RuneSelf {
			// ASCII, most text: the class without a call.
			if ('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9') != (c == 1) {
				break
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if wordClass(r) != c {
			break
		}
		i += w
	}
	return i
}

// readablePaths are the body's string values a redaction may change, and
// the field names [Vault.Redact] knows them by. Tags are cut as text too,
// for a later version to redact them: a tag "[…]" is not valid today.
var readablePaths = map[string]string{
	"/record/pseudonym": "pseudonym", "/record/location": "location", "/record/language": "language",
	"/record/interviewer": "interviewer", "/record/relatives/[]/relation": "relation",
	"/record/relatives/[]/harms/[]": "harm", "/record/tags/[]": "tag",
	"/record/quotes/[]/text": "quote text", "/record/quotes/[]/label": "quote label",
}

// readablePrefixes are the paths that lead to a readable path, "" the
// body itself.
var readablePrefixes = func() map[string]bool {
	m := map[string]bool{"": true}
	for p := range readablePaths {
		for i := range len(p) {
			if p[i] == '/' {
				m[p[:i]] = true
			}
		}
		m[p] = true
	}
	return m
}()

// childPath is the path of a value under path, or "!" (no readable path
// under it) if path leads to no readable path: a path built in full for
// every value would take memory in the depth squared times the length of
// the keys.
func childPath(path, step string) string {
	if !readablePrefixes[path] {
		return "!"
	}
	return path + step
}

// readableValue is where a readable field's value is in a body.
type readableValue struct {
	field      string
	start, end int // of its contents, JSON-escaped, quotes left out
}

// readableRanges returns the bounds, in order, of the contents (quotes left
// out) of the body's readable string values. The body is compact JSON.
func readableRanges(body string) ([][2]int, error) {
	vals, err := readableValues(body)
	if err != nil {
		return nil, err
	}
	out := make([][2]int, len(vals))
	for i, v := range vals {
		out[i] = [2]int{v.start, v.end}
	}
	return out, nil
}

// readableValues returns the body's readable values, in order.
func readableValues(body string) ([]readableValue, error) {
	s := &jsonScan{b: body}
	if err := s.value(""); err != nil || s.i != len(body) {
		return nil, fmt.Errorf("%w: a revision's body does not scan as JSON", ErrDamaged)
	}
	return s.out, nil
}

type jsonScan struct {
	b     string
	i     int
	out   []readableValue
	depth int
}

var errScan = fmt.Errorf("bad JSON")

func (s *jsonScan) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *jsonScan) value(path string) error {
	// As deep as encoding/json reads.
	if s.i >= len(s.b) || s.depth > 10000 {
		return errScan
	}
	s.depth++
	defer func() { s.depth-- }()
	switch s.b[s.i] {
	case '{':
		s.i++
		if s.eat('}') {
			return nil
		}
		for {
			start := s.i
			if err := s.str(); err != nil {
				return err
			}
			var key string
			if json.Unmarshal([]byte(s.b[start:s.i]), &key) != nil || !s.eat(':') {
				return errScan
			}
			if err := s.value(childPath(path, "/"+key)); err != nil {
				return err
			}
			if s.eat('}') {
				return nil
			}
			if !s.eat(',') {
				return errScan
			}
		}
	case '[':
		s.i++
		if s.eat(']') {
			return nil
		}
		for {
			if err := s.value(childPath(path, "/[]")); err != nil {
				return err
			}
			if s.eat(']') {
				return nil
			}
			if !s.eat(',') {
				return errScan
			}
		}
	case '"':
		start := s.i
		if err := s.str(); err != nil {
			return err
		}
		if f := readablePaths[path]; f != "" {
			s.out = append(s.out, readableValue{field: f, start: start + 1, end: s.i - 1})
		}
		return nil
	default:
		start := s.i
		for s.i < len(s.b) && !strings.ContainsRune(",}]", rune(s.b[s.i])) {
			s.i++
		}
		if s.i == start {
			return errScan
		}
		return nil
	}
}

func (s *jsonScan) str() error {
	if !s.eat('"') {
		return errScan
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
		case '"':
			s.i++
			return nil
		default:
			s.i++
		}
	}
	return errScan
}
