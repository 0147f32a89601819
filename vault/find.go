package vault

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"
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
func excerpt(text string, words []string) (line, col, matches int, out string) {
	rs := []rune(text)
	// Lower-cased rune by rune, so that an index in one is an index in
	// the other.
	lower := make([]rune, len(rs))
	for i, r := range rs {
		lower[i] = unicode.ToLower(r)
	}
	first, firstLen := -1, 0
	for _, w := range words {
		wr := []rune(w)
		for i := range wr {
			wr[i] = unicode.ToLower(wr[i])
		}
		for i := 0; i+len(wr) <= len(lower); {
			if runesAt(lower, i, wr) {
				matches++
				if first < 0 || i < first {
					first, firstLen = i, len(wr)
				}
				i += len(wr)
				continue
			}
			i++
		}
	}
	if first < 0 {
		return 0, 0, 0, ""
	}
	line, col = 1, 1
	for _, r := range rs[:first] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	start, cells := first, 0
	for start > 0 && cells+cellWidth(rs[start-1]) <= excerptBefore && rs[start-1] != '\n' {
		start--
		cells += cellWidth(rs[start])
	}
	end := first
	for end < len(rs) && (end < first+firstLen || cells+cellWidth(rs[end]) <= excerptCells) {
		cells += cellWidth(rs[end])
		end++
	}
	// Whole words at both ends, where the text has spaces between them.
	if start > 0 && !unicode.IsSpace(rs[start-1]) {
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
	if start > 0 && rs[start-1] != '\n' {
		b.WriteString("…")
	}
	b.WriteString(strings.Join(strings.Fields(string(rs[start:end])), " "))
	if end < len(rs) && rs[end] != '\n' {
		b.WriteString("…")
	}
	return line, col, matches, b.String()
}

func runesAt(s []rune, i int, w []rune) bool {
	for j, r := range w {
		if s[i+j] != r {
			return false
		}
	}
	return true
}

// cellWidth is the screen cells of r, near enough for an excerpt: two for
// East Asian wide letters and punctuation, else one.
func cellWidth(r rune) int {
	if isCJK(r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFF60) {
		return 2
	}
	return 1
}
