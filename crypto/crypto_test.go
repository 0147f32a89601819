package crypto_test

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

func TestMain(m *testing.M) {
	crypto.SetScryptWorkFactorForTesting(10)
	os.Exit(m.Run())
}

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func mustIdentity(t testing.TB) *age.HybridIdentity {
	t.Helper()
	id, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSlot(t *testing.T) {
	v := mustIdentity(t)
	slot, err := crypto.SealSlot(v, []byte("correct horse battery"), now)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(slot, []byte("AGE-SECRET-KEY")) {
		t.Fatal("slot holds the secret key in the clear")
	}

	t.Run("OK", func(t *testing.T) {
		got, err := crypto.OpenSlot(slot, []byte("correct horse battery"))
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != v.String() {
			t.Fatal("slot opened to a different identity")
		}
	})
	t.Run("ErrWrongPassphrase", func(t *testing.T) {
		_, err := crypto.OpenSlot(slot, []byte("correct horse battery!"))
		if !errors.Is(err, crypto.ErrWrongPassphrase) {
			t.Fatalf("err=%v, want ErrWrongPassphrase", err)
		}
	})
	t.Run("ErrDamaged", func(t *testing.T) {
		// Flip a byte of the payload: the passphrase is right, so this must
		// read as damage, never as a wrong passphrase.
		bad := bytes.Clone(slot)
		bad[len(bad)-5] ^= 0x01
		_, err := crypto.OpenSlot(bad, []byte("correct horse battery"))
		if !errors.Is(err, crypto.ErrDamaged) {
			t.Fatalf("err=%v, want ErrDamaged", err)
		}
	})
	t.Run("ErrShortPassphrase", func(t *testing.T) {
		if _, err := crypto.SealSlot(v, []byte("short"), now); err == nil {
			t.Fatal("a five-character passphrase was accepted")
		}
	})
}

func TestSealUnseal(t *testing.T) {
	c := mustIdentity(t)
	other := mustIdentity(t)
	sealed, err := crypto.Seal(c.Recipient(), []byte("Zhang Wei"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := crypto.Unseal(c, sealed)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "Zhang Wei" {
		t.Fatalf("got %q", got)
	}
	if _, err := crypto.Unseal(other, sealed); !errors.Is(err, crypto.ErrWrongKey) {
		t.Fatalf("err=%v, want ErrWrongKey", err)
	}
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x80
		if _, err := crypto.Unseal(c, bad); err == nil {
			t.Fatalf("flipped byte %d: unsealed without error", i)
		}
	}
}

func TestCustodianKeyFile(t *testing.T) {
	c := mustIdentity(t)
	key, err := crypto.SealCustodianKey(c, []byte("custodian passphrase"), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := crypto.OpenCustodianKey(key, []byte("wrong passphrase")); !errors.Is(err, crypto.ErrWrongPassphrase) {
		t.Fatalf("err=%v, want ErrWrongPassphrase", err)
	}
	got, err := crypto.OpenCustodianKey(key, []byte("custodian passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Recipient().String() != c.Recipient().String() {
		t.Fatal("different key")
	}
}

func TestParseRecipient(t *testing.T) {
	c := mustIdentity(t)
	if _, err := crypto.ParseRecipient(c.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	x, _ := age.GenerateX25519Identity()
	if _, err := crypto.ParseRecipient(x.Recipient().String()); !errors.Is(err, crypto.ErrNotHybrid) {
		t.Fatalf("err=%v, want ErrNotHybrid", err)
	}
}

func BenchmarkSeal(b *testing.B) {
	c := mustIdentity(b)
	msg := bytes.Repeat([]byte("x"), 300)
	for b.Loop() {
		if _, err := crypto.Seal(c.Recipient(), msg); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEncryptor: an encryption begun before its plaintext is known opens
// like any other, and cannot be used twice (a second Seal would reuse the
// file key and nonce stream).
func TestEncryptor(t *testing.T) {
	id, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	e := crypto.NewEncryptor(id.Recipient())
	plain := bytes.Repeat([]byte("testimony "), 20000) // several age chunks
	ct, err := e.Seal(plain)
	if err != nil {
		t.Fatal(err)
	}
	got, err := crypto.Open(id, ct)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %v (equal %v)", err, bytes.Equal(got, plain))
	}
	if _, err := e.Seal([]byte("again")); err == nil {
		t.Fatal("a second Seal succeeded")
	}
}
