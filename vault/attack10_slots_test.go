package vault_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// Attack (issue 10, review): the bound on a slot's work factor is per slot,
// and nothing bounds the number of slots. Whoever can write to the vault
// folder copies one slot of their own, at tvault's 2^18, seventeen times
// into keys/ under names that sort first: every unlock runs seventeen
// scrypts before it reaches the real slot (three planted 2^20 slots cost
// 39 s here, on a loaded machine). The planted 2^22 slot, in
// pieces. The total work must be bounded before any is done.
func TestAttackManyPlantedSlots(t *testing.T) {
	if testing.Short() {
		t.Skip("scrypt at 2^18")
	}
	v, _ := MustCreate(t)
	dir := v.Dir()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	restore := crypto.SetScryptWorkFactorForTesting(crypto.DefaultScryptWorkFactor)
	other, _ := crypto.NewIdentity()
	slot, err := crypto.SealSlot(other, []byte("the adversary's own passphrase"), time.Now())
	restore()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 17 {
		if err := os.WriteFile(filepath.Join(dir, "keys", fmt.Sprintf("a-%02d.age", i)), slot, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	o, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	took := time.Since(start)
	if err == nil {
		o.Close()
	}
	if took > 5*time.Second || (err != nil && !errors.Is(err, vault.ErrDamaged)) {
		t.Fatalf("unlock with 17 planted slots took %v (%v); want it refused (or done) before the work, in well under 5 s", took, err)
	}
}

// The bound must not lock a vault its owner filled: keys add refuses the
// slot that would take the vault past it.
func TestAddPassphraseWithinUnlockBound(t *testing.T) {
	if testing.Short() {
		t.Skip("scrypt at 2^18")
	}
	v, _ := MustCreate(t)
	dir := v.Dir()
	restore := crypto.SetScryptWorkFactorForTesting(crypto.DefaultScryptWorkFactor)
	other, _ := crypto.NewIdentity()
	slot, err := crypto.SealSlot(other, []byte("an old passphrase of the owner's"), time.Now())
	restore()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 15 { // after passphrase-1 by name: never tried when it opens
		if err := os.WriteFile(filepath.Join(dir, "keys", fmt.Sprintf("z-%02d.age", i)), slot, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := v.AddPassphrase(context.Background(), []byte("one passphrase too many here")); !errors.Is(err, vault.ErrInvalid) {
		t.Fatalf("a seventeenth passphrase slot: %v, want ErrInvalid", err)
	}
	MustReopen(t, v) // still opens
}
