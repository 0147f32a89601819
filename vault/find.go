package vault

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Filter narrows a search. Its zero value lets every interview through.
type Filter struct {
	// Tags: the interview carries every one.
	Tags []string `json:"tags,omitempty"`
	// From and To: the interview's date is within them, both included.
	// Each is YYYY, YYYY-MM or YYYY-MM-DD: To 2019 takes all of 2019. An
	// interview with no date is left out once either is given.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Consent: the interview's consent includes every one of these
	// ("record", "quote", "share").
	Consent []string `json:"consent,omitempty"`
}

// Empty reports whether f lets every interview through.
func (f Filter) Empty() bool {
	return len(f.Tags) == 0 && f.From == "" && f.To == "" && len(f.Consent) == 0
}

var filterDate = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`)

// ConsentKinds are the consents an interview records, as Filter names
// them.
var ConsentKinds = []string{"record", "quote", "share"}

func (f Filter) check() error {
	for _, d := range []string{f.From, f.To} {
		if d != "" && !filterDate.MatchString(d) {
			return fmt.Errorf("%w: a date is YYYY, YYYY-MM or YYYY-MM-DD", ErrBadFilter)
		}
	}
	for _, c := range f.Consent {
		if !contains(ConsentKinds, c) {
			return fmt.Errorf("%w: consent is record, quote or share", ErrBadFilter)
		}
	}
	return nil
}

// where is f as SQL conditions on interviews i (and, for consent, its head
// revision r).
func (f Filter) where() (conds []string, args []any) {
	for _, t := range f.Tags {
		conds = append(conds, `EXISTS (SELECT 1 FROM json_each(i.tags) WHERE value = ?)`)
		args = append(args, t)
	}
	if f.From != "" {
		conds = append(conds, `i.interviewed_on != '' AND i.interviewed_on >= ?`)
		args = append(args, f.From)
	}
	if f.To != "" {
		// A prefix: To 2019 compares the year alone.
		conds = append(conds, `i.interviewed_on != '' AND substr(i.interviewed_on, 1, length(?)) <= ?`)
		args = append(args, f.To, f.To)
	}
	for _, c := range f.Consent {
		// c is one of ConsentKinds (check), never the query's text.
		conds = append(conds, `json_extract(r.body, '$.record.consent.`+c+`') = 1`)
	}
	return conds, args
}

// Found is an interview a search found, and where.
type Found struct {
	Summary
	// Line and Column (in characters, from 1) of the first match in the
	// public testimony; 0 when the query had no words (a filter alone).
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Matches is how many times the query's words occur in it.
	Matches int `json:"matches,omitempty"`
	// Excerpt is a short piece of the public testimony around the first
	// match, on one line: spans read [description]; sealed text is never
	// in it.
	Excerpt string `json:"excerpt,omitempty"`
}

// Find is Search with a filter, and where each interview matches: the line
// and column of the first match and an excerpt around it, from the public
// testimony. With no words in query, it lists the interviews f lets
// through.
func (v *Vault) Find(ctx context.Context, query string, f Filter) ([]Found, error) {
	out, _, err := v.FindPage(ctx, query, f, 0)
	return out, err
}

// Excerpt sizes, in screen cells: before the match, and in all.
const (
	excerptBefore = 24
	excerptCells  = 72
)

// excerpt finds words (lower-cased) in text, ignoring case: the line and
// column of the first match, how many matches, and the text around the
// first on one line.
//
// It finds the matches in the lower-cased text's bytes and makes runes of
// the excerpt's window only: a search that finds thousands of interviews of
// several KB each made runes of every one, twice (90% of Find's time).
func excerpt(text string, words []string) (line, col, matches int, out string) {
	// strings.ToLower maps rune by rune (a bad byte becomes U+FFFD, as in
	// []rune), so the n-th rune of one is the n-th rune of the other; and a
	// match of valid UTF-8 in valid UTF-8 starts and ends on runes.
	lower := toLower(text)
	firstAt, firstLen := -1, 0 // in bytes of lower, in runes
	for _, w := range words {
		lw := strings.ToLower(string([]rune(w)))
		for at := 0; ; {
			i := strings.Index(lower[at:], lw)
			if i < 0 {
				break
			}
			i += at
			matches++
			if firstAt < 0 || i < firstAt {
				firstAt, firstLen = i, utf8.RuneCountInString(lw)
			}
			at = i + len(lw)
		}
	}
	if firstAt < 0 {
		return 0, 0, 0, ""
	}
	first := utf8.RuneCountInString(lower[:firstAt])
	// The window the excerpt can take, in runes of text: each rune is at
	// least a cell, one more each side to see what is past its ends.
	lo, hi := max(first-excerptBefore-1, 0), first+firstLen+excerptCells+1
	rs := make([]rune, 0, min(hi-lo, len(text)))
	line, col = 1, 1
	k := 0
	for _, r := range text {
		if k >= hi {
			break
		}
		if k < first {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		if k >= lo {
			rs = append(rs, r)
		}
		k++
	}
	// From here on, indexes are in the window; start+lo > 0 is start > 0
	// in the text, and the window ends with the text or past end.
	first -= lo
	start, cells := first, 0
	for start+lo > 0 && cells+cellWidth(rs[start-1]) <= excerptBefore && rs[start-1] != '\n' {
		start--
		cells += cellWidth(rs[start])
	}
	end := first
	for end < len(rs) && (end < first+firstLen || cells+cellWidth(rs[end]) <= excerptCells) {
		cells += cellWidth(rs[end])
		end++
	}
	// Whole words at both ends, where the text has spaces between them.
	if start+lo > 0 && !unicode.IsSpace(rs[start-1]) {
		for i := start; i < first; i++ {
			if unicode.IsSpace(rs[i]) {
				start = i + 1
				break
			}
		}
	}
	if end < len(rs) && !unicode.IsSpace(rs[end]) {
		for i := end - 1; i > first+firstLen; i-- {
			if unicode.IsSpace(rs[i]) {
				end = i
				break
			}
		}
	}
	// Nor a comma or full stop of the sentence before.
	for start < first && strings.ContainsRune("，。、；：？！」』）", rs[start]) {
		start++
	}
	var b strings.Builder
	if start+lo > 0 && rs[start-1] != '\n' {
		b.WriteString("…")
	}
	b.WriteString(strings.Join(strings.Fields(string(rs[start:end])), " "))
	if end < len(rs) && rs[end] != '\n' {
		b.WriteString("…")
	}
	return line, col, matches, b.String()
}

// cellWidth is the screen cells of r, near enough for an excerpt: two for
// East Asian wide letters and punctuation, else one.
func cellWidth(r rune) int {
	if isCJK(r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFF60) {
		return 2
	}
	return 1
}

// toLower is strings.ToLower, made cheap for Chinese, Japanese and Korean:
// strings.ToLower looks every rune up in Unicode's case table, which cost
// most of an excerpt's time. Text whose letters above ASCII are all in
// blocks without case (caseless) only needs its ASCII lowered.
func toLower(s string) string {
	upper := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			upper = upper || ('A' <= c && c <= 'Z')
			i++
			continue
		}
		// U+3000 to U+9FFF, most of Chinese and Japanese text, without
		// decoding: a lead byte E3 to E9 and two continuation bytes.
		if c >= 0xE3 && c <= 0xE9 && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			i += 3
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !caseless(r) {
			return strings.ToLower(s) // a bad byte too: U+FFFD is not caseless
		}
		i += n
	}
	if !upper {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// caselessBlocks are blocks of Unicode where no character has a lower
// case (TestCaseless): general punctuation, CJK punctuation, kana and
// ideographs, Hangul syllables, and the full-width forms but for the Latin
// capitals.
var caselessBlocks = [][2]rune{{0x2000, 0x206F}, {0x3000, 0x9FFF}, {0xAC00, 0xD7A3}, {0xFF00, 0xFF20}, {0xFF3B, 0xFFEF}}

func caseless(r rune) bool {
	for _, b := range caselessBlocks {
		if r >= b[0] && r <= b[1] {
			return true
		}
	}
	return false
}
