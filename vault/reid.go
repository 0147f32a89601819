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
// characters are ignored. Hits are in field order, then by position.
func CheckNames(in Interview, id *Identity, terms []string) []Hit {
	ms := newMatchers(id, terms)
	if len(ms) == 0 {
		return nil
	}
	var hits []Hit
	field := func(name, text string) {
		hits = append(hits, ms.find(name, text, 0)...)
	}
	field("pseudonym", in.Pseudonym)
	field("location", in.Location)
	for n, t := range in.Tags {
		field(fmt.Sprintf("tags[%d]", n), t)
	}
	for n, r := range in.Relatives {
		field(fmt.Sprintf("relatives[%d].relation", n), r.Relation)
		for m, h := range r.Harms {
			field(fmt.Sprintf("relatives[%d].harms[%d]", n, m), h)
		}
	}
	forEachOutsideSpans(in.Testimony, func(off int, seg string) {
		hits = append(hits, ms.find("testimony", seg, off)...)
	})
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
			m.re = regexp.MustCompile(`\+?` + strings.Join(digits, contactSeparators))
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
			first, _ := utf8.DecodeRuneInString(term)
			last, _ := utf8.DecodeLastRuneInString(term)
			m.wordStart, m.wordEnd = spacedWordRune(first), spacedWordRune(last)
			m.continues = spacedWordRune
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
	for _, m := range ms {
		for _, loc := range m.re.FindAllStringIndex(text, -1) {
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
