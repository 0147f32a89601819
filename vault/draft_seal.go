package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
)

// DraftSeal is the sealed part of a draft: the identity and span secrets
// typed into it, sealed to the custodian when the draft was written. This
// laptop cannot read it, and need not: passed on in [Input].Sealed, a later
// draft keeps it beside what it seals itself, and [Vault.Add] adds it to the
// revision as it is, so that the custodian reveals what was typed before a
// lock or a crash.
//
// The draft's testimony marks its spans {{#N|description}}, numbered after
// the spans the interview had when the draft began; the seal holds their
// secrets under the same numbers.
type DraftSeal struct {
	parts    [][]byte // sealed payloads, oldest first: a later one wins
	base     int      // the interview's span count when the draft began
	spans    int      // the highest span number the draft uses
	identity bool     // a part holds an identity
}

// Identity reports whether the seal holds an identity.
func (s *DraftSeal) Identity() bool { return s != nil && s.identity }

// Spans is the number of the draft's spans whose secrets the seal holds.
func (s *DraftSeal) Spans() int {
	if s == nil {
		return 0
	}
	return s.spans - s.base
}

// draftBody is a draft's stored body: the public record and, sealed, its
// seal.
type draftBody struct {
	Interview
	Seal *storedSeal `json:"seal,omitempty"`
}

type storedSeal struct {
	Parts    [][]byte `json:"parts"`
	Base     int      `json:"base"`
	Spans    int      `json:"spans"`
	Identity bool     `json:"identity,omitempty"`
}

func (s *DraftSeal) stored() *storedSeal {
	if len(s.parts) == 0 && s.spans == s.base {
		return &storedSeal{Base: s.base, Spans: s.spans}
	}
	return &storedSeal{Parts: s.parts, Base: s.base, Spans: s.spans, Identity: s.identity}
}

func (s *storedSeal) open() *DraftSeal {
	if s == nil || len(s.Parts) == 0 {
		return nil
	}
	return &DraftSeal{parts: s.Parts, base: s.Base, spans: s.Spans, identity: s.Identity}
}

// keepSeal adds the parts of a draft's seal to a revision being planned. The
// draft's spans were numbered after the span count the interview had when
// the draft began; if it has more now (a bundle brought revisions with new
// spans), the numbers would clash and the secrets cannot be renumbered here.
func (p *plan) keepSeal(s *DraftSeal) error {
	if s == nil {
		return nil
	}
	if s.spans > s.base && p.rev.SpanCount != s.base {
		return fmt.Errorf("%w: the interview gained sensitive spans since this draft began, and the draft's sealed spans would take their numbers; save the draft's text as a new draft, or ask the custodian to reveal the draft", ErrInvalid)
	}
	p.rev.SpanCount = max(p.rev.SpanCount, s.spans)
	for _, part := range s.parts {
		sum := sha256.Sum256(part)
		id := hex.EncodeToString(sum[:])
		if !contains(p.rev.Sealed, id) {
			p.rev.Sealed = append(p.rev.Sealed, id)
			p.kept = append(p.kept, sealedRecord{ID: id, Data: part})
		}
	}
	return nil
}

// redactFields replaces each hit outside the testimony by [description] in
// rec, and returns the fields' values as they were, to seal. A tag with a
// hit is dropped.
func redactFields(rec *Interview, hits []Hit) map[string]string {
	byField := map[string][]Hit{}
	for _, h := range hits {
		if h.Field != "testimony" {
			byField[h.Field] = append(byField[h.Field], h)
		}
	}
	if len(byField) == 0 {
		return nil
	}
	was := map[string]string{}
	redact := func(field string, s *string) {
		hs := byField[field]
		if len(hs) == 0 {
			return
		}
		was[field] = *s
		sort.Slice(hs, func(i, j int) bool { return hs[i].Start > hs[j].Start })
		end := len(*s) + 1
		for _, h := range hs {
			if h.End > end {
				continue // overlaps the one after
			}
			*s = (*s)[:h.Start] + "[" + h.Kind.Description() + "]" + (*s)[h.End:]
			end = h.Start
		}
	}
	redact("pseudonym", &rec.Pseudonym)
	redact("location", &rec.Location)
	for n := range rec.Relatives {
		r := &rec.Relatives[n]
		redact(fmt.Sprintf("relatives[%d].relation", n), &r.Relation)
		for m := range r.Harms {
			redact(fmt.Sprintf("relatives[%d].harms[%d]", n, m), &r.Harms[m])
		}
	}
	tags := rec.Tags[:0]
	for n, t := range rec.Tags {
		f := fmt.Sprintf("tags[%d]", n)
		if len(byField[f]) > 0 {
			was[f] = t
			continue
		}
		tags = append(tags, t)
	}
	rec.Tags = tags
	return was
}
