package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/bundlefmt"
)

// Member key rotation.
//
// After a compromise a member replaces their member key (the age identity
// that receives bundles and the Ed25519 key that signs) with
// [Vault.RotateMemberKey]. The rotation is a statement naming the member, the
// old recipient and signing key, the new card and a time, signed by the old
// signing key (this is the member who was on your roster) and by the new one
// (whoever made it holds the new key). The vault keeps every statement it
// knows in kv namespace key-changes, under the hex of the old signing key,
// and every bundle carries them ([bundlefmt.Body.KeyChanges]); an importer
// whose roster holds the old key swaps the member's keys and says so.
//
// The rules, which the tests hold to:
//   - A statement's old key must be the roster's key of that member (or the
//     new key of a statement before it, for a chain), both signatures must
//     verify and the new card must be the same member's.
//   - One old key hands over once. A second, different statement from the
//     same old key is refused, the bundle with it: only someone holding the
//     old key could make one of the two, and people must find out which.
//     A statement that rotates this vault's own key, made elsewhere, is
//     refused the same way.
//   - Whoever holds a retired key can still sign, and can backdate what
//     they sign. So a revision or tombstone signed with a retired key is
//     accepted only if this vault has it already, or if the bundle is signed
//     by the member's current key (the member vouches for what they signed
//     before the rotation); a bundle signed with a retired key is refused.
//   - The old signing key is destroyed: the checkpoint that makes the
//     rotation durable crypto-erases the generation that held it. The old
//     age identity is kept, to decrypt only, for bundles that teammates
//     address to the old recipient until they learn the new one; it never
//     encrypts or signs anything. docs/THREAT-MODEL.md says why.

// Audit events of key rotations.
const (
	// EventMemberKeyRotated is this member's own rotation.
	EventMemberKeyRotated = "member-key-rotated"
)

const (
	keyChangeDomain = "tvault key change v1\n"
	kvKeyChanges    = "key-changes"
	metaRetiredIDs  = "member_retired_identities"
	// maxKeyChanges bounds the statements one bundle may carry.
	maxKeyChanges = 10000
)

// KeyChange is a member key rotation, as reports show it.
type KeyChange struct {
	Member         string `json:"member"`
	OldFingerprint string `json:"old_fingerprint"`
	NewFingerprint string `json:"new_fingerprint"`
	ChangedAt      string `json:"changed_at"`
}

// CompareOutLoud is what the CLI says of a teammate's key change that an
// import applied. The name is escaped.
func CompareOutLoud(k KeyChange) string {
	k.Member = Escape(k.Member)
	return fmt.Sprintf("%s's member key changed (old fingerprint %s). Compare the new fingerprint with %s out loud, in person or by a call you trust: %s",
		k.Member, k.OldFingerprint, k.Member, k.NewFingerprint)
}

// keyChangeStatement is what a key change's statement holds.
type keyChangeStatement struct {
	Member        string `json:"member"`
	OldRecipient  string `json:"old_recipient"`
	OldSigningKey []byte `json:"old_signing_key"`
	// NewCard is the member's new card, self-signed by the new key.
	NewCard   []byte `json:"new_card"`
	ChangedAt string `json:"changed_at"`
}

// keyChange is a statement that verified.
type keyChange struct {
	st   keyChangeStatement
	card *crypto.Card
	rec  bundlefmt.KeyChange
}

func (k *keyChange) oldKey() string { return hex.EncodeToString(k.st.OldSigningKey) }
func (k *keyChange) newKey() string { return hex.EncodeToString(k.card.SigningKey) }

func (k *keyChange) report() KeyChange {
	return KeyChange{Member: k.st.Member, OldFingerprint: crypto.Fingerprint(k.st.OldRecipient, k.st.OldSigningKey),
		NewFingerprint: k.card.Fingerprint(), ChangedAt: k.st.ChangedAt}
}

// verifyKeyChange checks a statement's form and both signatures.
func verifyKeyChange(rec bundlefmt.KeyChange) (*keyChange, error) {
	bad := func(why string) error { return fmt.Errorf("%w: a member key change %s", ErrDamaged, why) }
	k := &keyChange{rec: rec}
	if err := json.Unmarshal(rec.Statement, &k.st); err != nil {
		return nil, bad("does not parse")
	}
	if len(k.st.OldSigningKey) != ed25519.PublicKeySize {
		return nil, bad("has a malformed old key")
	}
	signed := append([]byte(keyChangeDomain), rec.Statement...)
	if !ed25519.Verify(k.st.OldSigningKey, signed, rec.OldSig) {
		return nil, bad("is not signed by the old key")
	}
	card, err := crypto.ParseCard(k.st.NewCard)
	if err != nil {
		return nil, bad("holds a new card that does not verify")
	}
	if !ed25519.Verify(card.SigningKey, signed, rec.NewSig) {
		return nil, bad("is not signed by the new key")
	}
	if card.Name != k.st.Member || bytes.Equal(card.SigningKey, k.st.OldSigningKey) || card.Recipient == k.st.OldRecipient {
		return nil, bad("does not change this member's keys")
	}
	if _, err := time.Parse(time.RFC3339Nano, k.st.ChangedAt); err != nil {
		return nil, bad("has a malformed time")
	}
	k.card = card
	return k, nil
}

// RotateMemberKey replaces this member's key with a new one, after a
// compromise, and returns the change, for the user to read the new
// fingerprint to teammates. Revisions, tombstones, audit events and bundles
// are signed with the new key from now on, and every bundle carries the
// statement that hands over from the old key. The old signing key is wiped
// and the store generation that held it crypto-erased; the old age identity
// is kept to decrypt bundles sent to it (see the package's notes above).
//
// It does not replace the vault key: whoever coerced the passphrase still
// holds that one, so a compromise calls for [Vault.Rekey] too.
func (v *Vault) RotateMemberKey(ctx context.Context) (*KeyChange, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	if err := v.writable(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	old := v.member
	next, err := newMember(old.Name)
	if err != nil {
		return nil, err
	}
	card := &crypto.Card{Name: next.Name, Recipient: next.Identity.Recipient().String(),
		SigningKey: next.SigningKey.Public().(ed25519.PublicKey)}
	cardData, err := crypto.MarshalCard(card, next.SigningKey)
	if err != nil {
		return nil, err
	}
	oldPub := old.SigningKey.Public().(ed25519.PublicKey)
	st, err := json.Marshal(keyChangeStatement{Member: old.Name, OldRecipient: old.Identity.Recipient().String(),
		OldSigningKey: oldPub, NewCard: cardData, ChangedAt: v.Now().UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return nil, err
	}
	signed := append([]byte(keyChangeDomain), st...)
	rec := bundlefmt.KeyChange{Statement: st, OldSig: ed25519.Sign(old.SigningKey, signed), NewSig: ed25519.Sign(next.SigningKey, signed)}
	k, err := verifyKeyChange(rec)
	if err != nil {
		return nil, err
	}
	value, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	retired, err := v.retiredIdentities(ctx)
	if err != nil {
		return nil, err
	}
	// The old identity is kept to decrypt only: age prints it as a string,
	// a copy that cannot be wiped.
	retiredText := []byte(old.Identity.String())
	for _, id := range retired {
		retiredText = append(retiredText, "\n"+id.String()...)
	}
	defer crypto.Wipe(retiredText)
	seed := next.SigningKey.Seed()
	defer crypto.Wipe(seed)
	ident := []byte(next.Identity.String())
	defer crypto.Wipe(ident)

	// From here on it finishes: the checkpoint is the moment it happens.
	ctx = context.WithoutCancel(ctx)
	rep := k.report()
	v.member = next
	recs, err := v.newEvents(ctx, Event{Kind: EventMemberKeyRotated, Subject: old.Name,
		Details: fmt.Sprintf("fingerprint %s replaced by %s", rep.OldFingerprint, rep.NewFingerprint)})
	if err == nil {
		err = v.applyInMemory(ctx, &change{KV: []kvRecord{{NS: kvKeyChanges, Key: k.oldKey(), Value: value}}, Audit: recs})
	}
	for _, m := range []struct {
		key   string
		value []byte
	}{{"member_signing_key", seed}, {"member_identity", ident}, {metaRetiredIDs, retiredText}} {
		if err == nil {
			err = v.setMeta(ctx, m.key, m.value)
		}
	}
	if err == nil {
		err = v.Checkpoint(ctx)
	}
	if err != nil {
		v.member = old
		// Nothing reached the disk's vault.age: memory goes back to it.
		if rerr := v.reload(); rerr != nil {
			v.broken = fmt.Errorf("a key rotation failed (%v) and the vault could not be reloaded (%v); close and reopen it", err, rerr)
		}
		return nil, fmt.Errorf("failed to rotate the member key; nothing changed: %w", err)
	}
	// The old signing key is gone from the disk with its generation; this
	// copy goes now.
	crypto.Wipe(old.SigningKey)
	return &rep, nil
}

// retiredIdentities returns this member's retired age identities, newest
// first: kept to decrypt bundles sent to an old recipient.
func (v *Vault) retiredIdentities(ctx context.Context) ([]*age.HybridIdentity, error) {
	var b []byte
	if err := v.conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaRetiredIDs).Scan(&b); err != nil {
		return nil, nil // none
	}
	defer crypto.Wipe(b)
	var out []*age.HybridIdentity
	for line := range strings.Lines(string(b)) {
		id, err := age.ParseHybridIdentity(strings.TrimSpace(line))
		if err != nil {
			return nil, fmt.Errorf("%w: a retired member identity", ErrDamaged)
		}
		out = append(out, id)
	}
	return out, nil
}

// storedKeyChange returns the statement this vault holds for the old signing
// key (hex), if any.
func (v *Vault) storedKeyChange(ctx context.Context, oldKey string) (*keyChange, error) {
	var b []byte
	err := v.conn.QueryRowContext(ctx, `SELECT value FROM kv WHERE ns = ? AND key = ?`, kvKeyChanges, oldKey).Scan(&b)
	if err != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, nil
	}
	var rec bundlefmt.KeyChange
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("%w: a stored member key change", ErrDamaged)
	}
	return verifyKeyChange(rec)
}

// keyChanges returns every statement this vault holds, for bundles.
func (v *Vault) keyChanges(ctx context.Context) ([]bundlefmt.KeyChange, error) {
	rows, err := v.conn.QueryContext(ctx, `SELECT value FROM kv WHERE ns = ? ORDER BY key`, kvKeyChanges)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bundlefmt.KeyChange
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var rec bundlefmt.KeyChange
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("%w: a stored member key change", ErrDamaged)
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// ownKeys returns this member's signing keys, current and retired (hex),
// and for each key that replaced another, the key it replaced.
func (v *Vault) ownKeys(ctx context.Context) (mine map[string]bool, replaced map[string]string, err error) {
	cur := hex.EncodeToString(v.member.SigningKey.Public().(ed25519.PublicKey))
	prev := map[string]string{} // new key → old key, of every statement
	recs, err := v.keyChanges(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, rec := range recs {
		k, err := verifyKeyChange(rec)
		if err != nil {
			return nil, nil, err
		}
		prev[k.newKey()] = k.oldKey()
	}
	mine, replaced = map[string]bool{cur: true}, map[string]string{}
	for k := cur; prev[k] != "" && !mine[prev[k]]; k = prev[k] {
		mine[prev[k]] = true
		replaced[k] = prev[k]
	}
	return mine, replaced, nil
}
