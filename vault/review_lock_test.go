package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/vault"
)

// TestReviewLockOnFailure: a failed DirLock.Open leaves the lock with its
// holder (no other Lock succeeds), and a failed Open releases it.
func TestReviewLockOnFailure(t *testing.T) {
	dir := closedVault(t)
	l, err := vault.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Open(context.Background(), vault.OpenOptions{}, vault.PassphraseIdentity([]byte("not the passphrase at all"))); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Fatalf("err=%v, want ErrWrongPassphrase", err)
	}
	if l2, err := vault.Lock(dir); !errors.Is(err, vault.ErrInUse) {
		l2.Release()
		t.Fatalf("after a failed DirLock.Open, Lock: %v, want ErrInUse", err)
	}
	// Damaged snapshot: the failure is after the lock moved to the Vault.
	snap := filepath.Join(dir, "vault.age")
	good, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)-10] ^= 1
	if err := os.WriteFile(snap, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Open(context.Background(), vault.OpenOptions{}, vault.PassphraseIdentity(passphrase)); !errors.Is(err, vault.ErrDamaged) {
		t.Fatalf("err=%v, want ErrDamaged", err)
	}
	if l2, err := vault.Lock(dir); !errors.Is(err, vault.ErrInUse) {
		l2.Release()
		t.Fatalf("after a DirLock.Open of a damaged vault, Lock: %v, want ErrInUse", err)
	}
	l.Release()
	if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase)); !errors.Is(err, vault.ErrDamaged) {
		t.Fatalf("err=%v, want ErrDamaged", err)
	}
	l3, err := vault.Lock(dir)
	if err != nil {
		t.Fatalf("after a failed Open the lock is still held: %v", err)
	}
	l3.Release()
	if err := os.WriteFile(snap, good, 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
}
