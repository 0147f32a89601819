package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/coerced"
	"github.com/tvault/tvault/internal/term"
)

// downgrade DIR PASSFILE: as someone who held the passphrase once (and so
// V's recipient), delete both data key files and the journal and put in
// vault.age the vault's database encrypted to V, as a vault of the format
// before data keys was.
func cmdDowngrade(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: downgrade DIR PASSFILE")
	}
	dir := ts.MkAbs(args[0])
	pass, err := term.ReadPassphraseFile(ts.MkAbs(args[1]))
	ts.Check(err)
	slots, err := filepath.Glob(filepath.Join(dir, "keys", "passphrase-*.age"))
	ts.Check(err)
	if len(slots) == 0 {
		ts.Fatalf("no passphrase slot")
	}
	slot, err := os.ReadFile(slots[0])
	ts.Check(err)
	v, err := crypto.OpenSlot(slot, pass)
	ts.Check(err)
	plain, err := coerced.Open(dir, v)
	ts.Check(err)
	for _, name := range []string{"data-A.age", "data-B.age"} {
		if err := os.Remove(filepath.Join(dir, "keys", name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			ts.Fatalf("%v", err)
		}
	}
	ts.Check(os.RemoveAll(filepath.Join(dir, "journal")))
	ct, err := crypto.Encrypt(plain[0], v.Recipient())
	ts.Check(err)
	ts.Check(os.WriteFile(filepath.Join(dir, "vault.age"), ct, 0o600))
}
