package crypto_test

import (
	"bytes"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
)

// TestSlotWorkFactor: a key slot whose scrypt work factor is outside what
// tvault writes is refused before any scrypt work: a planted 2^22 slot cost
// 75 s and 8 GB at every unlock.
func TestSlotWorkFactor(t *testing.T) {
	v, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	pass := []byte("correct horse battery staple")
	slot, err := crypto.SealSlot(v, pass, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := crypto.OpenSlot(slot, pass); err != nil {
		t.Fatalf("a slot tvault wrote: %v", err)
	}
	stanza := regexp.MustCompile(`(?m)^(-> scrypt \S+) (\d+)$`)
	if !stanza.Match(slot) {
		t.Fatalf("no scrypt stanza in %q", slot[:80])
	}
	for _, logN := range []string{"22", "21", "40", "9", "1", "x"} {
		planted := stanza.ReplaceAll(slot, []byte("$1 "+logN))
		start := time.Now()
		_, err := crypto.OpenSlot(planted, pass)
		if !errors.Is(err, crypto.ErrDamaged) {
			t.Errorf("work factor %s: %v, want ErrDamaged", logN, err)
		}
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("work factor %s: refused after %v; it must be refused before any work", logN, d)
		}
		if err != nil && bytes.Contains([]byte(err.Error()), pass) {
			t.Error("the error repeats the passphrase")
		}
	}
}
