package crypto_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/crypto"
)

func mustCard(t testing.TB, name string) ([]byte, *crypto.Card) {
	t.Helper()
	pub, sk, _ := ed25519.GenerateKey(rand.Reader)
	id := mustIdentity(t)
	c := &crypto.Card{Name: name, Recipient: id.Recipient().String(), SigningKey: pub}
	data, err := crypto.MarshalCard(c, sk)
	if err != nil {
		t.Fatal(err)
	}
	return data, c
}

func TestCard(t *testing.T) {
	data, c := mustCard(t, "R1 李")
	t.Run("OK", func(t *testing.T) {
		got, err := crypto.ParseCard(append([]byte("a note before\n"), data...))
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != c.Name || got.Recipient != c.Recipient || !bytes.Equal(got.SigningKey, c.SigningKey) {
			t.Fatalf("got %+v", got)
		}
		if got.Fingerprint() != c.Fingerprint() || len(got.Fingerprint()) != 39 {
			t.Fatalf("fingerprint %q", got.Fingerprint())
		}
	})
	t.Run("ErrBadCard", func(t *testing.T) {
		// Every single-byte change inside the card is refused.
		start := bytes.Index(data, []byte("name: "))
		end := bytes.Index(data, []byte("-----END"))
		for i := start; i < end; i++ {
			if data[i] == '\n' {
				continue
			}
			bad := bytes.Clone(data)
			bad[i] ^= 0x02
			if _, err := crypto.ParseCard(bad); !errors.Is(err, crypto.ErrBadCard) {
				t.Fatalf("byte %d changed: err=%v, want ErrBadCard", i, err)
			}
		}
	})
	t.Run("ErrWrongSigner", func(t *testing.T) {
		_, sk2, _ := ed25519.GenerateKey(rand.Reader)
		if _, err := crypto.MarshalCard(c, sk2); err == nil {
			t.Fatal("signed a card with another key")
		}
	})
}

func FuzzParseCard(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/cards/*.card")
	if len(seeds) == 0 {
		f.Fatal("no seed cards in testdata/cards")
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := crypto.ParseCard(data)
		if err == nil && c.Fingerprint() == "" {
			t.Fatal("parsed a card without a fingerprint")
		}
	})
}
