package vault

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Choice is how a merge conflict is settled.
type Choice int

// The choices for a conflict. Both (the left's paragraphs, then the
// right's) is for testimony only.
const (
	Unresolved Choice = iota
	TakeLeft
	TakeRight
	TakeBoth
)

// Conflict is one place both versions changed differently: paragraphs of the
// testimony, or a field. Base, Left and Right are readable, spans as
// [description].
type Conflict struct {
	// Field is "testimony" or the JSON name of a field ("location").
	Field string `json:"field"`
	// Paragraph is, for testimony, the number of the conflict's first
	// paragraph in the merged text (counting the left's lines for it).
	Paragraph int      `json:"paragraph,omitempty"`
	Base      []string `json:"base"`
	Left      []string `json:"left"`
	Right     []string `json:"right"`
	Choice    Choice   `json:"-"`
}

// Merge is the three-way merge of an interview's two newest heads against
// their lowest common ancestor (see merge3.go for the rule). Settle each
// conflict with Choose, then save it with [Vault.SaveMerge]: the merge
// revision has both heads as parents.
type Merge struct {
	ID string `json:"id"`
	// Base is the common ancestor revision, "" if the heads have none.
	Base  string       `json:"base"`
	Left  RevisionInfo `json:"left"`
	Right RevisionInfo `json:"right"`
	// Heads is the number of heads before the merge: with more than two,
	// a merge joins the newest two and leaves the rest.
	Heads     int        `json:"heads"`
	Conflicts []Conflict `json:"conflicts"`

	rec Interview // fields merged; conflicting ones hold the left's
	// rightVal is, per conflict of a field, the right's value.
	rightVal  []string
	chunks    []chunk
	parents   [2]string
	spanCount int
	sources   []SpanSource
	sides     [2]map[string]bool // the paragraphs of each version
}

// Choose settles conflict i. TakeBoth is refused for a field.
func (m *Merge) Choose(i int, c Choice) error {
	if i < 0 || i >= len(m.Conflicts) {
		return fmt.Errorf("no conflict %d", i+1)
	}
	if c == TakeBoth && m.Conflicts[i].Field != "testimony" {
		return fmt.Errorf("%w: a field takes one version, not both", ErrInvalid)
	}
	m.Conflicts[i].Choice = c
	return nil
}

// Unresolved is the number of conflicts not settled yet.
func (m *Merge) Unresolved() int {
	n := 0
	for _, c := range m.Conflicts {
		if c.Choice == Unresolved {
			n++
		}
	}
	return n
}

// MergedLine is one paragraph of the merged testimony, readable.
type MergedLine struct {
	Text string
	// From is 1 or 2 when only the left (1) or right (2) version has the
	// paragraph, 0 when both do.
	From int
	// Conflict is the index of the conflict the paragraph belongs to, or -1.
	Conflict int
}

// Result is the merged interview, testimony in marked form. An unsettled
// conflict takes the left's version.
func (m *Merge) Result() Interview {
	rec := cloneInterview(m.rec)
	for i, c := range m.Conflicts {
		if c.Field != "testimony" && c.Choice == TakeRight {
			*fieldOf(&rec, c.Field) = m.rightVal[i]
		}
	}
	var lines []string
	for _, l := range m.lines() {
		lines = append(lines, l.marked)
	}
	rec.Testimony = strings.Join(lines, "\n")
	rec.ID = m.ID
	return rec
}

// Testimony is the merged testimony as it would be saved, readable, each
// paragraph with where it comes from.
func (m *Merge) Testimony() []MergedLine {
	var out []MergedLine
	for _, l := range m.lines() {
		if l.from == 0 {
			switch {
			case !m.sides[0][l.marked]:
				l.from = 2
			case !m.sides[1][l.marked]:
				l.from = 1
			}
		}
		out = append(out, MergedLine{Text: RenderPublic(l.marked), From: l.from, Conflict: l.conflict})
	}
	return out
}

type mergedLine struct {
	marked   string
	from     int
	conflict int
}

func (m *Merge) lines() []mergedLine {
	var out []mergedLine
	k := 0
	for _, c := range m.chunks {
		if !c.conflict {
			for _, l := range c.lines {
				out = append(out, mergedLine{marked: l, conflict: -1})
			}
			continue
		}
		for k < len(m.Conflicts) && m.Conflicts[k].Field != "testimony" {
			k++
		}
		var take []mergedLine
		left := func() {
			for _, l := range c.left {
				take = append(take, mergedLine{l, 1, k})
			}
		}
		right := func() {
			for _, l := range c.right {
				take = append(take, mergedLine{l, 2, k})
			}
		}
		switch m.Conflicts[k].Choice {
		case TakeRight:
			right()
		case TakeBoth:
			left()
			right()
		default:
			left()
		}
		out = append(out, take...)
		k++
	}
	return out
}

// fieldOf returns the string field named by its JSON name.
func fieldOf(rec *Interview, name string) *string {
	switch name {
	case "pseudonym":
		return &rec.Pseudonym
	case "interviewed_on":
		return &rec.InterviewedOn
	case "location":
		return &rec.Location
	case "mode":
		return &rec.Mode
	case "language":
		return &rec.Language
	case "interviewer":
		return &rec.Interviewer
	}
	return nil
}

var mergedFields = []string{"pseudonym", "interviewed_on", "location", "mode", "language", "interviewer"}

// Merge prepares the three-way merge of an interview in conflict: its two
// newest heads against their lowest common ancestor. Nothing is saved.
func (v *Vault) Merge(idOrPrefix string) (*Merge, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	id, err := v.Resolve(idOrPrefix)
	if err != nil {
		return nil, err
	}
	ctx := v.ctx
	heads, err := v.headRevisions(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(heads) < 2 {
		return nil, fmt.Errorf("%w: interview %s has one version: nothing to merge", ErrInvalid, id)
	}
	l, r := heads[0], heads[1]
	revs, err := v.revisionsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	revs[l.ID], revs[r.ID] = l, r
	base := &Revision{Record: Interview{Tags: []string{}, Relatives: []Relative{}}}
	if b := lowestCommonAncestor(revs, l.ID, r.ID); b != "" {
		withText, err := v.revisionsOf(ctx, id, b)
		if err != nil {
			return nil, err
		}
		base = withText[b]
	}
	m := &Merge{ID: id, Base: base.ID, Heads: len(heads), parents: [2]string{l.ID, r.ID}}
	for i, h := range []*Revision{l, r} {
		name, err := v.signerName(ctx, h.AuthorKey)
		if err != nil {
			return nil, err
		}
		info := RevisionInfo{ID: h.ID, Parents: h.Parents, Author: name, CreatedAt: h.CreatedAt}
		if i == 0 {
			m.Left = info
		} else {
			m.Right = info
		}
	}

	// Spans: the left's numbers stay; the right's spans the left lacks take
	// the numbers after the left's.
	num := map[spanKey]int{}
	left := SpanSource{Revision: l.ID}
	for n := 1; n <= l.SpanCount; n++ {
		k := spanOrigin(revs, l, n)
		if _, ok := num[k]; !ok {
			num[k] = n
		}
		left.Spans = append(left.Spans, [2]int{n, n})
	}
	next := l.SpanCount
	right := SpanSource{Revision: r.ID}
	rmap := map[int]int{}
	for n := 1; n <= r.SpanCount; n++ {
		k := spanOrigin(revs, r, n)
		if got, ok := num[k]; ok {
			rmap[n] = got
			continue
		}
		next++
		num[k], rmap[n] = next, next
		right.Spans = append(right.Spans, [2]int{next, n})
	}
	bmap := map[int]int{}
	for n := 1; n <= base.SpanCount; n++ {
		if got, ok := num[spanOrigin(revs, base, n)]; ok {
			bmap[n] = got
		} else {
			bmap[n] = -n // gone from both: only compared, never saved
		}
	}
	m.spanCount = max(next, r.SpanCount)
	for _, s := range []SpanSource{left, right} {
		if len(s.Spans) > 0 {
			m.sources = append(m.sources, s)
		}
	}

	lt := l.Record.Testimony
	rt := renumberSpans(r.Record.Testimony, rmap)
	bt := renumberSpans(base.Record.Testimony, bmap)
	m.chunks = merge3(splitParagraphs(bt), splitParagraphs(lt), splitParagraphs(rt))
	for i, t := range []string{lt, rt} {
		m.sides[i] = map[string]bool{}
		for _, p := range splitParagraphs(t) {
			m.sides[i][p] = true
		}
	}

	// Fields.
	rec := cloneInterview(l.Record)
	br, lr, rr := base.Record, l.Record, r.Record
	for _, f := range mergedFields {
		val, conflict := fieldMerge(*fieldOf(&br, f), *fieldOf(&lr, f), *fieldOf(&rr, f))
		*fieldOf(&rec, f) = val
		if conflict {
			m.Conflicts = append(m.Conflicts, Conflict{Field: f, Base: []string{*fieldOf(&br, f)},
				Left: []string{*fieldOf(&lr, f)}, Right: []string{*fieldOf(&rr, f)}})
			m.rightVal = append(m.rightVal, *fieldOf(&rr, f))
		}
	}
	rec.AnonymityRequested, _ = fieldMerge(br.AnonymityRequested, lr.AnonymityRequested, rr.AnonymityRequested)
	rec.Consent.Record, _ = fieldMerge(br.Consent.Record, lr.Consent.Record, rr.Consent.Record)
	rec.Consent.Quote, _ = fieldMerge(br.Consent.Quote, lr.Consent.Quote, rr.Consent.Quote)
	rec.Consent.Share, _ = fieldMerge(br.Consent.Share, lr.Consent.Share, rr.Consent.Share)
	rec.Tags = mergeSet(br.Tags, lr.Tags, rr.Tags)
	rec.Relatives = mergeRelatives(br.Relatives, lr.Relatives, rr.Relatives)
	m.rec = rec

	para := 1
	for _, c := range m.chunks {
		if !c.conflict {
			para += len(c.lines)
			continue
		}
		m.Conflicts = append(m.Conflicts, Conflict{Field: "testimony", Paragraph: para,
			Base: renderAll(c.base), Left: renderAll(c.left), Right: renderAll(c.right)})
		m.rightVal = append(m.rightVal, "")
		para += len(c.left)
	}
	return m, nil
}

// SaveMerge saves a merge whose conflicts are all settled as a revision with
// both heads as parents, through the same path as every save: signed,
// journaled, sealed items kept. It fails, changing nothing, if either head
// is no longer a head (a save or an import came between).
func (v *Vault) SaveMerge(ctx context.Context, m *Merge) error {
	if n := m.Unresolved(); n > 0 {
		return fmt.Errorf("%w: %d conflicts of the merge are not settled", ErrInvalid, n)
	}
	in := Input{Interview: m.Result(), merge: m}
	in.ID = m.ID
	_, err := v.Add(ctx, []Input{in})
	return err
}

// heads returns the two heads the merge joins, if both are still heads.
func (m *Merge) heads(current []*Revision) ([]*Revision, error) {
	var out []*Revision
	for _, p := range m.parents {
		i := slices.IndexFunc(current, func(r *Revision) bool { return r.ID == p })
		if i < 0 {
			return nil, fmt.Errorf("%w: the interview changed since this merge was prepared; merge again", ErrInvalid)
		}
		out = append(out, current[i])
	}
	return out, nil
}

// lowestCommonAncestor returns a common ancestor of a and b that is no
// ancestor of another common one (the newest if several), or "".
func lowestCommonAncestor(revs map[string]*Revision, a, b string) string {
	ancestors := func(from []string) map[string]bool {
		seen := map[string]bool{}
		stack := slices.Clone(from)
		for len(stack) > 0 {
			id := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[id] {
				continue
			}
			seen[id] = true
			if r := revs[id]; r != nil {
				stack = append(stack, r.Parents...)
			}
		}
		return seen
	}
	ofA, ofB := ancestors([]string{a}), ancestors([]string{b})
	var common []string
	for id := range ofA {
		if ofB[id] && revs[id] != nil {
			common = append(common, id)
		}
	}
	var parents []string
	for _, id := range common {
		parents = append(parents, revs[id].Parents...)
	}
	below := ancestors(parents)
	best := ""
	for _, id := range common {
		if !below[id] && (best == "" || newer(revs[id], revs[best])) {
			best = id
		}
	}
	return best
}

// renumberSpans rewrites the {{#N|description}} markers of stored testimony
// by to; numbers not in to stay.
func renumberSpans(marked string, to map[int]int) string {
	spans, err := parseSpans(marked)
	if err != nil || len(spans) == 0 {
		return marked
	}
	var b strings.Builder
	last := 0
	for _, s := range spans {
		b.WriteString(marked[last:s.start])
		last = s.end
		n, ok := to[s.ref]
		if s.ref == 0 || !ok {
			b.WriteString(marked[s.start:s.end])
			continue
		}
		fmt.Fprintf(&b, "{{#%d|%s}}", n, s.description)
	}
	b.WriteString(marked[last:])
	return b.String()
}

// splitParagraphs is paragraphs, with no paragraph in empty testimony.
func splitParagraphs(s string) []string {
	if s == "" {
		return nil
	}
	return paragraphs(s)
}

func renderAll(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = RenderPublic(l)
	}
	return out
}
