package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"filippo.io/age"
	"github.com/tvault/tvault/internal/bundlefmt"
)

// Importing member key changes (keychange.go has the rules).

// keyOverlay is the roster as an import sees it: the stored roster with the
// key changes that the bundle brings applied. It lives for one import.
type keyOverlay struct {
	// current maps a new signing key (hex) to its member, for members whose
	// key this bundle changes.
	current map[string]overlayMember
	// retired holds the old signing keys (hex) that this bundle retires.
	retired map[string]*keyChange
	// changes are the statements to store, in the order applied.
	changes []*keyChange
	// signer is the bundle's signing key, once checkSigner accepted it.
	signer []byte
}

type overlayMember struct {
	name, recipient, key string
	card                 []byte
}

// multiIdentity is this member's current identity, then the retired ones:
// the first that unwraps a bundle opens it.
type multiIdentity struct {
	ids  []age.Identity
	used int
}

func (m *multiIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for i, id := range m.ids {
		key, err := id.Unwrap(stanzas)
		if err == nil {
			m.used = i
			return key, nil
		}
		if !errors.Is(err, age.ErrIncorrectIdentity) {
			return nil, err
		}
	}
	return nil, age.ErrIncorrectIdentity
}

// bundleIdentity returns the identity that decrypts bundles sent to this
// member: the current key, then the retired ones. After the import,
// fromOldRecipient reports whether a retired one opened it.
func (v *Vault) bundleIdentity(ctx context.Context) (id age.Identity, fromOldRecipient func() bool) {
	m := &multiIdentity{ids: []age.Identity{v.member.Identity}}
	retired, _ := v.retiredIdentities(ctx)
	for _, r := range retired {
		m.ids = append(m.ids, r)
	}
	return m, func() bool { return m.used > 0 }
}

// addressedToMe reports whether recipients names this member's current or a
// retired recipient.
func (v *Vault) addressedToMe(ctx context.Context, recipients []string) bool {
	if slices.Contains(recipients, v.member.Identity.Recipient().String()) {
		return true
	}
	retired, _ := v.retiredIdentities(ctx)
	for _, r := range retired {
		if slices.Contains(recipients, r.Recipient().String()) {
			return true
		}
	}
	return false
}

// takeKeyChanges verifies the key changes a bundle carries and sets v.keys
// to the overlay that applies those about members on the roster. Statements
// about people this vault does not know are ignored; a statement that does
// not verify, or that conflicts with one this vault holds, refuses the
// bundle. Names in its errors come from the bundle: they are escaped.
func (v *Vault) takeKeyChanges(ctx context.Context, body *bundlefmt.Body) (*keyOverlay, error) {
	ov := &keyOverlay{current: map[string]overlayMember{}, retired: map[string]*keyChange{}}
	// memberByKey sees the overlay from now on, so that a chain applies;
	// the caller clears v.keys when the import ends.
	v.keys = ov
	if len(body.KeyChanges) > maxKeyChanges {
		return nil, fmt.Errorf("%w: the bundle carries %d member key changes (at most %d)", ErrDamaged, len(body.KeyChanges), maxKeyChanges)
	}
	pending := make([]*keyChange, 0, len(body.KeyChanges))
	for _, rec := range body.KeyChanges {
		k, err := verifyKeyChange(rec)
		if err != nil {
			return nil, err
		}
		pending = append(pending, k)
	}
	own := hex.EncodeToString(v.member.SigningKey.Public().(ed25519.PublicKey))
	done := make([]bool, len(pending))
	// Rounds, so that a chain (A → A′ → A″) applies in any order.
	for progress := true; progress; {
		progress = false
		for i, k := range pending {
			if done[i] {
				continue
			}
			old := k.oldKey()
			stored, err := v.storedKeyChange(ctx, old)
			if err != nil {
				return nil, err
			}
			if stored == nil {
				stored = ov.retired[old]
			}
			if stored != nil {
				if !bytes.Equal(stored.rec.Statement, k.rec.Statement) {
					return nil, fmt.Errorf("%w: %s's old member key (fingerprint %s) was handed over twice, to two different keys (fingerprints %s and %s): whoever holds the old key made one of them; ask %s which new fingerprint is theirs, out loud",
						ErrKeyConflict, Escape(k.st.Member), k.report().OldFingerprint, stored.card.Fingerprint(), k.card.Fingerprint(), Escape(k.st.Member))
				}
				done[i], progress = true, true
				continue
			}
			if old == own {
				return nil, fmt.Errorf("%w: the bundle hands your own member key over to another key (fingerprint %s) that this vault did not make: whoever made it holds your key; rotate it yourself ('tvault whoami --rotate') and tell your teammates",
					ErrKeyConflict, k.card.Fingerprint())
			}
			name, recipient, err := v.memberByKey(ctx, k.st.OldSigningKey)
			if err != nil {
				return nil, err
			}
			if name == "" {
				continue // not about anyone on this roster (yet)
			}
			if name != k.st.Member || recipient != k.st.OldRecipient {
				return nil, fmt.Errorf("%w: a member key change of %q does not match the roster's entry for that key", ErrDamaged, k.st.Member)
			}
			if n, _, err := v.memberByKey(ctx, k.card.SigningKey); err != nil || n != "" || k.newKey() == own {
				if err != nil {
					return nil, err
				}
				return nil, fmt.Errorf("%w: a member key change of %q hands over to a key already in use", ErrDamaged, k.st.Member)
			}
			// Nor to a retired key: a retired key never signs again, and a
			// loop of statements would make every look-up damage.
			if back, err := v.storedKeyChange(ctx, k.newKey()); err != nil || back != nil || ov.retired[k.newKey()] != nil {
				if err != nil {
					return nil, err
				}
				return nil, fmt.Errorf("%w: a member key change of %s hands back over to a retired key (fingerprint %s)",
					ErrKeyConflict, Escape(k.st.Member), k.card.Fingerprint())
			}
			ov.retired[old] = k
			ov.current[k.newKey()] = overlayMember{name: name, recipient: k.card.Recipient, key: k.newKey(), card: k.st.NewCard}
			ov.changes = append(ov.changes, k)
			done[i], progress = true, true
		}
	}
	return ov, nil
}

// overlayMemberByKey answers memberByKey during an import: ok is false when
// the overlay has nothing to say about key.
func (ov *keyOverlay) memberByKey(key []byte) (name, recipient string, ok bool) {
	if ov == nil {
		return "", "", false
	}
	h := hex.EncodeToString(key)
	if ov.retired[h] != nil {
		return "", "", true // retired by this bundle: off the roster now
	}
	if m, found := ov.current[h]; found {
		return m.name, m.recipient, true
	}
	return "", "", false
}

// retiredAuthor answers authorName for a key not on the roster: if it is a
// retired key of a member whose current key signed the bundle being
// imported (or of this member, in a bundle this member signed), it returns
// the member's name (outside an import, the name marked as a retired key);
// if it is retired otherwise, an error wrapping ErrRetiredKey; and
// errOffRoster if it was never a member's.
func (v *Vault) retiredAuthor(ctx context.Context, key []byte) (string, error) {
	k, cur, err := v.successor(ctx, key)
	if err != nil {
		return "", err
	}
	if k == nil {
		return "", errOffRoster
	}
	if v.keys == nil {
		// Not an import: history shown, where it is the member's.
		return k.st.Member + " (retired key)", nil
	}
	if v.keys.signer != nil && hex.EncodeToString(v.keys.signer) == cur {
		return k.st.Member, nil
	}
	return "", fmt.Errorf("%w: it holds items signed with %s's retired member key (fingerprint %s, replaced %s) that this vault does not have: only a bundle signed by %s's current key may bring them",
		ErrRetiredKey, Escape(k.st.Member), k.report().OldFingerprint, k.st.ChangedAt, Escape(k.st.Member))
}

// successor returns the statement that retired key, if any, and the key at
// the end of its chain (hex): the member's current key.
func (v *Vault) successor(ctx context.Context, key []byte) (*keyChange, string, error) {
	var first *keyChange
	h := hex.EncodeToString(key)
	seen := map[string]bool{}
	for range maxKeyChanges {
		if seen[h] {
			break // a loop, stored before hand-overs to retired keys were refused
		}
		seen[h] = true
		var k *keyChange
		if v.keys != nil {
			k = v.keys.retired[h]
		}
		if k == nil {
			var err error
			if k, err = v.storedKeyChange(ctx, h); err != nil {
				return nil, "", err
			}
		}
		if k == nil {
			return first, h, nil
		}
		if first == nil {
			first = k
		}
		h = k.newKey()
	}
	return nil, "", fmt.Errorf("%w: member key changes form a loop", ErrDamaged)
}

// retiredSigner returns an error wrapping ErrRetiredKey if key, which signed
// a bundle and is not on the roster, is a member's retired key.
func (v *Vault) retiredSigner(ctx context.Context, key []byte) error {
	k, _, err := v.successor(ctx, key)
	if err != nil || k == nil {
		return err
	}
	return fmt.Errorf("%w: the bundle is signed with %s's retired member key (fingerprint %s, replaced %s): an old bundle, or one made by whoever holds that key; ask %s for a new one",
		ErrRetiredKey, Escape(k.st.Member), k.report().OldFingerprint, k.st.ChangedAt, Escape(k.st.Member))
}

// knownTombstone reports whether the vault holds this very tombstone.
func (v *Vault) knownTombstone(ctx context.Context, r tombstoneRecord) bool {
	var known bool
	err := v.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tombstones WHERE body = ? AND sig = ?)`, []byte(r.Body), r.Sig).Scan(&known)
	return err == nil && known
}

// applyKeyChanges adds what the overlay changes to ch: each member's new
// card on the roster, the statements, and the peer audit head under the new
// fingerprint. It fills report.KeyChanges.
func (v *Vault) applyKeyChanges(ctx context.Context, ch *change, report *ImportReport) error {
	ov := v.keys
	if ov == nil || len(ov.changes) == 0 {
		return nil
	}
	final := map[string]overlayMember{}
	for _, m := range ov.current {
		if ov.retired[m.key] == nil {
			final[m.name] = m
		}
	}
	moved := map[string][]byte{}
	for _, k := range ov.changes {
		value, err := json.Marshal(k.rec)
		if err != nil {
			return err
		}
		ch.KV = append(ch.KV, kvRecord{NS: kvKeyChanges, Key: k.oldKey(), Value: value})
		r := k.report()
		report.KeyChanges = append(report.KeyChanges, r)
		// The audit head seen from this member moves to the new
		// fingerprint, so that a shorter log is still noticed.
		mark, ok := moved[r.OldFingerprint] // along a chain
		if !ok {
			err = v.conn.QueryRowContext(ctx, `SELECT value FROM kv WHERE ns = 'peer-audit' AND key = ?`, r.OldFingerprint).Scan(&mark)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if mark != nil {
			moved[r.NewFingerprint] = mark
			ch.KV = append(ch.KV, kvRecord{NS: "peer-audit", Key: r.NewFingerprint, Value: mark})
		}
	}
	for name, m := range final {
		var added string
		if err := v.conn.QueryRowContext(ctx, `SELECT added_at FROM team WHERE name = ?`, name).Scan(&added); err != nil {
			return err
		}
		ch.Team = append(ch.Team, teamRecord{Name: name, Card: m.card, AddedAt: added})
	}
	return nil
}

// keyChangeDetails is what the import's audit event says of key changes.
func keyChangeDetails(report *ImportReport) string {
	var parts []string
	for _, k := range report.KeyChanges {
		parts = append(parts, fmt.Sprintf("; key of %s changed from fingerprint %s to %s", k.Member, k.OldFingerprint, k.NewFingerprint))
	}
	return strings.Join(parts, "")
}
