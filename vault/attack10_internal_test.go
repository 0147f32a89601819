package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/bundlefmt"
)

// Attack (issue 10, review): a teammate hands her key over and back, M → M2
// → M, the second statement signed by M2 (her current key) and by M, which
// she kept. Nothing forbids a hand-over to a key that a stored statement
// retired, so Bob stores a loop of statements: every later look-up of
// either key's successor walks maxKeyChanges statements and ends in
// "member key changes form a loop" (damage), and the rule "a retired key
// never signs again" is undone: M, retired, is Mallory's key once more.
func TestAttackKeyChangeLoop(t *testing.T) {
	ctx := context.Background()
	c, _ := crypto.NewIdentity()
	mk := func(name string) *Vault {
		v, err := Create(filepath.Join(t.TempDir(), name), CreateOptions{Name: name, Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v.Close() })
		return v
	}
	m, b := mk("mallory"), mk("bob")
	for _, p := range [][2]*Vault{{m, b}, {b, m}} {
		card, _, _ := p[1].Card()
		if _, err := p[0].AddMember(card); err != nil {
			t.Fatal(err)
		}
	}
	exportTo := func(v *Vault) []byte {
		var buf bytes.Buffer
		if _, err := v.Export(ctx, &buf, ExportOptions{To: []string{"bob"}}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	if _, err := m.Add(ctx, []Input{shareableInternal("M1", "signed with M")}); err != nil {
		t.Fatal(err)
	}
	first := member{Name: m.member.Name, Identity: m.member.Identity,
		SigningKey: ed25519.NewKeyFromSeed(m.member.SigningKey.Seed())} // RotateMemberKey wipes its own copy
	if _, err := m.RotateMemberKey(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Add(ctx, []Input{shareableInternal("M2", "signed with M2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Import(ctx, bytes.NewReader(exportTo(m))); err != nil {
		t.Fatal(err)
	}

	// M2 → M: signed by the current key and by the retired one.
	cardData, err := crypto.MarshalCard(&crypto.Card{Name: first.Name, Recipient: first.Identity.Recipient().String(),
		SigningKey: first.SigningKey.Public().(ed25519.PublicKey)}, first.SigningKey)
	if err != nil {
		t.Fatal(err)
	}
	m2 := m.member.SigningKey.Public().(ed25519.PublicKey)
	st, _ := json.Marshal(keyChangeStatement{Member: first.Name, OldRecipient: m.member.Identity.Recipient().String(),
		OldSigningKey: m2, NewCard: cardData, ChangedAt: time.Now().UTC().Format(time.RFC3339Nano)})
	signed := append([]byte(keyChangeDomain), st...)
	rec := bundlefmt.KeyChange{Statement: st, OldSig: ed25519.Sign(m.member.SigningKey, signed), NewSig: ed25519.Sign(first.SigningKey, signed)}
	value, _ := json.Marshal(rec)
	if err := m.commit(&change{KV: []kvRecord{{NS: kvKeyChanges, Key: hex.EncodeToString(m2), Value: value}}}); err != nil {
		t.Fatal(err)
	}
	m.member = first // signs with M again
	_, err = b.Import(ctx, bytes.NewReader(exportTo(m)))
	if err != nil {
		if !errors.Is(err, ErrKeyConflict) {
			t.Fatalf("a hand-over back to a retired key: %v, want ErrKeyConflict", err)
		}
		return // refused: the attack fails
	}
	// Taken. The loop is stored: a look-up of M2's successor is damage.
	start := time.Now()
	_, _, serr := b.successor(ctx, m2)
	t.Fatalf("a hand-over back to a retired key was accepted; bob now looks up M2's successor in %v: %v", time.Since(start), serr)
}

func shareableInternal(pseudonym, testimony string) Input {
	in := textInput(pseudonym, testimony)
	in.Consent.Share = true
	return in
}
