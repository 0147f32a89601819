package vault

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Re-identification check
//
// The identity is sealed on save; the rest of an interview is not. A real
// name, an alias, a contact or a relative's name typed into the testimony,
// the location, a relative's relation or a tag would survive the sealing and
// undo it. [CheckNames] finds them, with the vault's sensitive terms, in
// every field that the passphrase opens. Every front end (add, the terminal
// UI, drafts) runs the same check.

// HitKind is what a hit of the check is.
type HitKind int

// The kinds of hits.
const (
	HitName     HitKind = iota + 1 // the identity's real name
	HitAlias                       // one of its aliases
	HitContact                     // its contact
	HitRelative                    // a relative's name
	HitTerm                        // one of the vault's sensitive terms
	HitPlace                       // a place name
)

// String names the kind, for messages: "identity name", "contact"…
func (k HitKind) String() string {
	switch k {
	case HitName:
		return "identity name"
	case HitAlias:
		return "alias"
	case HitContact:
		return "contact"
	case HitRelative:
		return "relative's name"
	case HitTerm:
		return "sensitive term"
	case HitPlace:
		return "place name"
	}
	return "unknown"
}

// Description is the public description of the span a hit of this kind
// becomes: "a name", "a contact"…
func (k HitKind) Description() string {
	switch k {
	case HitName, HitAlias:
		return "a name"
	case HitContact:
		return "a contact"
	case HitRelative:
		return "a relative's name"
	case HitTerm:
		return "a sensitive term"
	case HitPlace:
		return "a place"
	}
	return "sensitive"
}

// Hit is an identifying term found in a readable field of an interview. Its
// Term and the matched text are secret: show them to the person who typed
// them, never put them in an error or a log line. Field and Kind may be.
type Hit struct {
	// Field is where: "testimony", "pseudonym", "location", "tags[0]",
	// "relatives[1].relation", "relatives[1].harms[0]" (indices from 0).
	Field string
	Kind  HitKind
	// Start and End are byte offsets of the match in the field's text.
	Start, End int
	// Term is the term that matched, as listed (the match may differ in
	// case or punctuation).
	Term string
}

// CheckNames returns the identifying terms found in the readable fields of
// in: the identity's name, aliases, contact and relatives' names (id may be
// nil), and terms, the vault's sensitive terms. Matching ignores case; a term
// that begins or ends with a letter or digit of a spaced script matches
// whole words only, so that "Mei" does not hit "Meiji" (Chinese has no
// spaces: 小周 hits inside a sentence); a contact with five digits or more
// matches whatever punctuation or spaces the digits are written with. The
// testimony is searched outside sensitive spans. Terms shorter than two
// characters are ignored.
//
// CheckNames also reports place names ([HitPlace], see [Hit.Warning]) in
// the testimony, the pseudonym and the relatives, not in Where or the tags;
// a place name inside another hit is not reported. Hits are in field order,
// then by position.
func CheckNames(in Interview, id *Identity, terms []string) []Hit {
	ms := newMatchers(id, terms)
	var hits []Hit
	field := func(name, text string, off int, places bool) {
		if text == "" {
			return
		}
		var found []Hit
		if len(ms) > 0 {
			found = ms.find(name, text, off)
		}
		if places {
			found = withPlaces(found, name, text, off)
		}
		hits = append(hits, found...)
	}
	field("pseudonym", in.Pseudonym, 0, true)
	field("location", in.Location, 0, false)
	for n, t := range in.Tags {
		field(fmt.Sprintf("tags[%d]", n), t, 0, false)
	}
	for n, r := range in.Relatives {
		field(fmt.Sprintf("relatives[%d].relation", n), r.Relation, 0, true)
		for m, h := range r.Harms {
			field(fmt.Sprintf("relatives[%d].harms[%d]", n, m), h, 0, true)
		}
	}
	forEachOutsideSpans(in.Testimony, func(off int, seg string) {
		field("testimony", seg, off, true)
	})
	if len(hits) == 0 {
		return nil
	}
	return hits
}

// ProtectNames turns every hit of field "testimony" in text into a
// sensitive span {{match|description}}, the description saying the hit's
// kind. Overlapping hits become one span, the first and longest.
func ProtectNames(text string, hits []Hit) string {
	var ts []Hit
	for _, h := range hits {
		if h.Field == "testimony" && h.Start >= 0 && h.End <= len(text) && h.Start < h.End {
			ts = append(ts, h)
		}
	}
	if len(ts) == 0 {
		return text
	}
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].Start != ts[j].Start {
			return ts[i].Start < ts[j].Start
		}
		return ts[i].End > ts[j].End
	})
	var b strings.Builder
	last := 0
	for _, h := range ts {
		if h.Start < last {
			continue // inside the span before
		}
		b.WriteString(text[last:h.Start])
		b.WriteString("{{" + text[h.Start:h.End] + "|" + h.Kind.Description() + "}}")
		last = h.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// forEachOutsideSpans calls fn with each run of text outside {{…}} and its
// byte offset. Text after a {{ that is not closed counts as inside.
func forEachOutsideSpans(text string, fn func(off int, seg string)) {
	off := 0
	for {
		open := strings.Index(text[off:], "{{")
		if open < 0 {
			fn(off, text[off:])
			return
		}
		fn(off, text[off:off+open])
		closing := strings.Index(text[off+open+2:], "}}")
		if closing < 0 {
			return
		}
		off += open + 2 + closing + 2
	}
}

// matcher finds one term.
type matcher struct {
	re   *regexp.Regexp
	kind HitKind
	term string
	// words: the term begins (or ends) with a letter or digit of a spaced
	// script, so a match must not continue a word there.
	wordStart, wordEnd bool
	// continues reports whether a rune beside a match continues it.
	continues func(rune) bool
	// lit, if not "", is ASCII text, lower case, that every match holds:
	// a text without it is not searched (a case-insensitive expression
	// scans every byte; the check runs on every keypress of the editor).
	lit string
	// plus: a match preceded by + begins with it.
	plus bool
	// anchored is re, matching at the start of a text only.
	anchored *regexp.Regexp
}

type matchers []matcher

// contactSeparators are what may stand between the digits of a phone
// number: "+1 (555) 010-0100", "555.010.0100".
const contactSeparators = `[\s\-.()/]*`

func newMatchers(id *Identity, terms []string) matchers {
	var ms matchers
	seen := map[string]bool{}
	add := func(term string, kind HitKind) {
		term = strings.TrimSpace(term)
		// A term of one character would match everywhere; one with span
		// syntax could not become a span.
		if utf8.RuneCountInString(term) < 2 || strings.ContainsAny(term, "{}|") {
			return
		}
		key := strings.ToLower(term)
		if seen[key] {
			return
		}
		seen[key] = true
		m := matcher{kind: kind, term: term}
		if kind == HitContact && countDigits(term) >= 5 {
			var digits []string
			for _, r := range term {
				if r >= '0' && r <= '9' {
					digits = append(digits, string(r))
				}
			}
			// Digits only: the match may not continue a longer number.
			// Without a leading \+? the expression has a literal first
			// digit, which the regexp package looks for fast.
			m.re = regexp.MustCompile(strings.Join(digits, contactSeparators))
			m.plus = true
			m.wordStart, m.wordEnd = true, true
			m.continues = unicode.IsDigit
		} else {
			// Spaces inside a name match any run of spaces, hyphens or
			// middle dots: "Zhou  Wei", "Zhou-Wei", "Zhou·Wei".
			parts := strings.Fields(term)
			for n := range parts {
				parts[n] = regexp.QuoteMeta(parts[n])
			}
			m.re = regexp.MustCompile(`(?i)` + strings.Join(parts, `[\s\-·]+`))
			m.anchored = regexp.MustCompile(`^(?i:` + strings.Join(parts, `[\s\-·]+`) + `)`)
			first, _ := utf8.DecodeRuneInString(term)
			last, _ := utf8.DecodeLastRuneInString(term)
			m.wordStart, m.wordEnd = spacedWordRune(first), spacedWordRune(last)
			m.continues = spacedWordRune
			if lit := strings.ToLower(strings.Fields(term)[0]); isASCII(lit) {
				m.lit = lit
			}
		}
		ms = append(ms, m)
	}
	if id != nil {
		add(id.Name, HitName)
		for _, a := range id.Aliases {
			add(a, HitAlias)
		}
		add(id.Contact, HitContact)
		for _, r := range id.Relatives {
			add(r.Name, HitRelative)
		}
	}
	for _, t := range terms {
		add(t, HitTerm)
	}
	return ms
}

func (ms matchers) find(field, text string, off int) []Hit {
	if text == "" {
		return nil
	}
	var hits []Hit
	var lower string // text, ASCII letters in lower case
	// (?i) matches K and ſ for k and s too: a text with them is searched
	// in full.
	// (strings.Contains looks for bytes fast; ContainsAny decodes runes.)
	folds := strings.Contains(text, "\u212a") || strings.Contains(text, "\u017f")
	for _, m := range ms {
		var locs [][]int
		if m.lit != "" && !folds {
			if lower == "" {
				lower = asciiLower(text)
			}
			locs = m.findAt(text, lower)
		} else {
			locs = m.re.FindAllStringIndex(text, -1)
		}
		for _, loc := range locs {
			if m.plus && loc[0] > 0 && text[loc[0]-1] == '+' {
				loc[0]--
			}
			if m.wordStart && loc[0] > 0 {
				r, _ := utf8.DecodeLastRuneInString(text[:loc[0]])
				if m.continues(r) {
					continue
				}
			}
			if m.wordEnd && loc[1] < len(text) {
				r, _ := utf8.DecodeRuneInString(text[loc[1]:])
				if m.continues(r) {
					continue
				}
			}
			hits = append(hits, Hit{Field: field, Kind: m.kind, Start: off + loc[0], End: off + loc[1], Term: m.term})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Start < hits[j].Start })
	return hits
}

// findAt returns what m.re.FindAllStringIndex(text, -1) would, searching
// only where lower, text in ASCII lower case, holds m.lit: a match begins
// with it.
func (m *matcher) findAt(text, lower string) [][]int {
	var locs [][]int
	for from := 0; from < len(text); {
		k := strings.Index(lower[from:], m.lit)
		if k < 0 {
			break
		}
		start := from + k
		// Room for the term with generous runs of spaces between words.
		end := min(len(text), start+4*len(m.term)+256)
		loc := m.anchored.FindStringIndex(text[start:end])
		if loc == nil {
			from = start + 1
			continue
		}
		locs = append(locs, []int{start, start + loc[1]})
		from = start + max(loc[1], 1)
	}
	return locs
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiLower returns s with its ASCII letters in lower case, each byte where
// it was.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// spacedWordRune reports whether r is a letter or digit of a script that
// separates words with spaces (not Han, kana or Hangul).
func spacedWordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) &&
		!unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}
