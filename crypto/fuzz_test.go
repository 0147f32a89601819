package crypto_test

import (
	"errors"
	"flag"
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

// The seeds in testdata/slots and testdata/identities are made by
// go test ./crypto -run TestSeedSlots -update-seeds
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

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seeds in testdata")

// TestSeedSlots checks that the seed corpora of FuzzOpenSlot,
// FuzzOpenRecipientSlot and FuzzParseIdentityFile are what those targets
// start from: slots that open with the seed passphrase and identity, and
// identity files that parse. With -update-seeds it makes new ones first.
func TestSeedSlots(t *testing.T) {
	if *updateSeeds {
		writeSeedSlots(t)
	}
	read := func(elem ...string) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, elem...)...))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	v, err := crypto.OpenSlot(read("slots", "passphrase-1.age"), []byte(seedPassphrase))
	if err != nil {
		t.Fatalf("passphrase-1.age: %v", err)
	}
	owner := seedIdentity(t)
	v2, err := crypto.OpenRecipientSlot(read("slots", "recipient-pq.age"), owner)
	if err != nil {
		t.Fatalf("recipient-pq.age: %v", err)
	}
	if v2.String() != v.String() {
		t.Fatal("recipient-pq.age and passphrase-1.age hold different vault identities")
	}
	// Sealed to an X25519 key that was not kept: the refusal path.
	if _, err := crypto.OpenRecipientSlot(read("slots", "recipient-x25519.age"), owner); !errors.Is(err, crypto.ErrWrongKey) {
		t.Fatalf("recipient-x25519.age: err=%v, want ErrWrongKey", err)
	}
	if _, err := crypto.ParseIdentity(read("identities", "hybrid.txt")); err != nil {
		t.Fatalf("hybrid.txt: %v", err)
	}
	for name, want := range map[string]int{"hybrid.txt": 1, "x25519.txt": 1, "two-keys.txt": 2} {
		ids, err := crypto.ParseIdentityFile(read("identities", name), nil)
		if err != nil || len(ids) != want {
			t.Fatalf("%s: %d identities, %v; want %d", name, len(ids), err, want)
		}
	}
}

// writeSeedSlots makes new seed corpora for FuzzOpenSlot,
// FuzzOpenRecipientSlot and FuzzParseIdentityFile.
func writeSeedSlots(t *testing.T) {
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
