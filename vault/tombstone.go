package vault

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Tombstone records that an interview was purged: its ID and when, signed by
// the member who purged it. It holds nothing else. Bundles carry tombstones
// so that every vault the interview reached purges it too.
type Tombstone struct {
	Interview string `json:"interview"`
	PurgedAt  string `json:"purged_at"`
	Author    string `json:"author"`
	AuthorKey []byte `json:"author_key"`
}

type tombstoneRecord struct {
	Body json.RawMessage `json:"body"`
	Sig  []byte          `json:"sig"`
}

const tombstoneDomain = "tvault tombstone v1\n"

func (r *tombstoneRecord) parse() (*Tombstone, error) {
	t := new(Tombstone)
	if err := json.Unmarshal(r.Body, t); err != nil || t.Interview == "" {
		return nil, fmt.Errorf("%w: a tombstone does not parse", ErrDamaged)
	}
	return t, nil
}

func (r *tombstoneRecord) verify() (*Tombstone, error) {
	t, err := r.parse()
	if err != nil {
		return nil, err
	}
	if len(t.AuthorKey) != ed25519.PublicKeySize || !ed25519.Verify(t.AuthorKey, append([]byte(tombstoneDomain), r.Body...), r.Sig) {
		return nil, fmt.Errorf("%w: the tombstone of interview %s has a bad signature", ErrDamaged, t.Interview)
	}
	return t, nil
}

func applyTombstone(ctx context.Context, tx *sql.Tx, r tombstoneRecord) error {
	t, err := r.parse()
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO tombstones (interview, body, sig, seq)
		VALUES (?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM tombstones))`, t.Interview, []byte(r.Body), r.Sig)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	var rowid int64
	err = tx.QueryRowContext(ctx, `SELECT rowid FROM interviews WHERE id = ?`, t.Interview).Scan(&rowid)
	if err == nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM testimony_fts WHERE rowid = ?`, rowid); err != nil {
			return err
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	for _, q := range []string{
		`DELETE FROM parents WHERE revision IN (SELECT id FROM revisions WHERE interview = ?)`,
		`DELETE FROM revisions WHERE interview = ?`,
		`DELETE FROM heads WHERE interview = ?`,
		`DELETE FROM sealed WHERE interview = ?`,
		`DELETE FROM interviews WHERE id = ?`,
		// A draft of an edit of it holds its testimony too.
		`DELETE FROM drafts WHERE interview = ?`,
		// Its attachments' keys: the blobs become unreadable with this
		// generation, and sweepBlobs removes the files (blob.go).
		`DELETE FROM kv WHERE ns = '` + blobNS + `' AND substr(key, 1, length(?1) + 1) = ?1 || '/'`,
	} {
		if _, err := tx.ExecContext(ctx, q, t.Interview); err != nil {
			return err
		}
	}
	return nil
}

// Purge removes an interview, its identity and every revision, for good, and
// leaves a signed tombstone that bundles carry to teammates. The vault is
// then checkpointed, so that the interview leaves the journal and the
// snapshot on disk too (see docs/THREAT-MODEL.md for what a disk keeps).
func (v *Vault) Purge(ctx context.Context, idOrPrefix string) (string, error) {
	if err := v.ready(); err != nil {
		return "", err
	}
	id, err := v.Resolve(idOrPrefix)
	if err != nil {
		return "", err
	}
	t := Tombstone{Interview: id, PurgedAt: v.Now().UTC().Format(time.RFC3339Nano), Author: v.member.Name,
		AuthorKey: []byte(v.member.SigningKey.Public().(ed25519.PublicKey))}
	body, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	sig := ed25519.Sign(v.member.SigningKey, append([]byte(tombstoneDomain), body...))
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := v.commit(&change{Tombstones: []tombstoneRecord{{Body: body, Sig: sig}}, Audit: v.event(EventPurge, id, "")}); err != nil {
		return "", err
	}
	// Purged: what follows is not cancelled.
	ctx = context.WithoutCancel(ctx)
	// Drop the purged text from the search index's segments, not only mark
	// it deleted.
	if err := optimizeSearch(ctx, v.conn); err != nil {
		return "", err
	}
	if err := v.Checkpoint(ctx); err != nil {
		return id, fmt.Errorf("purged, but the checkpoint that removes it from disk failed (it will run at the next close): %w", err)
	}
	// Its attachments' keys went with the old generation; now their files.
	if err := v.sweepBlobs(ctx); err != nil {
		return id, fmt.Errorf("purged, but its attachments' files could not all be removed (the next open retries): %w", err)
	}
	return id, nil
}
