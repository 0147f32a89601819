package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// mustAddOne adds one interview and returns its ID.
func mustAddOne(t *testing.T, v *vault.Vault) string {
	t.Helper()
	ids, err := v.Add(context.Background(), []vault.Input{input("Lin Qiao", "Officers came twice a week.")})
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

func slotNames(t *testing.T, v *vault.Vault) []string {
	t.Helper()
	slots, err := v.Slots()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range slots {
		names = append(names, string(s.Kind)+":"+s.Name)
	}
	return names
}

func TestChangePassphrase(t *testing.T) {
	newPass := []byte("a brand new passphrase")
	t.Run("OK", func(t *testing.T) {
		v, _ := MustCreate(t)
		id := mustAddOne(t, v)
		dir := v.Dir()
		r, err := v.ChangePassphrase(context.Background(), newPass)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := r.Slot, "passphrase-2"; got != want {
			t.Fatalf("name=%q, want %q", got, want)
		}
		if got, want := v.CurrentSlot(), "passphrase-2"; got != want {
			t.Fatalf("CurrentSlot()=%q, want %q", got, want)
		}
		v.Close()

		if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase)); !errors.Is(err, vault.ErrWrongPassphrase) {
			t.Fatalf("old passphrase: err=%v, want ErrWrongPassphrase", err)
		}
		v2, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(newPass))
		if err != nil {
			t.Fatal(err)
		}
		defer v2.Close()
		got, err := v2.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := got.Pseudonym, "Lin Qiao"; got != want {
			t.Fatalf("Pseudonym=%q, want %q", got, want)
		}
		if got, want := len(slotNames(t, v2)), 1; got != want {
			t.Fatalf("%d slots, want %d", got, want)
		}
	})
	t.Run("ErrShortPassphrase", func(t *testing.T) {
		v, _ := MustCreate(t)
		if _, err := v.ChangePassphrase(context.Background(), []byte("short")); err == nil {
			t.Fatal("a short passphrase was accepted")
		}
		if got, want := len(slotNames(t, v)), 1; got != want {
			t.Fatalf("%d slots, want %d", got, want)
		}
	})
	t.Run("ErrOpenedWithIdentity", func(t *testing.T) {
		v, _ := MustCreate(t)
		x, _ := age.GenerateX25519Identity()
		if _, err := v.AddRecipient(context.Background(), x.Recipient()); err != nil {
			t.Fatal(err)
		}
		dir := v.Dir()
		v.Close()
		v2, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, x)
		if err != nil {
			t.Fatal(err)
		}
		defer v2.Close()
		if _, err := v2.ChangePassphrase(context.Background(), newPass); err == nil {
			t.Fatal("changed a passphrase the vault was not opened with")
		}
	})
}

func TestSlots(t *testing.T) {
	v, _ := MustCreate(t)
	id := mustAddOne(t, v)
	dir := v.Dir()
	second := []byte("the second passphrase")
	if name, err := v.AddPassphrase(context.Background(), second); err != nil || name != "passphrase-2" {
		t.Fatalf("AddPassphrase: %q, %v", name, err)
	}
	hybrid, _ := crypto.NewIdentity()
	if name, err := v.AddRecipient(context.Background(), hybrid.Recipient()); err != nil || name != "recipient-1" {
		t.Fatalf("AddRecipient: %q, %v", name, err)
	}
	classic, _ := age.GenerateX25519Identity()
	if name, err := v.AddRecipient(context.Background(), classic.Recipient()); err != nil || name != "recipient-2" {
		t.Fatalf("AddRecipient: %q, %v", name, err)
	}
	slots, err := v.Slots()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(slots), 4; got != want {
		t.Fatalf("%d slots, want %d", got, want)
	}
	for i, want := range []struct {
		name   string
		kind   vault.SlotKind
		stanza string
	}{
		{"passphrase-1", vault.SlotPassphrase, "scrypt"},
		{"passphrase-2", vault.SlotPassphrase, "scrypt"},
		{"recipient-1", vault.SlotRecipient, "mlkem768x25519"},
		{"recipient-2", vault.SlotRecipient, "X25519"},
	} {
		s := slots[i]
		if s.Name != want.name || s.Kind != want.kind || len(s.Stanzas) != 1 || s.Stanzas[0] != want.stanza {
			t.Fatalf("slot %d = %+v, want %+v", i, s, want)
		}
		if got, want := s.Current, i == 0; got != want {
			t.Fatalf("slot %d Current=%v, want %v", i, got, want)
		}
	}
	v.Close()

	t.Run("OK", func(t *testing.T) {
		// Every slot opens the same vault.
		for _, open := range []func() (*vault.Vault, error){
			func() (*vault.Vault, error) {
				return vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
			},
			func() (*vault.Vault, error) {
				return vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(second))
			},
			func() (*vault.Vault, error) {
				return vault.Open(context.Background(), dir, vault.OpenOptions{}, hybrid)
			},
			func() (*vault.Vault, error) {
				return vault.Open(context.Background(), dir, vault.OpenOptions{}, classic)
			},
		} {
			v, err := open()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Get(id); err != nil {
				t.Fatal(err)
			}
			v.Close()
		}
	})
	t.Run("ErrNoIdentitySlot", func(t *testing.T) {
		stranger, _ := age.GenerateX25519Identity()
		if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, stranger); !errors.Is(err, vault.ErrNoIdentitySlot) {
			t.Fatalf("err=%v, want ErrNoIdentitySlot", err)
		}
	})
	t.Run("ErrDamaged", func(t *testing.T) {
		path := filepath.Join(dir, "keys", "recipient-2.age")
		good, _ := os.ReadFile(path)
		defer os.WriteFile(path, good, 0o600)
		bad := append([]byte{}, good...)
		bad[len(bad)-3] ^= 1
		os.WriteFile(path, bad, 0o600)
		if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, classic); !errors.Is(err, vault.ErrDamaged) {
			t.Fatalf("err=%v, want ErrDamaged", err)
		}
	})
	t.Run("Remove", func(t *testing.T) {
		v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(second))
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		if err := v.RemoveSlot(context.Background(), "nope"); !errors.Is(err, vault.ErrNoSlot) {
			t.Fatalf("err=%v, want ErrNoSlot", err)
		}
		if err := v.RemoveSlot(context.Background(), "../vault"); !errors.Is(err, vault.ErrNoSlot) {
			t.Fatalf("err=%v, want ErrNoSlot", err)
		}
		for _, name := range []string{"passphrase-1", "recipient-1.age", "recipient-2"} {
			if err := v.RemoveSlot(context.Background(), name); err != nil {
				t.Fatal(err)
			}
		}
		if err := v.RemoveSlot(context.Background(), "passphrase-2"); !errors.Is(err, vault.ErrLastSlot) {
			t.Fatalf("err=%v, want ErrLastSlot", err)
		}
		if got, want := len(slotNames(t, v)), 1; got != want {
			t.Fatalf("%d slots, want %d", got, want)
		}
		if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, classic); err == nil {
			t.Fatal("a removed recipient slot still opens the vault")
		}
	})
}

// A crash between writing the new slot and removing the old one leaves two
// working slots: the order in ChangePassphrase never leaves none. This
// simulates the crash by adding the slot without removing.
func TestChangePassphraseOrder(t *testing.T) {
	v, _ := MustCreate(t)
	newPass := []byte("a brand new passphrase")
	if _, err := v.AddPassphrase(context.Background(), newPass); err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	v.Close()
	for _, p := range [][]byte{passphrase, newPass} {
		v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(p))
		if err != nil {
			t.Fatal(err)
		}
		v.Close()
	}
}

// passwd replaces the slot the passphrase opened with one for the new
// passphrase and, since it replaces the vault key, destroys the others.
func TestChangePassphraseSecondSlot(t *testing.T) {
	v, _ := MustCreate(t)
	second := []byte("the second passphrase")
	if _, err := v.AddPassphrase(context.Background(), second); err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	v.Close()
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(second))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.CurrentSlot(), "passphrase-2"; got != want {
		t.Fatalf("CurrentSlot()=%q, want %q", got, want)
	}
	newPass := []byte("a brand new passphrase")
	r, err := v.ChangePassphrase(context.Background(), newPass)
	if err != nil || r.Slot != "passphrase-3" || len(r.Dropped) != 1 || r.Dropped[0] != "passphrase-1" {
		t.Fatalf("ChangePassphrase: %+v, %v", r, err)
	}
	v.Close()
	for _, p := range [][]byte{second, passphrase} {
		if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(p)); !errors.Is(err, vault.ErrWrongPassphrase) {
			t.Fatalf("replaced or dropped passphrase: err=%v, want ErrWrongPassphrase", err)
		}
	}
	v, err = vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(newPass))
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	for _, name := range []string{"passphrase-1.age", "passphrase-2.age"} {
		if _, err := os.Stat(filepath.Join(dir, "keys", name)); !os.IsNotExist(err) {
			t.Fatalf("%s: err=%v, want it gone", name, err)
		}
	}
}

// TestOpenAnyKey: Open takes passphrases and identities together, tries
// each on the slots it fits, and combines ReadOnly with either.
func TestOpenAnyKey(t *testing.T) {
	v, _ := MustCreate(t)
	x, _ := age.GenerateX25519Identity()
	stranger, _ := age.GenerateX25519Identity()
	if _, err := v.AddRecipient(context.Background(), x.Recipient()); err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	v.Close()
	ctx := context.Background()
	wrong := vault.PassphraseIdentity([]byte("not the passphrase at all"))

	t.Run("OK", func(t *testing.T) {
		for name, ids := range map[string][]age.Identity{
			"wrong passphrase, right identity": {wrong, x},
			"right passphrase, wrong identity": {stranger, vault.PassphraseIdentity(passphrase)},
		} {
			v, err := vault.Open(ctx, dir, vault.OpenOptions{}, ids...)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			v.Close()
		}
	})
	t.Run("ReadOnly", func(t *testing.T) {
		v, err := vault.Open(ctx, dir, vault.OpenOptions{ReadOnly: true}, x)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		if err := v.Checkpoint(context.Background()); !errors.Is(err, vault.ErrReadOnly) {
			t.Fatalf("Checkpoint err=%v, want ErrReadOnly", err)
		}
	})
	t.Run("ErrBoth", func(t *testing.T) {
		_, err := vault.Open(ctx, dir, vault.OpenOptions{}, wrong, stranger)
		if !errors.Is(err, vault.ErrWrongPassphrase) || !errors.Is(err, vault.ErrNoIdentitySlot) {
			t.Fatalf("err=%v, want ErrWrongPassphrase and ErrNoIdentitySlot", err)
		}
	})
	t.Run("ErrNoKey", func(t *testing.T) {
		if _, err := vault.Open(ctx, dir, vault.OpenOptions{}); err == nil {
			t.Fatal("opened with no key")
		}
	})
}
