package vault

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

// The pinned custodian (see crypto/custodian_proof.go): meta holds the
// custodian's recipient, the public half of the vault's custodian proof key
// and its seed sealed to the custodian. A change of custodian carries the
// new pin, signed by the old proof key; apply refuses any other as damage,
// whether it comes from this vault's journal or anywhere else. Every pin the
// vault has had is kept in kv ns custodian-pins, in order, so that check can
// walk the chain of proofs from the first.

// custodianProof is the proof that travels with a change of custodian.
type custodianProof struct {
	Key    []byte `json:"key"`    // the new custodian's proof key (public)
	Sealed []byte `json:"sealed"` // its seed, sealed to the new custodian
	Sig    []byte `json:"sig"`    // by the old custodian's proof key
}

// pinRecord is one pin in the chain: the first has no signature.
type pinRecord struct {
	Recipient string `json:"recipient"`
	Key       []byte `json:"key"`
	Sealed    []byte `json:"sealed"`
	Sig       []byte `json:"sig,omitempty"`
}

// CustodianFingerprint returns the fingerprint of the vault's custodian
// recipient: what teammates compare out loud.
func (v *Vault) CustodianFingerprint() string {
	return crypto.CustodianFingerprint(v.custodian.String())
}

// CustodianFingerprint returns the fingerprint of a custodian recipient.
func CustodianFingerprint(r *age.HybridRecipient) string {
	return crypto.CustodianFingerprint(r.String())
}

// newPin makes the first pin of custodian r.
func newPin(r *age.HybridRecipient) (pinRecord, error) {
	key, sealed, err := crypto.NewCustodianProofKey(r)
	if err != nil {
		return pinRecord{}, err
	}
	return pinRecord{Recipient: r.String(), Key: key, Sealed: sealed}, nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// writePin makes p the vault's custodian and appends it to the chain.
func writePin(ctx context.Context, db execer, p pinRecord) error {
	for k, val := range map[string][]byte{
		"custodian_recipient":    []byte(p.Recipient),
		"custodian_proof_key":    p.Key,
		"custodian_proof_sealed": p.Sealed,
	} {
		if _, err := db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, val); err != nil {
			return err
		}
	}
	rec, err := json.Marshal(p)
	if err != nil {
		return err
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM kv WHERE ns = 'custodian-pins'`).Scan(&n); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO kv (ns, key, value) VALUES ('custodian-pins', ?, ?)`, fmt.Sprintf("%08d", n), rec)
	return err
}

// readPin returns the pinned custodian: recipient, proof key and sealed
// seed. A vault made before pins has none: ok is false.
func readPin(ctx context.Context, db execer) (p pinRecord, ok bool, err error) {
	var r, key, sealed []byte
	if err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'custodian_recipient'`).Scan(&r); err != nil {
		return p, false, fmt.Errorf("%w: missing setting %q", ErrDamaged, "custodian_recipient")
	}
	p.Recipient = string(r)
	err = db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'custodian_proof_key'`).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, err
	}
	if err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'custodian_proof_sealed'`).Scan(&sealed); err != nil {
		return p, false, fmt.Errorf("%w: the custodian proof key is incomplete", ErrDamaged)
	}
	if len(key) != ed25519.PublicKeySize {
		return p, false, fmt.Errorf("%w: the custodian proof key", ErrDamaged)
	}
	p.Key, p.Sealed = key, sealed
	return p, true, nil
}

// applyCustodian applies a change of custodian, after checking its proof
// against the pinned custodian. Anything else is damage: a frame or bundle
// written by whoever holds the vault key but not the custodian key.
func applyCustodian(ctx context.Context, tx *sql.Tx, ch *change) error {
	if ch.Custodian == "" || ch.CustodianProof == nil {
		return fmt.Errorf("%w: a change of custodian without proof of the pinned custodian's key", ErrDamaged)
	}
	old, ok, err := readPin(ctx, tx)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: a change of custodian in a vault whose custodian is not pinned", ErrDamaged)
	}
	if _, err := age.ParseHybridRecipient(ch.Custodian); err != nil {
		return fmt.Errorf("%w: the new custodian recipient does not parse", ErrDamaged)
	}
	pr := ch.CustodianProof
	cc := crypto.CustodianChange{Old: old.Recipient, Next: ch.Custodian, NextKey: pr.Key, NextSealed: pr.Sealed}
	if err := cc.Verify(old.Key, pr.Sig); err != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return writePin(ctx, tx, pinRecord{Recipient: ch.Custodian, Key: pr.Key, Sealed: pr.Sealed, Sig: pr.Sig})
}

// proveCustodianChange opens the pinned proof key with the old custodian
// identity and signs the change to next.
func (v *Vault) proveCustodianChange(ctx context.Context, old *age.HybridIdentity, next *age.HybridRecipient) (*custodianProof, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pin, ok, err := readPin(ctx, v.conn)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("this vault's custodian is not pinned yet; open it once for writing (any command that changes it) and try again")
	}
	if old == nil {
		return nil, ErrWrongCustodianKey
	}
	sk, err := crypto.OpenCustodianProofKey(old, pin.Sealed, pin.Key)
	if errors.Is(err, crypto.ErrWrongKey) {
		return nil, ErrWrongCustodianKey
	}
	if err != nil {
		return nil, fmt.Errorf("the custodian proof key: %w", err)
	}
	defer crypto.Wipe(sk)
	key, sealed, err := crypto.NewCustodianProofKey(next)
	if err != nil {
		return nil, err
	}
	cc := crypto.CustodianChange{Old: pin.Recipient, Next: next.String(), NextKey: key, NextSealed: sealed}
	return &custodianProof{Key: key, Sealed: sealed, Sig: cc.Sign(sk)}, nil
}

// pinLegacyCustodian pins the custodian of a vault made before pins, and
// writes a checkpoint at once: the first pin must be in the snapshot, never
// in a journal frame that anyone holding the vault key could have written.
func (v *Vault) pinLegacyCustodian() error {
	if _, ok, err := readPin(v.ctx, v.conn); err != nil || ok {
		return err
	}
	p, err := newPin(v.custodian)
	if err != nil {
		return err
	}
	if err := writePin(v.ctx, v.conn, p); err != nil {
		return err
	}
	return v.Checkpoint(v.ctx)
}

// checkPins walks the chain of custodian pins from the first: each change
// signed by the pin before it, the last the one in force.
func (v *Vault) checkPins(ctx context.Context) (bool, string) {
	cur, ok, err := readPin(ctx, v.conn)
	fp := crypto.CustodianFingerprint(cur.Recipient)
	if err != nil {
		return false, err.Error()
	}
	if !ok {
		return false, fmt.Sprintf("custodian %s is not pinned (a vault made before pins): open it once for writing to pin it", fp)
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT value FROM kv WHERE ns = 'custodian-pins' ORDER BY key`)
	if err != nil {
		return false, err.Error()
	}
	defer rows.Close()
	var prev *pinRecord
	n := 0
	for rows.Next() {
		var b []byte
		var p pinRecord
		if err := rows.Scan(&b); err != nil {
			return false, err.Error()
		}
		if err := json.Unmarshal(b, &p); err != nil {
			return false, fmt.Sprintf("custodian pin %d does not parse", n+1)
		}
		if prev != nil {
			cc := crypto.CustodianChange{Old: prev.Recipient, Next: p.Recipient, NextKey: p.Key, NextSealed: p.Sealed}
			if cc.Verify(prev.Key, p.Sig) != nil {
				return false, fmt.Sprintf("custodian change %d is not signed by the custodian before it", n)
			}
		}
		prev = &p
		n++
	}
	if prev == nil || prev.Recipient != cur.Recipient || !ed25519.PublicKey(prev.Key).Equal(ed25519.PublicKey(cur.Key)) {
		return false, fmt.Sprintf("custodian %s: the pin in force is not the last of the chain of changes", fp)
	}
	if cur.Recipient != v.custodian.String() {
		return false, "the custodian in use is not the pinned one"
	}
	switch n - 1 {
	case 0:
		return true, fmt.Sprintf("custodian %s pinned; never changed", fp)
	case 1:
		return true, fmt.Sprintf("custodian %s pinned; 1 change since, signed by the custodian before it", fp)
	}
	return true, fmt.Sprintf("custodian %s pinned; %d changes since, each signed by the custodian before it", fp, n-1)
}
