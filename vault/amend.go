package vault

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"time"
)

// Amendments are the revisions the vault makes itself on top of an
// interview's heads, beside the typed interview: quotes, attachments. One
// builder makes them, so that each is what a save over the heads would be:
// every head a parent, the merged sealed items, and the newest head's span
// numbers kept meaning what they meant there (SpanSources, spanmap.go).

// revisionOver returns a revision of interview id on top of heads (at
// least one), carrying the merged heads' record, sealed items and span
// numbering, made now by this member; edit changes it before it is hashed
// and signed.
func (v *Vault) revisionOver(id string, heads []*Revision, now string, edit func(*Revision) error) (revisionRecord, error) {
	prev := mergeHeads(heads)
	rev := &Revision{
		Interview: id, Author: v.member.Name, CreatedAt: now,
		AuthorKey:   []byte(v.member.SigningKey.Public().(ed25519.PublicKey)),
		Sealed:      slices.Clone(prev.Sealed),
		SpanCount:   prev.SpanCount,
		SpanSources: prev.SpanSources,
		Record:      prev.Record,
	}
	for _, h := range heads {
		rev.Parents = append(rev.Parents, h.ID)
	}
	if err := edit(rev); err != nil {
		return revisionRecord{}, err
	}
	return newRevisionRecord(v.member.SigningKey, rev)
}

// amend saves a new revision of an interview whose record is the newest
// head's, changed by edit. The revision has every head as parent, like a
// save.
func (v *Vault) amend(ctx context.Context, idOrPrefix string, edit func(*Interview) error, event, details string) error {
	id, err := v.Resolve(idOrPrefix)
	if err != nil {
		return err
	}
	return v.amendMany(ctx, []string{id}, map[string]func(*Interview) error{id: edit}, event, details)
}

// amendMany is amend of several interviews, in one save.
func (v *Vault) amendMany(ctx context.Context, ids []string, edits map[string]func(*Interview) error, event, details string) error {
	if err := v.writable(); err != nil {
		return err
	}
	ch := &change{}
	now := v.Now().UTC().Format(time.RFC3339Nano)
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		heads, err := v.headRevisions(ctx, id)
		if err != nil {
			return err
		}
		if len(heads) == 0 {
			return fmt.Errorf("%w: %q", ErrNotFound, id)
		}
		rec, err := v.revisionOver(id, heads, now, func(r *Revision) error { return edits[id](&r.Record) })
		if err != nil {
			return err
		}
		ch.Revisions = append(ch.Revisions, rec)
	}
	subject := ""
	if len(ids) == 1 {
		subject = ids[0]
	}
	ch.Audit = v.event(event, subject, details)
	if err := ctx.Err(); err != nil {
		return err
	}
	return v.commit(ch)
}
