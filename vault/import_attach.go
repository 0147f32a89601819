package vault

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// keepsAttachments checks that a revision keeps every attachment record of
// its parents as it was signed on arrival: the chain of custody is
// append-only, and tvault never writes a revision that changes or drops
// one. A bundle whose revision does is forged, and refused.
func (v *Vault) keepsAttachments(ctx context.Context, byID map[string]*revisionRecord, rev *Revision) error {
	mine := make(map[string]*Attachment, len(rev.Record.Attachments))
	for i := range rev.Record.Attachments {
		mine[rev.Record.Attachments[i].ID] = &rev.Record.Attachments[i]
	}
	inParents := map[string]bool{}
	for _, p := range rev.Parents {
		parent, err := v.parentRevision(ctx, byID, p)
		if err != nil || parent == nil {
			return err // a parent neither here nor in the bundle is reported elsewhere
		}
		for _, pa := range parent.Record.Attachments {
			inParents[pa.ID] = true
			a := mine[pa.ID]
			if a == nil {
				return fmt.Errorf("%w: revision %s of interview %s in the bundle drops attachment %s", ErrInvalid, short(rev.ID), rev.Interview, short(pa.ID))
			}
			if !sameAttachment(a, &pa) {
				return fmt.Errorf("%w: revision %s of interview %s in the bundle changes the signed record of attachment %s", ErrInvalid, short(rev.ID), rev.Interview, short(pa.ID))
			}
		}
	}
	// An attachment new in this revision must not reuse the ID of one the
	// interview already records here (a branch beside ours would otherwise
	// put another file's record in the place of our evidence's).
	if len(inParents) == len(mine) {
		return nil
	}
	heads, err := v.headRevisions(ctx, rev.Interview)
	if err != nil {
		return err
	}
	for _, h := range heads {
		for _, ha := range h.Record.Attachments {
			if a := mine[ha.ID]; a != nil && !inParents[ha.ID] && !sameAttachment(a, &ha) {
				return fmt.Errorf("%w: revision %s of interview %s in the bundle records another file under attachment %s", ErrInvalid, short(rev.ID), rev.Interview, short(ha.ID))
			}
		}
	}
	return nil
}

// sameAttachment reports whether two records are the same signed statement.
func sameAttachment(a, b *Attachment) bool {
	sa, err1 := a.Statement()
	sb, err2 := b.Statement()
	return err1 == nil && err2 == nil && bytes.Equal(sa, sb) && bytes.Equal(a.Sig, b.Sig)
}

// parentRevision returns revision id from the bundle or the vault, or nil
// if neither has it.
func (v *Vault) parentRevision(ctx context.Context, byID map[string]*revisionRecord, id string) (*Revision, error) {
	if rec := byID[id]; rec != nil {
		return rec.revision()
	}
	var body []byte
	var testimony string
	err := v.conn.QueryRowContext(ctx, `SELECT body, testimony FROM revisions WHERE id = ?`, id).Scan(&body, &testimony)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return loadRevision(id, body, testimony)
}

// revisionsByID indexes the revisions of a bundle by ID.
func revisionsByID(ch *change) map[string]*revisionRecord {
	byID := make(map[string]*revisionRecord, len(ch.Revisions))
	for i := range ch.Revisions {
		byID[ch.Revisions[i].ID] = &ch.Revisions[i]
	}
	return byID
}
