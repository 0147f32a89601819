package vault

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The substring check lowers text with strings.ToLower; SQLite folds case
// its own way: lower() only ASCII, the trigram tokenizer by an older table
// of Unicode, with no İ (U+0130) to i, no Georgian or Cherokee capitals. A
// lookup must never miss a hit that the check would take
// (TestAttack17sBrute), so it asks for every spelling that lowers to the
// query.

// lowerSources maps a lower-case rune to the other runes that
// strings.ToLower makes it, but for ASCII capitals, which SQLite folds
// everywhere: i to İ, k to K (the Kelvin sign), ω to Ω and Ω (the Ohm sign).
var lowerSources = sync.OnceValue(func() map[rune][]rune {
	m := map[rune][]rune{}
	for _, cr := range unicode.CaseRanges {
		for r := rune(cr.Lo); r <= rune(cr.Hi); r++ {
			if l := unicode.ToLower(r); l != r && !(r < utf8.RuneSelf && l < utf8.RuneSelf) {
				m[l] = append(m[l], r)
			}
		}
	}
	return m
})

// spellings returns w (lower-cased) and every other string that lowers to
// it but for ASCII capitals: SQLite folds those everywhere.
func spellings(w string) []string {
	src := lowerSources()
	out := []string{""}
	for _, l := range w {
		var next []string
		for _, s := range out {
			next = append(next, s+string(l))
			for _, r := range src[l] {
				next = append(next, s+string(r))
			}
		}
		out = next
	}
	return out
}

// ftsTrigrams returns an FTS5 query of the trigram index matching documents
// that hold every trigram (lower-cased) in some spelling that lowers to it.
func ftsTrigrams(trigrams []string) string {
	quoted := make([]string, len(trigrams))
	for i, t := range trigrams {
		spellings := spellings(t)
		for j, s := range spellings {
			spellings[j] = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
		quoted[i] = strings.Join(spellings, " OR ")
		if len(spellings) > 1 {
			quoted[i] = "(" + quoted[i] + ")"
		}
	}
	return strings.Join(quoted, " AND ")
}
