package vault

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/tvault/tvault/internal/bundlefmt"
)

// Redactions in bundles: what an export carries, and what an import checks
// before anything merges (redact.go says what a redaction is).

// verifyRedactions checks every redaction in a bundle's change: its form,
// its signature, and that this member or one on the roster ordered it,
// whoever forwards it. It marks the change's revisions that are redacted
// (their content is what a redaction in the bundle or in the vault says it
// became), so that they are verified through it and not by their own
// signature.
func (v *Vault) verifyRedactions(ctx context.Context, ch *change) error {
	_, idx, err := loadRedactions(ctx, v.conn)
	if err != nil {
		return err
	}
	for i := range ch.Redactions {
		d, err := ch.Redactions[i].verify()
		if err != nil {
			return err
		}
		known := v.knownRedaction(ctx, ch.Redactions[i])
		if !known && checkRedactionWith(d.With) != nil {
			return fmt.Errorf("%w: a redaction in the bundle puts in a description that could read as the author's words", ErrDamaged)
		}
		_, err = v.authorName(ctx, d.AuthorKey)
		if (errors.Is(err, ErrRetiredKey) || errors.Is(err, errOffRoster)) && known {
			// Had here before the key was retired, or before its member
			// was removed: a teammate's bundle carries it again with the
			// revisions it names.
			err = nil
		}
		if errors.Is(err, errOffRoster) {
			return fmt.Errorf("%w: a redaction in the bundle was ordered by someone not on your roster", ErrUnknownSigner)
		}
		if err != nil {
			return err
		}
		idx.add(&ch.Redactions[i], d)
	}
	for i := range ch.Revisions {
		rec := &ch.Revisions[i]
		step, ok := idx.verifiedThrough(rec.ID, rec.Body, rec.Testimony)
		if !ok {
			continue
		}
		if len(rec.Proof) == 0 {
			// A redaction vouches for all of a format 1 or 2 revision: one
			// by a member since removed vouches for none new to this
			// vault, or a redaction planted before the removal would let
			// them bring in words in a teammate's name after it.
			if _, err := v.authorName(ctx, step.author); errors.Is(err, errOffRoster) {
				var have bool
				if err := v.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM revisions WHERE id = ?)`, rec.ID).Scan(&have); err != nil {
					return err
				}
				if !have {
					continue
				}
			}
		}
		rec.viaRedaction = true
	}
	return nil
}

// newRedactions counts the change's redactions the vault does not have.
func (v *Vault) newRedactions(ctx context.Context, ch *change) (int, error) {
	n := 0
	for i := range ch.Redactions {
		var have bool
		if err := v.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM kv WHERE ns = ? AND key = ?)`,
			redactionNS, ch.Redactions[i].id()).Scan(&have); err != nil {
			return 0, err
		}
		if !have {
			n++
		}
	}
	return n, nil
}

// importRedactions takes a bundle's redactions into its change, verifies
// them (verifyRedactions) and returns how many the vault does not have.
func (v *Vault) importRedactions(ctx context.Context, ch *change, body *bundlefmt.Body) (int, error) {
	for _, r := range body.Redactions {
		ch.Redactions = append(ch.Redactions, redactionRecord(r))
	}
	if err := v.verifyRedactions(ctx, ch); err != nil {
		return 0, err
	}
	return v.newRedactions(ctx, ch)
}

// gatherRedactions returns the redactions a bundle carries: those after
// since, and every one that names a revision in the bundle (its receiver
// needs it to verify that revision).
func (v *Vault) gatherRedactions(ctx context.Context, body *bundlefmt.Body, since sentMark) ([]bundlefmt.Redaction, error) {
	rows, err := v.conn.QueryContext(ctx, `SELECT value FROM kv WHERE ns = ?`, redactionNS)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var stored []storedRedaction
	for rows.Next() {
		var b []byte
		var s storedRedaction
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("%w: a stored redaction", ErrDamaged)
		}
		stored = append(stored, s)
	}
	if err := rows.Err(); err != nil || len(stored) == 0 {
		return nil, err
	}
	inBundle := make(map[string]bool, len(body.Revisions))
	for _, r := range body.Revisions {
		inBundle[r.ID] = true
	}
	slices.SortFunc(stored, func(a, b storedRedaction) int { return cmp.Compare(a.Seq, b.Seq) })
	var out []bundlefmt.Redaction
	for _, s := range stored {
		rec := redactionRecord{Body: s.Body, Sig: s.Sig}
		d, err := rec.parse()
		if err != nil {
			return nil, err
		}
		include := s.Seq > since.Redactions
		for _, rr := range d.Revisions {
			include = include || inBundle[rr.ID]
		}
		if include {
			out = append(out, bundlefmt.Redaction{Body: s.Body, Sig: s.Sig})
		}
	}
	return out, nil
}

// knownRedaction reports whether the vault holds this very redaction.
func (v *Vault) knownRedaction(ctx context.Context, r redactionRecord) bool {
	var b []byte
	if v.conn.QueryRowContext(ctx, `SELECT value FROM kv WHERE ns = ? AND key = ?`, redactionNS, r.id()).Scan(&b) != nil {
		return false
	}
	var s storedRedaction
	return json.Unmarshal(b, &s) == nil && bytes.Equal(s.Sig, r.Sig)
}

// verifyAny checks a revision record as a bundle brings it. A format 3
// revision's signature always verifies what its author wrote; if it is
// redacted, a redaction (verifyRedactions) must vouch for the descriptions
// in place of what it removed. A redacted format 1 or 2 revision no longer
// matches its signature: its redaction vouches for all of it
// (docs/THREAT-MODEL.md).
func (r *revisionRecord) verifyAny() error {
	if len(r.Proof) == 0 && r.viaRedaction {
		rev, err := r.revision()
		if err != nil {
			return err
		}
		return signedAsOld(rev, r.Sig)
	}
	if _, err := r.verify(); err != nil {
		return err
	}
	if len(r.Proof) > 0 && !r.viaRedaction {
		if p, _ := parseProof(r.ID, r.Proof); p.redacted() {
			return fmt.Errorf("%w: revision %s is redacted, by no redaction in the bundle or the vault", ErrDamaged, short(r.ID))
		}
	}
	return nil
}

// signedAsOld checks that the author of a redacted format 1 or 2 revision
// signed its ID as a format 1 or 2 revision. Its content no longer matches
// the ID, but the signature stays: without this, a teammate's format 3
// revision stripped of its proof (signed "tvault revision v3") passed as
// a redacted format 2 one, and a member's redaction vouched for new text
// in the teammate's name (TestAttackStrippedProof).
func signedAsOld(rev *Revision, sig []byte) error {
	if len(rev.AuthorKey) == ed25519.PublicKeySize &&
		(ed25519.Verify(rev.AuthorKey, []byte(revisionDomainV2+rev.ID), sig) ||
			ed25519.Verify(rev.AuthorKey, []byte(revisionDomainV1+rev.ID), sig)) {
		return nil
	}
	return fmt.Errorf("%w: revision %s has a bad signature", ErrDamaged, short(rev.ID))
}
