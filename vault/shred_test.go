package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/vault"
)

func TestShredSlots(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		v, _ := MustCreate(t)
		if _, err := v.AddPassphrase(context.Background(), []byte("a second passphrase")); err != nil {
			t.Fatal(err)
		}
		dir := v.Dir()
		v.Close()
		slots, err := vault.ShredSlots(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(slots), 2; got != want {
			t.Fatalf("shredded %d slots, want %d", got, want)
		}
		if left, err := filepath.Glob(filepath.Join(dir, "keys", "*")); err != nil || len(left) != 0 {
			t.Fatalf("left in keys/: %v, %v", left, err)
		}
		for _, p := range [][]byte{passphrase, []byte("a second passphrase")} {
			if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(p)); !errors.Is(err, vault.ErrDamaged) {
				t.Fatalf("open after shred: err=%v, want ErrDamaged", err)
			}
		}
	})
	t.Run("ErrInUse", func(t *testing.T) {
		v, _ := MustCreate(t)
		if _, err := vault.ShredSlots(v.Dir()); !errors.Is(err, vault.ErrInUse) {
			t.Fatalf("err=%v, want ErrInUse", err)
		}
		if _, err := os.Stat(filepath.Join(v.Dir(), "keys", "passphrase-1.age")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("NoSymlink", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "target")
		os.WriteFile(target, []byte("keep me"), 0o600)
		link := filepath.Join(dir, "link")
		if err := os.Symlink(target, link); err != nil {
			t.Skip(err)
		}
		if err := vault.ShredFile(link); err == nil {
			t.Fatal("shredded through a symbolic link")
		}
		if data, _ := os.ReadFile(target); string(data) != "keep me" {
			t.Fatal("the link's target was changed")
		}
	})
}
