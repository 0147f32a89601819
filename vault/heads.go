package vault

import (
	"context"
	"fmt"
	"slices"
)

// Heads returns every head version of an interview, newest first, each as
// Get would show it were it the only head: the pseudonymised interview,
// spans as [description], and in Revisions the head revision alone. One
// version means no conflict; more are versions saved on different laptops
// that no revision has merged yet. Saving the interview (Add with its ID)
// makes a revision with every head as a parent, which resolves them.
func (v *Vault) Heads(idOrPrefix string) ([]View, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	id, err := v.Resolve(idOrPrefix)
	if err != nil {
		return nil, err
	}
	revs, err := v.headRevisions(v.ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(revs))
	names := map[string]string{}
	for _, r := range revs {
		author, ok := names[string(r.AuthorKey)]
		if !ok {
			if author, err = v.signerName(v.ctx, r.AuthorKey); err != nil {
				return nil, err
			}
			names[string(r.AuthorKey)] = author
		}
		view := View{Interview: r.Record, Heads: len(revs), Marked: r.Record.Testimony, Sealed: len(r.Sealed) > 0}
		view.ID = id
		view.Testimony = RenderPublic(r.Record.Testimony)
		view.Revisions = []RevisionInfo{{ID: r.ID, Parents: r.Parents, Author: author, CreatedAt: r.CreatedAt}}
		out = append(out, view)
	}
	return out, nil
}

// mergeHeads returns the newest head (heads come newest first) with the
// sealed items of every head, in order of first use, and the largest span
// count: what a save over all heads builds on. It is linear in the number
// of heads and sealed items; merging pairwise was quadratic.
func mergeHeads(heads []*Revision) *Revision {
	c := *heads[0]
	c.Sealed = slices.Clone(heads[0].Sealed)
	seen := make(map[string]bool, len(c.Sealed))
	for _, s := range c.Sealed {
		seen[s] = true
	}
	for _, h := range heads[1:] {
		for _, s := range h.Sealed {
			if !seen[s] {
				seen[s] = true
				c.Sealed = append(c.Sealed, s)
			}
		}
		c.SpanCount = max(c.SpanCount, h.SpanCount)
	}
	all := make([][]Attachment, len(heads))
	for i, h := range heads {
		all[i] = h.Record.Attachments
	}
	c.Record.Attachments = unionByID(func(a Attachment) string { return a.ID }, all...)
	quotes := make([][]Quote, len(heads))
	for i, h := range heads {
		quotes[i] = h.Record.Quotes
	}
	c.Record.Quotes = unionByID(func(q Quote) string { return q.ID }, quotes...)
	if len(heads) > 1 && heads[0].SpanCount > 0 {
		// The save's text is the newest head's: its span numbers mean
		// what they mean there, whatever another head's items say of the
		// same numbers (spanmap.go).
		src := SpanSource{Revision: heads[0].ID}
		for n := 1; n <= heads[0].SpanCount; n++ {
			src.Spans = append(src.Spans, [2]int{n, n})
		}
		c.SpanSources = []SpanSource{src}
	}
	return &c
}

// resolveHeads resolves an interview ID or prefix and returns its heads,
// newest first: at least one, or ErrNotFound.
func (v *Vault) resolveHeads(ctx context.Context, idOrPrefix string) (string, []*Revision, error) {
	id, err := v.Resolve(idOrPrefix)
	if err != nil {
		return "", nil, err
	}
	heads, err := v.headRevisions(ctx, id)
	if err != nil {
		return "", nil, err
	}
	if len(heads) == 0 {
		return "", nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	return id, heads, nil
}
