package vault_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/vault"
)

// closedVault makes a vault with one interview and two passphrase slots, and
// returns its folder, closed.
func closedVault(t *testing.T) string {
	t.Helper()
	v, _ := MustCreate(t)
	if _, err := v.Add(context.Background(), []vault.Input{input("River", "Officers came twice a week.")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddPassphrase(context.Background(), []byte("another long passphrase for review")); err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestReviewReadOnlyKeySlots: a vault opened read-only changes no file
// (OpenOptions.ReadOnly). AddPassphrase writes the new slot file before it
// records the audit event, and only the audit event is refused: a read-only
// session leaves a working passphrase behind that the audit log never saw.
// RemoveSlot likewise deletes the slot file first.
func TestReviewReadOnlyKeySlots(t *testing.T) {
	dir := closedVault(t)
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	before := dirDigest(t, dir)

	t.Run("AddPassphrase", func(t *testing.T) {
		_, err := v.AddPassphrase(context.Background(), []byte("a passphrase nobody audited"))
		if !errors.Is(err, vault.ErrReadOnly) {
			t.Errorf("err=%v, want ErrReadOnly", err)
		}
		if dirDigest(t, dir) != before {
			t.Error("AddPassphrase on a read-only vault changed the vault folder (a key slot was written)")
		}
	})
	t.Run("RemoveSlot", func(t *testing.T) {
		before := dirDigest(t, dir)
		err := v.RemoveSlot(context.Background(), "passphrase-2")
		if !errors.Is(err, vault.ErrReadOnly) {
			t.Errorf("err=%v, want ErrReadOnly", err)
		}
		if dirDigest(t, dir) != before {
			t.Error("RemoveSlot on a read-only vault changed the vault folder (a key slot was deleted)")
		}
	})
}

// TestReviewReadOnlyOpenCreatesNoFile: a read-only open of a vault folder
// without a lock file (a copy, a backup restored by hand) creates one. On
// read-only media that open fails (EROFS) instead of opening.
func TestReviewReadOnlyOpenCreatesNoFile(t *testing.T) {
	dir := closedVault(t)
	if err := os.Remove(filepath.Join(dir, "lock")); err != nil {
		t.Fatal(err)
	}
	before := dirDigest(t, dir)
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if _, err := os.Lstat(filepath.Join(dir, "lock")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a read-only open created the lock file (err=%v)", err)
	}
	if dirDigest(t, dir) != before {
		t.Error("a read-only open changed the vault folder")
	}
}
