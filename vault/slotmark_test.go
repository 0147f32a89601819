package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/coerced"
	"github.com/tvault/tvault/vault"
)

// presentOldFormat is the downgrade: with V's recipient, which a coerced
// passphrase gave once, the adversary deletes both data key files and the
// journal and puts in vault.age a database image of their choosing (here an
// older copy of this vault's, from before a purge) encrypted to V, as a
// vault of the format before data keys was.
func presentOldFormat(t *testing.T, dir string, v *age.HybridIdentity, image []byte) {
	t.Helper()
	for _, name := range []string{"data-A.age", "data-B.age"} {
		if err := os.Remove(filepath.Join(dir, "keys", name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(filepath.Join(dir, "journal")); err != nil {
		t.Fatal(err)
	}
	ct, err := crypto.Encrypt(image, v.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "vault.age"), ct, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Issue 10, the downgrade gap: an old-format vault presented in place of
// one with data keys is damage, not a vault; on main it opened, and the
// purged interview was back.
func TestDowngradeRefused(t *testing.T) {
	ctx := context.Background()
	v, _ := MustCreate(t)
	ids, err := v.Add(ctx, []vault.Input{input("Gone Soon", "consent withdrawn later"), input("Stays", "kept")})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	vid := coerce(t, dir, passphrase)
	plain, err := coerced.Open(dir, vid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Purge(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	v.Close()

	presentOldFormat(t, dir, vid, plain[0])
	for _, ro := range []bool{false, true} {
		o, err := vault.Open(ctx, dir, vault.OpenOptions{ReadOnly: ro}, vault.PassphraseIdentity(passphrase))
		if err == nil {
			_, gerr := o.Get(ids[0])
			o.Close()
			t.Fatalf("read-only %v: the old-format vault opened (the purged interview is back: %v)", ro, gerr == nil)
		}
		if !errors.Is(err, vault.ErrDamaged) {
			t.Fatalf("read-only %v: %v, want ErrDamaged", ro, err)
		}
	}
}

// A key slot written before the mark gets it when its passphrase next
// opens the vault; the downgrade is refused from then on.
func TestSlotMarkedOnOpen(t *testing.T) {
	ctx := context.Background()
	v, _ := MustCreate(t)
	dir := v.Dir()
	vid := coerce(t, dir, passphrase)
	v.Close()
	slotPath := filepath.Join(dir, "keys", "passphrase-1.age")
	notes := func() []string {
		data, err := os.ReadFile(slotPath)
		if err != nil {
			t.Fatal(err)
		}
		_, n, err := crypto.OpenSlotNotes(data, passphrase)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	const mark = "tvault store: data keys v1"
	if !slices.Contains(notes(), mark) {
		t.Fatalf("a new vault's slot has notes %q, want the data key mark", notes())
	}
	// As an older tvault wrote it: no mark.
	old, err := crypto.SealSlot(vid, passphrase, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(slotPath, old, 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := vault.Open(ctx, dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	if slices.Contains(notes(), mark) {
		t.Fatal("a read-only open changed the slot")
	}
	o, err = vault.Open(ctx, dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := coerced.Open(dir, vid)
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	if !slices.Contains(notes(), mark) {
		t.Fatalf("after a read-write open the slot has notes %q, want the mark", notes())
	}
	presentOldFormat(t, dir, vid, plain[0])
	if _, err := vault.Open(ctx, dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase)); !errors.Is(err, vault.ErrDamaged) {
		t.Fatalf("downgrade after marking: %v, want ErrDamaged", err)
	}
}
