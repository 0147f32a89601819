package vault

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"time"
)

// PlantTombstoneForTesting does what an attacker who held the passphrase
// once can do: it writes a tombstone of interview id signed with this
// member's key, with no purge in the audit log. With keepLocal it writes the
// row straight into the database and checkpoints, as an edit of the
// decrypted snapshot would, leaving the interview's revisions in place;
// without, it saves the tombstone as a change (the interview goes, no audit
// event is recorded). Tests only.
func (v *Vault) PlantTombstoneForTesting(ctx context.Context, id string, keepLocal bool) error {
	if err := v.ready(); err != nil {
		return err
	}
	t := Tombstone{Interview: id, PurgedAt: time.Now().UTC().Format(time.RFC3339Nano), Author: v.member.Name,
		AuthorKey: []byte(v.member.SigningKey.Public().(ed25519.PublicKey))}
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	sig := ed25519.Sign(v.member.SigningKey, append([]byte(tombstoneDomain), body...))
	if !keepLocal {
		return v.commit(&change{Tombstones: []tombstoneRecord{{Body: body, Sig: sig}}})
	}
	if _, err := v.conn.ExecContext(ctx, `INSERT INTO tombstones (interview, body, sig, seq)
		VALUES (?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM tombstones))`, id, body, sig); err != nil {
		return err
	}
	return v.Checkpoint(ctx)
}
