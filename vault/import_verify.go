package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// The checks an import makes of every record before anything is merged.

// verifyTombstones checks every purge order's signature, and that this
// member or one on the roster ordered it, whoever forwards it: a purge
// destroys. It returns the interviews purged.
func (v *Vault) verifyTombstones(ctx context.Context, ch *change) (map[string]bool, error) {
	tombstoned := map[string]bool{}
	for i := range ch.Tombstones {
		t, err := ch.Tombstones[i].verify()
		if err != nil {
			return nil, err
		}
		_, err = v.authorName(ctx, t.AuthorKey)
		if errors.Is(err, ErrRetiredKey) && v.knownTombstone(ctx, ch.Tombstones[i]) {
			err = nil // had here before the key was retired
		}
		if errors.Is(err, errOffRoster) {
			return nil, fmt.Errorf("%w: a purge in the bundle was ordered by someone not on your roster", ErrUnknownSigner)
		}
		if err != nil {
			return nil, err
		}
		tombstoned[t.Interview] = true
	}
	return tombstoned, nil
}

// verifyRevisions checks every sealed item's hash and every revision's hash
// and signature (verified: verifyAll's answer, started before), and that
// the heads' sealed items are in the bundle or the vault and not retired
// by a custodian rotation.
func (v *Vault) verifyRevisions(ctx context.Context, ch *change, tombstoned map[string]bool, verified func() error) error {
	inBundle := map[string]bool{}
	for _, s := range ch.Sealed {
		sum := sha256.Sum256(s.Data)
		if hex.EncodeToString(sum[:]) != s.ID {
			return fmt.Errorf("%w: sealed item %s does not match its hash", ErrDamaged, short(s.ID))
		}
		inBundle[s.ID] = true
	}
	if err := verified(); err != nil {
		return err
	}
	have, err := v.conn.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM revisions WHERE id = ?)`)
	if err != nil {
		return err
	}
	defer have.Close()
	authors := map[string]bool{}
	isParent := map[string]bool{}
	byID := revisionsByID(ch)
	v3History := map[string]map[string]bool{} // by interview (vouchedOlderFormat)
	for i := range ch.Revisions {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := &ch.Revisions[i]
		rev, err := rec.revision() // decoded and verified by verifyAll
		if err != nil {
			return err
		}
		for _, p := range rev.Parents {
			isParent[p] = true
		}
		if tombstoned[rev.Interview] {
			continue // purged on arrival: nothing of it is stored
		}
		var known bool
		if err := have.QueryRowContext(ctx, rev.ID).Scan(&known); err != nil {
			return err
		}
		if known {
			// Checked when it came in. A revision by a member since taken
			// off the roster stays part of its interview's history, which
			// every later bundle of that interview carries.
			continue
		}
		if err := rev.validate(); err != nil {
			return fmt.Errorf("revision %s of interview %s in the bundle: %w", short(rev.ID), rev.Interview, err)
		}
		if err := v.keepsAttachments(ctx, byID, rev); err != nil {
			return err
		}
		if len(rec.Proof) == 0 {
			if err := v.olderFormatOver(ctx, byID, rev); err != nil {
				return err
			}
		}
		if len(rec.Proof) == 0 && rec.viaRedaction {
			if err := v.vouchedOlderFormat(ctx, ch, byID, rev, v3History); err != nil {
				return err
			}
		}
		if !authors[string(rev.AuthorKey)] {
			if _, err := v.authorName(ctx, rev.AuthorKey); errors.Is(err, errOffRoster) {
				return fmt.Errorf("%w: revision %s of interview %s is signed by someone not on your roster", ErrUnknownSigner, short(rev.ID), rev.Interview)
			} else if err != nil {
				return err
			}
			authors[string(rev.AuthorKey)] = true
		}
	}
	hasSealed, err := v.conn.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM sealed WHERE id = ?)`)
	if err != nil {
		return err
	}
	defer hasSealed.Close()
	isRetired, err := v.conn.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM kv WHERE ns = 'retired-sealed' AND key = ?)`)
	if err != nil {
		return err
	}
	defer isRetired.Close()
	for i := range ch.Revisions {
		rev := ch.Revisions[i].rev
		if isParent[rev.ID] {
			// History: its sealed items may have been retired by a
			// custodian rotation. The heads must be complete.
			continue
		}
		for _, s := range rev.Sealed {
			var retired bool
			if err := isRetired.QueryRowContext(ctx, s).Scan(&retired); err != nil {
				return err
			}
			if retired && !tombstoned[rev.Interview] {
				return fmt.Errorf("%w: interview %s", ErrRetiredCustodian, rev.Interview)
			}
			if inBundle[s] {
				continue
			}
			var have bool
			if err := hasSealed.QueryRowContext(ctx, s).Scan(&have); err != nil {
				return err
			}
			if !have && !tombstoned[rev.Interview] {
				return fmt.Errorf("%w: the bundle lacks sealed item %s of interview %s", ErrDamaged, short(s), rev.Interview)
			}
		}
	}
	return nil
}

// countNew counts, before the merge, the revisions, interviews and purges
// that the vault does not have yet.
func (v *Vault) countNew(ctx context.Context, ch *change, tombstoned map[string]bool, report *ImportReport) error {
	state, err := v.conn.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM revisions WHERE id = ?),
		EXISTS (SELECT 1 FROM tombstones WHERE interview = ?), EXISTS (SELECT 1 FROM interviews WHERE id = ?)`)
	if err != nil {
		return err
	}
	defer state.Close()
	newInterviews := map[string]bool{}
	for i := range ch.Revisions {
		rec := &ch.Revisions[i]
		if tombstoned[rec.rev.Interview] {
			continue
		}
		var have, purged, known bool
		if err := state.QueryRowContext(ctx, rec.ID, rec.rev.Interview, rec.rev.Interview).Scan(&have, &purged, &known); err != nil {
			return err
		}
		if !have && !purged {
			report.NewRevisions++
			if !known {
				newInterviews[rec.rev.Interview] = true
			}
		}
	}
	report.Interviews = len(newInterviews)
	for i := range ch.Tombstones {
		t, _ := ch.Tombstones[i].parse()
		var purged bool
		v.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tombstones WHERE interview = ?)`, t.Interview).Scan(&purged)
		if !purged {
			report.Purged++
		}
	}
	report.Revisions, report.Tombstones = len(ch.Revisions), len(ch.Tombstones)
	return nil
}

// olderFormatOver refuses a format 1 or 2 revision saved over a format 3
// one. No tvault made one: a tvault that cannot read format 3 cannot
// import its parent. A redacted format 1 or 2 revision is vouched for by
// its redaction alone (docs/THREAT-MODEL.md), so a member could otherwise
// put words of their own in a teammate's name on top of any interview.
func (v *Vault) olderFormatOver(ctx context.Context, byID map[string]*revisionRecord, rev *Revision) error {
	for _, p := range rev.Parents {
		v3 := false
		if rec := byID[p]; rec != nil {
			v3 = len(rec.Proof) > 0
		} else if err := v.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM revisions WHERE id = ? AND proof IS NOT NULL)`, p).Scan(&v3); err != nil {
			return err
		}
		if v3 {
			return fmt.Errorf("%w: revision %s of interview %s is of an older format than its parent %s", ErrDamaged, short(rev.ID), rev.Interview, short(p))
		}
	}
	return nil
}

// vouchedOlderFormat refuses a format 1 or 2 revision vouched for by its
// redaction alone (its signature no longer matches: docs/THREAT-MODEL.md)
// in an interview that has format 3 revisions, unless it is in their
// history (an ancestor, named through parents that format 3 authors
// signed). Such a revision is otherwise anyone's words in anyone's name:
// a second root, or one over a parent nobody has, sits as a head beside
// the format 3 ones. history caches, per interview, the revisions of
// format 3 and their ancestors (nil: the interview has none).
func (v *Vault) vouchedOlderFormat(ctx context.Context, ch *change, byID map[string]*revisionRecord, rev *Revision, history map[string]map[string]bool) error {
	anc, done := history[rev.Interview]
	if !done {
		var start []string
		for i := range ch.Revisions {
			if r := &ch.Revisions[i]; len(r.Proof) > 0 && r.rev != nil && r.rev.Interview == rev.Interview {
				start = append(start, r.ID)
			}
		}
		rows, err := v.conn.QueryContext(ctx, `SELECT id FROM revisions WHERE interview = ? AND proof IS NOT NULL`, rev.Interview)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			start = append(start, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(start) > 0 {
			anc = map[string]bool{}
			for len(start) > 0 {
				id := start[len(start)-1]
				start = start[:len(start)-1]
				if anc[id] {
					continue
				}
				anc[id] = true
				if r := byID[id]; r != nil && r.rev != nil {
					start = append(start, r.rev.Parents...)
					continue
				}
				ps, err := v.conn.QueryContext(ctx, `SELECT parent FROM parents WHERE revision = ?`, id)
				if err != nil {
					return err
				}
				for ps.Next() {
					var p string
					if err := ps.Scan(&p); err != nil {
						ps.Close()
						return err
					}
					start = append(start, p)
				}
				ps.Close()
				if err := ps.Err(); err != nil {
					return err
				}
			}
		}
		history[rev.Interview] = anc
	}
	if anc != nil && !anc[rev.ID] {
		return fmt.Errorf("%w: revision %s of interview %s is redacted, of an older format, and in no history of the interview's format 3 revisions", ErrDamaged, short(rev.ID), rev.Interview)
	}
	return nil
}

// olderBesideV3 refuses, as import does (vouchedOlderFormat), a redacted
// format 1 or 2 revision in an interview with format 3 revisions that is
// not in their history.
func (v *Vault) olderBesideV3(ctx context.Context, id string) error {
	var some, in bool
	err := v.conn.QueryRowContext(ctx, `
		WITH RECURSIVE anc(id) AS (
			SELECT id FROM revisions WHERE interview = (SELECT interview FROM revisions WHERE id = ?1) AND proof IS NOT NULL
			UNION SELECT p.parent FROM parents p JOIN anc ON p.revision = anc.id)
		SELECT EXISTS (SELECT 1 FROM anc), EXISTS (SELECT 1 FROM anc WHERE id = ?1)`, id).Scan(&some, &in)
	if err != nil {
		return err
	}
	if some && !in {
		return fmt.Errorf("%w: revision %s is redacted, of an older format, and in no history of its interview's format 3 revisions", ErrDamaged, short(id))
	}
	return nil
}
