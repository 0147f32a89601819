package vault

import (
	"context"
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/journal"
)

// The custodian-swap attack (issue 10, item 1): someone who kept the vault
// key V (a coerced passphrase) appends a journal frame, encrypted to V's
// recipient, that makes their own key the custodian. Opening the vault, and
// so check, must refuse it as damage.
func TestCustodianSwapFrameIsDamage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		forge func(t *testing.T, v *Vault, attacker string) *change
	}{
		{"no proof", func(t *testing.T, v *Vault, attacker string) *change {
			return &change{Custodian: attacker}
		}},
		{"proof signed by the attacker's own key", func(t *testing.T, v *Vault, attacker string) *change {
			return forgedProof(t, attacker)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := crypto.NewIdentity()
			dir := filepath.Join(t.TempDir(), "v")
			pass := []byte("correct horse battery")
			v, err := Create(dir, CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: pass})
			if err != nil {
				t.Fatal(err)
			}
			in := Input{}
			in.Pseudonym, in.Testimony = "P1", "testimony"
			if _, err := v.Add(context.Background(), []Input{in}); err != nil {
				t.Fatal(err)
			}
			// The attacker's frame, built as the vault builds its own: no
			// rekey since the passphrase was coerced, so V gives them the
			// store key and the journal's MAC key too. Only the pinned
			// custodian stands in the way.
			attacker, _ := crypto.NewIdentity()
			ch := tc.forge(t, v, attacker.Recipient().String())
			buf, err := journal.Encode(v.journal, v.storeIdentity().Recipient(), ch)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.journal.Append(buf); err != nil {
				t.Fatal(err)
			}
			v.Close()

			for _, ro := range []bool{false, true} {
				v2, err := Open(context.Background(), dir, OpenOptions{ReadOnly: ro}, PassphraseIdentity(pass))
				if err == nil {
					got := v2.Custodian().String()
					v2.Close()
					if got == attacker.Recipient().String() {
						t.Fatalf("read-only %v: the vault opened and now seals to the attacker's key", ro)
					}
					t.Fatalf("read-only %v: the vault opened with a forged custodian change in its journal", ro)
				}
				if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "change of custodian") {
					t.Fatalf("read-only %v: %v, want ErrDamaged for the change of custodian", ro, err)
				}
			}
		})
	}
}

// forgedProof is a change of custodian to attacker with a well-formed proof
// signed by a key of the attacker's own.
func forgedProof(t *testing.T, attacker string) *change {
	t.Helper()
	r, err := crypto.ParseRecipient(attacker)
	if err != nil {
		t.Fatal(err)
	}
	key, sealed, err := crypto.NewCustodianProofKey(r)
	if err != nil {
		t.Fatal(err)
	}
	_, own, _ := ed25519.GenerateKey(nil)
	cc := crypto.CustodianChange{Next: attacker, NextKey: key, NextSealed: sealed}
	return &change{Custodian: attacker, CustodianProof: &custodianProof{Key: key, Sealed: sealed, Sig: cc.Sign(own)}}
}
