package vault

import (
	"context"
	"strings"
)

// HistoryEntry is one revision of an interview with what it changed
// against its first parent: fields, and the testimony paragraph by
// paragraph. Everything in it is readable: spans as [description], never a
// sealed secret.
type HistoryEntry struct {
	RevisionInfo
	// Merge reports a revision with several parents (a merge of versions).
	Merge  bool          `json:"merge"`
	Fields []FieldChange `json:"fields"`
	// Diff is the testimony against the first parent's; a first revision
	// is all added.
	Diff []DiffLine `json:"diff"`
}

// FieldChange is a field a revision changed.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// History returns every revision of an interview, oldest first, each with
// its diff against its parent; around is the number of unchanged
// paragraphs kept around each change (all of them if negative).
func (v *Vault) History(ctx context.Context, idOrPrefix string, around int) ([]HistoryEntry, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	id, err := v.Resolve(idOrPrefix)
	if err != nil {
		return nil, err
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT id, body, testimony FROM revisions WHERE interview = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	var revs []*Revision
	for rows.Next() {
		var rid, testimony string
		var body []byte
		if err := rows.Scan(&rid, &body, &testimony); err != nil {
			rows.Close()
			return nil, err
		}
		r, err := loadRevision(rid, body, testimony)
		if err != nil {
			rows.Close()
			return nil, err
		}
		revs = append(revs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byID := make(map[string]*Revision, len(revs))
	for _, r := range revs {
		byID[r.ID] = r
	}
	names := map[string]string{}
	out := make([]HistoryEntry, 0, len(revs))
	for _, r := range revs {
		name, ok := names[string(r.AuthorKey)]
		if !ok {
			if name, err = v.signerName(ctx, r.AuthorKey); err != nil {
				return nil, err
			}
			names[string(r.AuthorKey)] = name
		}
		e := HistoryEntry{RevisionInfo: RevisionInfo{ID: r.ID, Parents: r.Parents, Author: name, CreatedAt: r.CreatedAt},
			Merge: len(r.Parents) > 1, Fields: []FieldChange{}}
		before := Interview{}
		if len(r.Parents) > 0 && byID[r.Parents[0]] != nil {
			before = byID[r.Parents[0]].Record
		}
		e.Fields = fieldChanges(before, r.Record)
		e.Diff = Diff(RenderPublic(before.Testimony), RenderPublic(r.Record.Testimony), around)
		if e.Diff == nil {
			e.Diff = []DiffLine{}
		}
		out = append(out, e)
	}
	return out, nil
}

func fieldChanges(a, b Interview) []FieldChange {
	out := []FieldChange{}
	add := func(field, x, y string) {
		if x != y {
			out = append(out, FieldChange{field, x, y})
		}
	}
	for _, f := range mergedFields {
		add(f, *fieldOf(&a, f), *fieldOf(&b, f))
	}
	add("tags", strings.Join(a.Tags, ", "), strings.Join(b.Tags, ", "))
	rel := func(rs []Relative) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Relation+": "+strings.Join(r.Harms, ", "))
		}
		return strings.Join(s, "; ")
	}
	add("relatives", rel(a.Relatives), rel(b.Relatives))
	consent := func(in Interview) string {
		var s []string
		for _, x := range []struct {
			on   bool
			name string
		}{{in.Consent.Record, "record"}, {in.Consent.Quote, "quote"}, {in.Consent.Share, "share"}, {in.AnonymityRequested, "anonymity requested"}} {
			if x.on {
				s = append(s, x.name)
			}
		}
		return strings.Join(s, ", ")
	}
	add("consent", consent(a), consent(b))
	return out
}
