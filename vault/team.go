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
	"time"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/bundlefmt"
	"github.com/tvault/tvault/internal/fsx"
)

// Member is a teammate on the roster.
type Member struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	Recipient   string `json:"recipient"`
	AddedAt     string `json:"added_at"`
}

// What a file is, by its first bytes, for saying so when a card is given
// where a bundle is expected, or the reverse.
const (
	FileCard         = "a member card"
	FileBundle       = "a bundle"
	FileCustodianKey = "a passphrase-protected key (such as a custodian key)"
)

// FileKind returns FileCard, FileBundle or FileCustodianKey if head, the
// start of a file (its first 512 bytes are enough), looks like one, or ""
// if it looks like none. It checks nothing else: a bundle is an age file
// to recipients, a custodian key an age file to a passphrase.
func FileKind(head []byte) string {
	head = bytes.TrimLeft(head, " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("-----BEGIN TVAULT MEMBER CARD-----")):
		return FileCard
	case bytes.HasPrefix(head, []byte("age-encryption.org/v1\n")):
		if bytes.Contains(head, []byte("\n-> scrypt ")) {
			return FileCustodianKey
		}
		return FileBundle
	case bytes.HasPrefix(head, []byte(bundlefmt.Magic)), bytes.HasPrefix(head, []byte(bundlefmt.MagicV2)), bytes.HasPrefix(head, []byte(bundlefmt.MagicV1)):
		return FileBundle
	}
	return ""
}

// AlreadyMember is what the CLI and the terminal UI say when a card is on
// the roster already ([ErrAlreadyMember]).
func AlreadyMember(name string) string {
	return name + " is already on the roster with this card: nothing was changed."
}

// NothingNewFrom is what the CLI and the terminal UI say when a bundle
// brings nothing this vault does not have.
func NothingNewFrom(signer, fingerprint string) string {
	return fmt.Sprintf("Nothing new from %s (fingerprint %s): this vault already had all of it.", signer, fingerprint)
}

// OnRoster reports whether card c is on the roster already, with the same
// keys. A vault that cannot be read (closed, or broken) has no roster.
func (v *Vault) OnRoster(c *crypto.Card) bool {
	if v.ready() != nil {
		return false
	}
	var key []byte
	err := v.conn.QueryRowContext(v.ctx, `SELECT signing_key FROM team WHERE name = ?`, c.Name).Scan(&key)
	return err == nil && bytes.Equal(key, c.SigningKey)
}

// Card returns this member's card, to give to teammates.
func (v *Vault) Card() ([]byte, *crypto.Card, error) {
	c := &crypto.Card{
		Name:       v.member.Name,
		Recipient:  v.member.Identity.Recipient().String(),
		SigningKey: v.member.SigningKey.Public().(ed25519.PublicKey),
	}
	data, err := crypto.MarshalCard(c, v.member.SigningKey)
	return data, c, err
}

// WriteCard writes this member's card to a new file at path, which it
// never replaces, and returns the card.
func (v *Vault) WriteCard(path string) (*crypto.Card, error) {
	data, c, err := v.Card()
	if err != nil {
		return nil, err
	}
	if err := fsx.WriteFileExclusive(path, data); err != nil {
		return nil, err
	}
	return c, nil
}

// ParseCard parses and verifies a card, and checks it can join the roster.
func (v *Vault) ParseCard(data []byte) (*crypto.Card, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	c, err := crypto.ParseCard(data)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(c.SigningKey, v.member.SigningKey.Public().(ed25519.PublicKey)) {
		return nil, ErrOwnCard
	}
	// A key that a rotation retired is held by whoever the member rotated
	// away from: never on the roster again.
	k, _, err := v.successor(v.ctx, c.SigningKey)
	if err != nil {
		return nil, err
	}
	if k != nil {
		return nil, fmt.Errorf("%w: this card holds %s's member key that was replaced %s (fingerprint %s); ask %s for their current card and compare its fingerprint out loud",
			ErrRetiredKey, Escape(k.st.Member), k.st.ChangedAt, k.report().OldFingerprint, Escape(k.st.Member))
	}
	var key []byte
	err = v.conn.QueryRowContext(v.ctx, `SELECT signing_key FROM team WHERE name = ?`, c.Name).Scan(&key)
	if err == nil && !bytes.Equal(key, c.SigningKey) {
		return nil, fmt.Errorf("%w: %q", ErrMemberExists, c.Name)
	}
	return c, nil
}

// AddMember puts a verified card on the roster: its bundles are accepted
// from now on.
func (v *Vault) AddMember(data []byte) (*crypto.Card, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	c, err := v.ParseCard(data)
	if err != nil {
		return nil, err
	}
	if v.OnRoster(c) {
		return c, fmt.Errorf("%q is %w", c.Name, ErrAlreadyMember)
	}
	disowned, err := v.disownedKeyChanges(v.ctx, c)
	if err != nil {
		return nil, err
	}
	details := "fingerprint " + c.Fingerprint()
	if len(disowned) > 0 {
		details += fmt.Sprintf("; %d hand-overs of this member's key to other keys set aside", len(disowned))
	}
	err = v.commit(&change{Team: []teamRecord{{Name: c.Name, Card: data, AddedAt: v.Now().UTC().Format(time.RFC3339)}},
		KV: disowned, Audit: v.event(EventTeamAdd, c.Name, details)})
	return c, err
}

// disownedKeyChanges returns the removal of every stored hand-over of
// member c.Name's keys whose chain does not lead to c's key, and whose new
// key is not on the roster: adding a card is the user's word, checked out
// loud, on which key is the member's, so a hand-over to another key (a key
// thief's, which a teammate's bundle told this vault first) must not keep
// refusing the real one's statements for ever.
func (v *Vault) disownedKeyChanges(ctx context.Context, c *crypto.Card) ([]kvRecord, error) {
	recs, err := v.keyChanges(ctx)
	if err != nil {
		return nil, err
	}
	target := hex.EncodeToString(c.SigningKey)
	var out []kvRecord
	for _, rec := range recs {
		k, err := verifyKeyChange(rec)
		if err != nil || k.st.Member != c.Name {
			continue
		}
		// Follow the chain from this hand-over's new key.
		leads := false
		key := k.newKey()
		for range maxKeyChanges {
			if key == target {
				leads = true
				break
			}
			next, err := v.storedKeyChange(ctx, key)
			if err != nil {
				return nil, err
			}
			if next == nil {
				break
			}
			key = next.newKey()
		}
		if leads {
			continue
		}
		if name, _, err := v.memberByKey(ctx, k.card.SigningKey); err != nil || name != "" {
			if err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, kvRecord{NS: kvKeyChanges, Key: k.oldKey(), Delete: true})
	}
	return out, nil
}

// RemoveMember takes a member off the roster.
func (v *Vault) RemoveMember(name string) error {
	if err := v.ready(); err != nil {
		return err
	}
	var n int
	v.conn.QueryRowContext(v.ctx, `SELECT count(*) FROM team WHERE name = ?`, name).Scan(&n)
	if n == 0 {
		return fmt.Errorf("%w: %q", ErrNoMember, name)
	}
	// The member's signing key is remembered (removedMemberNS), as a
	// retired key is: what they signed while on the roster (a redaction)
	// still verifies in check, and is still taken when a teammate's
	// bundle carries it again; nothing new of theirs is.
	var key []byte
	if err := v.conn.QueryRowContext(v.ctx, `SELECT signing_key FROM team WHERE name = ?`, name).Scan(&key); err != nil {
		return err
	}
	gone, err := json.Marshal(removedMember{Name: name, RemovedAt: v.Now().UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return err
	}
	ch := &change{Team: []teamRecord{{Name: name, Remove: true}}, Audit: v.event(EventTeamRemove, name, ""),
		KV: []kvRecord{{NS: removedMemberNS, Key: hex.EncodeToString(key), Value: gone}}}
	if err := v.commit(ch); err != nil {
		return err
	}
	// Ending trust must not be undone by cutting the journal back, which
	// anyone who can write to the folder can do: the checkpoint retires
	// the generation whose journal holds the removal.
	if err := v.Checkpoint(v.ctx); err != nil {
		return fmt.Errorf("%q is off the roster, but the checkpoint that makes it final failed (it will run at the next close): %w", name, err)
	}
	return nil
}

// Team returns the roster, by name.
func (v *Vault) Team() ([]Member, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	rows, err := v.conn.QueryContext(v.ctx, `SELECT name, recipient, signing_key, added_at FROM team ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		var key []byte
		if err := rows.Scan(&m.Name, &m.Recipient, &key, &m.AddedAt); err != nil {
			return nil, err
		}
		m.Fingerprint = crypto.Fingerprint(m.Recipient, key)
		out = append(out, m)
	}
	return out, rows.Err()
}

// memberByKey returns the roster name of a signing key, or "" if it is not
// on the roster.
func (v *Vault) memberByKey(ctx context.Context, key []byte) (name, recipient string, err error) {
	if name, recipient, ok := v.keys.memberByKey(key); ok {
		return name, recipient, nil // an import's key changes (keychange_import.go)
	}
	err = v.conn.QueryRowContext(ctx, `SELECT name, recipient FROM team WHERE signing_key = ?`, key).Scan(&name, &recipient)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return name, recipient, err
}

// removedMemberNS is the kv namespace of the signing keys of members this
// vault took off its roster, keyed by the hex key.
const removedMemberNS = "removed-member"

type removedMember struct {
	Name      string `json:"name"`
	RemovedAt string `json:"removed_at"`
}

// removedMemberName returns the name of the member whose signing key this
// was when this vault removed them from its roster, or "".
func (v *Vault) removedMemberName(ctx context.Context, key []byte) (string, error) {
	var b []byte
	err := v.conn.QueryRowContext(ctx, `SELECT value FROM kv WHERE ns = ? AND key = ?`, removedMemberNS, hex.EncodeToString(key)).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var m removedMember
	if json.Unmarshal(b, &m) != nil || m.Name == "" {
		return "", fmt.Errorf("%w: a removed member's record", ErrDamaged)
	}
	return m.Name, nil
}
