package vault

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

// EventCustodianRotated is the audit event of a custodian rotation.
const EventCustodianRotated = "custodian-rotated"

// RotateReport says what a rotation did.
type RotateReport struct {
	Interviews int `json:"interviews"`
	Resealed   int `json:"resealed"`
	Retired    int `json:"retired"`
}

// RotateCustodian moves the vault to a new custodian, in one save: for every
// interview with sealed items, a new revision whose single sealed item holds
// its current identity and span secrets sealed to next; every item sealed to
// the old custodian is deleted, and refused if a bundle brings it back. It
// needs the old custodian identity, since sealed items can only be read
// with it. The vault is then checkpointed, so that the old items leave the
// disk too.
//
// Teammates' vaults keep what they have: each must rotate too.
func (v *Vault) RotateCustodian(ctx context.Context, old *age.HybridIdentity, next *age.HybridRecipient, progress func(done, total int)) (*RotateReport, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	if v.broken != nil {
		return nil, v.broken
	}
	// The proof first: a key that does not open the pinned proof key is not
	// the custodian's, whether or not anything is sealed yet.
	proof, err := v.proveCustodianChange(ctx, old, next)
	if err != nil {
		return nil, err
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT id FROM interviews ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()

	now := v.Now().UTC().Format(time.RFC3339Nano)
	ch := &change{Custodian: next.String(), CustodianProof: proof}
	report := &RotateReport{}
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if progress != nil && (i%200 == 0 || i == len(ids)-1) {
			progress(i+1, len(ids))
		}
		heads, err := v.headRevisions(ctx, id)
		if err != nil {
			return nil, err
		}
		if len(heads) == 0 {
			continue
		}
		// One rotation revision per head, each on its own head: a conflict
		// stays a conflict, for people to resolve, not for a rotation.
		resealed := false
		for _, h := range heads {
			if len(h.Sealed) == 0 {
				continue
			}
			rec, sealed, err := v.resealHead(ctx, id, h, old, next, now)
			if err != nil {
				return nil, err
			}
			ch.Sealed = append(ch.Sealed, sealed)
			ch.Revisions = append(ch.Revisions, rec)
			report.Resealed += len(h.Sealed)
			resealed = true
		}
		if resealed {
			report.Interviews++
		}
	}
	// Every item sealed before, of any revision, is retired.
	rows, err = v.conn.QueryContext(ctx, `SELECT id FROM sealed`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ch.RetireSealed = append(ch.RetireSealed, id)
	}
	rows.Close()
	report.Retired = len(ch.RetireSealed)
	ch.Audit = v.event(EventCustodianRotated, shortFingerprint(next.String()),
		fmt.Sprintf("%d interviews resealed, %d old items retired", report.Interviews, report.Retired))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := v.commit(ch); err != nil {
		return nil, err
	}
	v.custodian = next
	// Rotated: the checkpoint that follows is not cancelled.
	if err := v.Checkpoint(context.WithoutCancel(ctx)); err != nil {
		return report, fmt.Errorf("rotated, but the checkpoint that removes the old sealed items from disk failed (it will run at the next close): %w", err)
	}
	return report, nil
}

// resealHead opens the sealed items of head h with old, seals their content
// to next as one item, and returns a revision on h that uses only it.
func (v *Vault) resealHead(ctx context.Context, id string, h *Revision, old *age.HybridIdentity, next *age.HybridRecipient, now string) (revisionRecord, sealedRecord, error) {
	// Open every item as Reveal does, span numbers resolved through the
	// head's span sources: the one new item holds them as the head uses
	// them, so the rotated revision needs no sources.
	identity, secrets, err := newUnsealer(ctx, v, old).open(h)
	if err != nil {
		return revisionRecord{}, sealedRecord{}, err
	}
	payload := sealedPayload{Identity: identity, Spans: secrets}
	plain, err := json.Marshal(payload)
	if err != nil {
		return revisionRecord{}, sealedRecord{}, err
	}
	ct, err := crypto.Seal(next, plain)
	crypto.Wipe(plain)
	if err != nil {
		return revisionRecord{}, sealedRecord{}, err
	}
	sum := sha256.Sum256(ct)
	sid := hex.EncodeToString(sum[:])
	rev := &Revision{
		Interview: id, Parents: []string{h.ID}, Author: v.member.Name,
		AuthorKey: []byte(v.member.SigningKey.Public().(ed25519.PublicKey)),
		CreatedAt: now, Sealed: []string{sid}, SpanCount: h.SpanCount, Record: h.Record,
	}
	rec, err := newRevisionRecord(v.member.SigningKey, rev)
	if err != nil {
		return revisionRecord{}, sealedRecord{}, err
	}
	return rec, sealedRecord{ID: sid, Interview: id, Data: ct}, nil
}
