package crypto_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

// Fuzz targets for the parsers in this package that read files a stranger
// may have touched: key slots, identity files. (Member cards and share cards
// have theirs next to their tests.) Plain `go test` runs the seeds; see
// docs/THREAT-MODEL.md for how long each has been fuzzed.

// The seeds in testdata/slots are made by
// TVAULT_WRITE_SEEDS=1 go test -run TestWriteSeedSlots ./crypto
// with this passphrase and the identity in testdata/slots/identity.txt. Both
// are test material only.
const seedPassphrase = "correct horse battery staple"

// seedFiles returns the contents of the files matching glob, and fails if
// there are none: a seed corpus that silently went missing fuzzes nothing.
func seedFiles(f *testing.F, glob string) [][]byte {
	f.Helper()
	paths, err := filepath.Glob(glob)
	if err != nil {
		f.Fatal(err)
	}
	if len(paths) == 0 {
		f.Fatalf("no seed files match %s", glob)
	}
	var out [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

func seedIdentity(tb testing.TB) *age.HybridIdentity {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "slots", "identity.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	id, err := crypto.ParseIdentity(data)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// FuzzOpenSlot: whatever a passphrase slot holds, OpenSlot returns the vault
// identity, ErrWrongPassphrase or ErrDamaged, and never panics.
func FuzzOpenSlot(f *testing.F) {
	// The seeds use work factor 10; a mutated header may ask for more, which
	// would make each input cost seconds without finding anything new.
	defer crypto.SetMaxScryptWorkFactorForFuzzing(12)()
	for _, s := range seedFiles(f, filepath.Join("testdata", "slots", "passphrase-*.age")) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, slot []byte) {
		id, err := crypto.OpenSlot(slot, []byte(seedPassphrase))
		switch {
		case err == nil:
			if id == nil {
				t.Fatal("no error and no identity")
			}
		case errors.Is(err, crypto.ErrWrongPassphrase), errors.Is(err, crypto.ErrDamaged):
		default:
			t.Fatalf("err=%v, want ErrWrongPassphrase or ErrDamaged", err)
		}
	})
}

// FuzzOpenRecipientSlot: the same for a slot encrypted to an age identity.
func FuzzOpenRecipientSlot(f *testing.F) {
	for _, s := range seedFiles(f, filepath.Join("testdata", "slots", "recipient-*.age")) {
		f.Add(s)
	}
	id := seedIdentity(f)
	f.Fuzz(func(t *testing.T, slot []byte) {
		v, err := crypto.OpenRecipientSlot(slot, id)
		switch {
		case err == nil:
			if v == nil {
				t.Fatal("no error and no identity")
			}
		case errors.Is(err, crypto.ErrWrongKey), errors.Is(err, crypto.ErrDamaged):
		default:
			t.Fatalf("err=%v, want ErrWrongKey or ErrDamaged", err)
		}
	})
}

// FuzzParseIdentityFile: identity files (--identity FILE, and a slot's
// plaintext) parse or fail with an error that holds no key material.
func FuzzParseIdentityFile(f *testing.F) {
	for _, s := range seedFiles(f, filepath.Join("testdata", "identities", "*.txt")) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := crypto.ParseIdentityFile(data, nil); err != nil {
			if containsSecretKey(err.Error()) {
				t.Fatalf("error holds key material: %v", err)
			}
		}
		if _, err := crypto.ParseIdentity(data); err != nil {
			if !errors.Is(err, crypto.ErrDamaged) {
				t.Fatalf("ParseIdentity: err=%v, want ErrDamaged", err)
			}
			if containsSecretKey(err.Error()) {
				t.Fatalf("error holds key material: %v", err)
			}
		}
	})
}

func containsSecretKey(s string) bool {
	for _, p := range []string{"AGE-SECRET-KEY", "AGE-PLUGIN-", "PRIVATE KEY"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// TestWriteSeedSlots writes the seed corpora of FuzzOpenSlot,
// FuzzOpenRecipientSlot and FuzzParseIdentityFile.
func TestWriteSeedSlots(t *testing.T) {
	if os.Getenv("TVAULT_WRITE_SEEDS") == "" {
		t.Skip("set TVAULT_WRITE_SEEDS=1 to rewrite testdata/slots and testdata/identities")
	}
	slots := filepath.Join("testdata", "slots")
	ids := filepath.Join("testdata", "identities")
	for _, d := range []string{slots, ids} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path string, data []byte) {
		t.Helper()
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	owner := mustIdentity(t)
	write(filepath.Join(slots, "identity.txt"), crypto.MarshalIdentity(owner, now))
	v := mustIdentity(t)
	slot, err := crypto.SealSlot(v, []byte(seedPassphrase), now)
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(slots, "passphrase-1.age"), slot)
	rslot, err := crypto.SealRecipientSlot(v, owner.Recipient(), now)
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(slots, "recipient-pq.age"), rslot)
	x, _ := age.GenerateX25519Identity()
	xslot, err := crypto.SealRecipientSlot(v, x.Recipient(), now)
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(slots, "recipient-x25519.age"), xslot)

	write(filepath.Join(ids, "hybrid.txt"), crypto.MarshalIdentity(mustIdentity(t), now))
	write(filepath.Join(ids, "x25519.txt"), []byte("# created: 2026-11-27T12:00:00Z\n"+x.String()+"\n"))
	write(filepath.Join(ids, "two-keys.txt"), append(crypto.MarshalIdentity(mustIdentity(t), now), []byte(x.String()+"\n")...))
}
