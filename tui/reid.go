package tui

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Re-identification check: before a save, the testimony is searched for
// anything typed into the identity form. A real name left in the testimony
// would survive sealing the identity, and undo it.

// reidHit is a term of the identity found in the testimony.
type reidHit struct {
	term string
	// what it is, also the public description of the span it becomes.
	what string
}

// reidCheck returns the identity's terms that appear in the testimony
// outside sensitive spans, ignoring case.
func reidCheck(testimony string, id identityFields) []reidHit {
	if id.empty() {
		return nil
	}
	var terms []reidHit
	add := func(term, what string) {
		term = strings.TrimSpace(term)
		// Terms of one character would match everywhere; terms with span
		// syntax could not become a span.
		if utf8.RuneCountInString(term) < 2 || strings.ContainsAny(term, "{}|") {
			return
		}
		for _, t := range terms {
			if strings.EqualFold(t.term, term) {
				return
			}
		}
		terms = append(terms, reidHit{term, what})
	}
	add(id.name, "a name")
	for _, a := range strings.Split(id.aliases, ",") {
		add(a, "a name")
	}
	add(id.contact, "a contact")
	for _, line := range strings.Split(id.relatives, "\n") {
		_, name, ok := strings.Cut(line, ":")
		if !ok {
			name = line
		}
		add(name, "a relative's name")
	}
	public := outsideSpans(testimony)
	var hits []reidHit
	for _, t := range terms {
		if termRe(t.term).MatchString(public) {
			hits = append(hits, t)
		}
	}
	return hits
}

func termRe(term string) *regexp.Regexp {
	return regexp.MustCompile("(?i)" + regexp.QuoteMeta(term))
}

// outsideSpans returns testimony with every {{…}} blanked.
func outsideSpans(text string) string {
	var b strings.Builder
	for {
		open := strings.Index(text, "{{")
		if open < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:open])
		b.WriteString(" ")
		closing := strings.Index(text[open:], "}}")
		if closing < 0 {
			return b.String()
		}
		text = text[open+closing+2:]
	}
}

// protect turns every occurrence of the hits outside spans into a
// sensitive span.
func protect(text string, hits []reidHit) string {
	for _, h := range hits {
		re := termRe(h.term)
		var b strings.Builder
		rest := text
		for {
			open := strings.Index(rest, "{{")
			seg := rest
			if open >= 0 {
				seg = rest[:open]
			}
			b.WriteString(re.ReplaceAllStringFunc(seg, func(m string) string {
				return "{{" + m + "|" + h.what + "}}"
			}))
			if open < 0 {
				break
			}
			closing := strings.Index(rest[open:], "}}")
			if closing < 0 {
				b.WriteString(rest[open:])
				break
			}
			b.WriteString(rest[open : open+closing+2])
			rest = rest[open+closing+2:]
		}
		text = b.String()
	}
	return text
}
