package vault

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"filippo.io/age"
)

// A custodian's session: several interviews revealed with one unlock of
// the custodian key, and the revealed identities compared, in memory only,
// to spot one person interviewed twice under two pseudonyms.

// RevealMany opens the sealed identity and span secrets of each interview
// in idsOrPrefixes (as [Vault.Reveal] does for one) with the custodian
// identity. Each reveal is its own audit event; the events are saved in one
// change before anything is returned: if they cannot be saved, nothing is
// revealed. The result is secret: show it, never store or log it.
func (v *Vault) RevealMany(ctx context.Context, idsOrPrefixes []string, custodian *age.HybridIdentity) ([]*Revealed, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(idsOrPrefixes))
	for _, p := range idsOrPrefixes {
		id, err := v.Resolve(p)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	details := "custodian " + shortFingerprint(custodian.Recipient().String())
	out := make([]*Revealed, 0, len(ids))
	events := make([]Event, 0, len(ids))
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := v.reveal(ctx, id, custodian)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		events = append(events, Event{Kind: EventReveal, Subject: id, Details: details})
	}
	// No reveal without its audit event: if the events cannot be saved, no
	// identity is shown.
	if err := v.record(events...); err != nil {
		return nil, fmt.Errorf("the reveal could not be recorded in the audit log, so it is refused: %w", err)
	}
	return out, nil
}

// Duplicate is a set of revealed interviews whose identities share a name
// (or alias) or a contact, once normalised: perhaps one person
// interviewed twice under two pseudonyms. It names the interviews and what
// they share, not the values.
type Duplicate struct {
	Interviews []DuplicateInterview `json:"interviews"`
	// Shared is what links them: "name" (a name or alias of one is a name
	// or alias of another), "contact".
	Shared []string `json:"shared"`
}

// DuplicateInterview is one interview of a [Duplicate].
type DuplicateInterview struct {
	ID        string `json:"id"`
	Pseudonym string `json:"pseudonym"`
}

// FindDuplicates returns the sets of interviews in revealed whose
// identities share a name or alias, or a contact, compared after
// normalising: case, width (full-width letters and digits), spaces and
// punctuation dropped, word order ignored ("Meilin Tang" is
// "TANG  Meilin"), and only the digits of a phone number. Nothing is
// written anywhere.
func FindDuplicates(revealed []*Revealed) []Duplicate {
	parent := make([]int, len(revealed))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	type link struct{ a, b int }
	shared := map[link]map[string]bool{}
	seen := map[string]int{} // kind + key → the first interview with it
	for i, r := range revealed {
		for _, k := range identityKeys(r.Identity) {
			j, ok := seen[k]
			if !ok {
				seen[k] = i
				continue
			}
			if j == i {
				continue
			}
			parent[find(i)] = find(j)
			l := link{j, i}
			if shared[l] == nil {
				shared[l] = map[string]bool{}
			}
			shared[l][strings.SplitN(k, ":", 2)[0]] = true
		}
	}
	groups := map[int][]int{}
	for i := range revealed {
		groups[find(i)] = append(groups[find(i)], i)
	}
	var out []Duplicate
	for root, members := range groups {
		if len(members) < 2 {
			continue
		}
		d := Duplicate{}
		kinds := map[string]bool{}
		for l, ks := range shared {
			if find(l.a) == root {
				for k := range ks {
					kinds[k] = true
				}
			}
		}
		for _, k := range []string{"name", "contact"} {
			if kinds[k] {
				d.Shared = append(d.Shared, k)
			}
		}
		for _, i := range members {
			d.Interviews = append(d.Interviews, DuplicateInterview{ID: revealed[i].ID, Pseudonym: revealed[i].Pseudonym})
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Interviews[0].ID < out[j].Interviews[0].ID })
	return out
}

// identityKeys are the normalised names, aliases and contact of id, each
// prefixed with its kind, without repeats.
func identityKeys(id *Identity) []string {
	if id == nil {
		return nil
	}
	set := map[string]bool{}
	for _, n := range append([]string{id.Name}, id.Aliases...) {
		if k := normalName(n); k != "" {
			set["name:"+k] = true
		}
	}
	if k := normalContact(id.Contact); k != "" {
		set["contact:"+k] = true
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fold is s in lower case, with full-width forms (Ｔａｎｇ, ０１２, the
// ideographic space) as their ASCII letters, digits and space.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		return unicode.ToLower(r)
	}, s)
}

// words is s folded and cut into its runs of letters and digits.
func words(s string) []string {
	s = fold(s)
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) })
}

// normalName is a name compared without case, width, spaces, punctuation
// or word order; a Chinese (Han) name without spaces at all, in its order
// (王 小明 is 王小明).
func normalName(s string) string {
	w := words(s)
	if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
		return strings.Join(w, "")
	}
	sort.Strings(w)
	return strings.Join(w, " ")
}

// normalContact is a contact compared without case, width or spaces; a
// phone number (no letters, at least 7 digits) by its digits alone, and by
// its last 9 digits if it has more (with or without a country code).
func normalContact(s string) string {
	w := strings.Join(words(s), "")
	if strings.IndexFunc(w, unicode.IsLetter) < 0 {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, w)
		if len(digits) > 9 {
			digits = digits[len(digits)-9:]
		}
		if len(digits) >= 7 {
			return digits
		}
	}
	if strings.Contains(s, "@") {
		// Words drop the @ and dots: keep the address whole, folded.
		return strings.Join(strings.Fields(fold(s)), "")
	}
	return w
}

// MatchRevealed returns the revealed interviews whose pseudonym, identity
// (name, aliases, contact, relatives' names, notes) or span secrets hold
// query, compared as [FindDuplicates] compares names: without case, width,
// spaces or punctuation. In memory only.
func MatchRevealed(revealed []*Revealed, query string) []*Revealed {
	q := strings.Join(words(query), "")
	if q == "" {
		return revealed
	}
	var out []*Revealed
	for _, r := range revealed {
		fields := []string{r.Pseudonym}
		if id := r.Identity; id != nil {
			fields = append(fields, id.Name, id.Contact, id.Notes)
			fields = append(fields, id.Aliases...)
			for _, rel := range id.Relatives {
				fields = append(fields, rel.Name)
			}
		}
		for _, s := range r.Spans {
			fields = append(fields, s.Secret)
		}
		for _, f := range fields {
			if strings.Contains(strings.Join(words(f), ""), q) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}
