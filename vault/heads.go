package vault

// Heads returns every head version of an interview, newest first, each as
// Get would show it were it the only head: the pseudonymised interview,
// spans as [description], and in Revisions the head revision alone. One
// version means no conflict; more are versions saved on different laptops
// that no revision has merged yet. Saving the interview (Add with its ID)
// makes a revision with every head as a parent, which resolves them.
func (v *Vault) Heads(idOrPrefix string) ([]View, error) {
	id, err := v.Resolve(idOrPrefix)
	if err != nil {
		return nil, err
	}
	revs, err := v.headRevisions(v.ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(revs))
	for _, r := range revs {
		view := View{Interview: r.Record, Heads: len(revs), Marked: r.Record.Testimony, Sealed: len(r.Sealed) > 0}
		view.ID = id
		view.Testimony = RenderPublic(r.Record.Testimony)
		view.Revisions = []RevisionInfo{{ID: r.ID, Parents: r.Parents, Author: r.Author, CreatedAt: r.CreatedAt}}
		out = append(out, view)
	}
	return out, nil
}
