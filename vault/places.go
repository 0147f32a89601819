package vault

import (
	"sort"

	"github.com/tvault/tvault/internal/places"
)

//go:generate sh ../internal/places/gen/gen.sh

// Place names
//
// A county or a prefecture narrows a person down as surely as a name: the
// published reports this tool serves redact them ("[the name of the
// prefecture]"). [CheckNames] looks for China's provinces, prefectures and
// counties, in Chinese and in pinyin, from a built-in list (see
// internal/places/NOTICE.md for its source and how it is filtered), and
// reports them as [HitPlace].
//
// A place name is a warning, not a refusal: a testimony names places for
// good reasons, and only the interviewer can tell a home county from the
// city where a meeting happened. [Hit.Warning] says which hits are; the
// front ends offer to turn them into spans, and do not refuse a save for
// them.
//
// Where is not searched for place names: it holds the coarse place by
// design. Neither are tags, which name categories of the codebook ("Xinjiang").

// Warning reports whether the hit is a warning for the interviewer to judge
// (a place name) rather than identifying on its face (a name, a contact, a
// sensitive term).
func (h Hit) Warning() bool { return h.Kind == HitPlace }

// PlaceNames returns the number of place names [CheckNames] looks for.
func PlaceNames() int { return places.China().Len() }

// withPlaces adds to hits, found in text (a field, or a run of it at byte
// offset off), the place names that overlap none of them, in order.
func withPlaces(hits []Hit, field, text string, off int) []Hit {
	n := len(hits)
	places.China().Find(text, func(start, end int, p places.Place) {
		start, end = off+start, off+end
		for _, h := range hits[:n] {
			if start < h.End && h.Start < end {
				return
			}
		}
		hits = append(hits, Hit{Field: field, Kind: HitPlace, Start: start, End: end, Term: p.Name})
	})
	if len(hits) > n && n > 0 {
		sort.SliceStable(hits, func(i, j int) bool { return hits[i].Start < hits[j].Start })
	}
	return hits
}
