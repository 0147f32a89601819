package crypto_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"regexp"
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
		if got, want := got.Fingerprint(), c.Fingerprint(); got != want {
			t.Fatalf("fingerprint %q, want %q", got, want)
		}
		if fp := got.Fingerprint(); !fingerprintFormat.MatchString(fp) {
			t.Fatalf("fingerprint %q is not eight groups of four hex digits", fp)
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

// fingerprintFormat is what people read out loud: 16 bytes of hex in eight
// groups of four.
var fingerprintFormat = regexp.MustCompile(`^[0-9A-F]{4}( [0-9A-F]{4}){7}$`)

// TestCardFingerprint: the seed cards parse to the fingerprints printed on
// them, which were computed when the cards were made. A change to how a
// fingerprint is computed breaks every card already handed out.
func TestCardFingerprint(t *testing.T) {
	for name, want := range map[string]string{
		"r1.card": "1F86 0D56 54E1 48FA 7319 14C3 54DC CE88",
		"zh.card": "EBCB 31FA D398 47D2 0B83 F39F E90D 4DE7",
	} {
		data, err := os.ReadFile(filepath.Join("testdata", "cards", name))
		if err != nil {
			t.Fatal(err)
		}
		c, err := crypto.ParseCard(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := c.Fingerprint(); got != want {
			t.Errorf("%s: fingerprint %q, want %q", name, got, want)
		}
		if got := crypto.Fingerprint(c.Recipient, c.SigningKey); got != want {
			t.Errorf("%s: Fingerprint(recipient, key) = %q, want %q", name, got, want)
		}
	}
}

// FuzzParseCard: whatever the input, ParseCard never panics, fails only with
// ErrBadCard, and a card it accepts has a well-formed fingerprint that is
// the one printed on the card.
func FuzzParseCard(f *testing.F) {
	for _, s := range seedFiles(f, filepath.Join("testdata", "cards", "*.card")) {
		f.Add(s)
		// The fingerprint line is not under the signature: a card whose
		// line was changed must still be refused.
		f.Add(bytes.Replace(s, []byte("\nfingerprint: "), []byte("\nfingerprint: 0000 "), 1))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := crypto.ParseCard(data)
		if err != nil {
			if !errors.Is(err, crypto.ErrBadCard) {
				t.Fatalf("err=%v, want ErrBadCard", err)
			}
			return
		}
		fp := c.Fingerprint()
		if !fingerprintFormat.MatchString(fp) {
			t.Fatalf("fingerprint %q is not eight groups of four hex digits", fp)
		}
		if !bytes.Contains(data, []byte("\nfingerprint: "+fp+"\n")) && !bytes.Contains(data, []byte("\nfingerprint: "+fp+"\r\n")) {
			t.Fatalf("fingerprint %q is not the one on the card", fp)
		}
	})
}
