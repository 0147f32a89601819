package main

import (
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/internal/synth"
	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "demo",
		args:    "DIR [--interviews N]",
		summary: "make a vault full of synthetic interviews, to try things",
		help: `
Creates DIR/vault, a vault of synthetic interviews in English and Chinese
(invented people, places and events), and DIR/custodian.age, its custodian
key. Asks for a vault passphrase and a custodian passphrase, as init does.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			n := fs.Int("interviews", 40, "how many `N` interviews to make")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("demo takes one DIR")
				}
				if *n < 1 || *n > 100000 {
					return usageError("--interviews must be between 1 and 100000")
				}
				return runDemo(e, args[0], *n)
			}
		},
	})
}

func runDemo(e *env, dir string, n int) error {
	vdir := filepath.Join(dir, "vault")
	keyPath := filepath.Join(dir, "custodian.age")
	if vault.Exists(vdir) {
		return usageError("demo: %q already holds a vault", vdir)
	}
	if _, err := os.Lstat(keyPath); err == nil {
		return usageError("demo: %q already exists", keyPath)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	c, err := crypto.NewIdentity()
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "The demo vault needs two passphrases: one for the vault, one for its custodian key.")
	cp, err := readPassphrase(e, e.custodianPassFile, "custodian passphrase", true)
	if err != nil {
		return err
	}
	key, err := crypto.SealCustodianKey(c, cp, time.Now())
	cpSum := sha256.Sum256(cp)
	crypto.Wipe(cp)
	if err != nil {
		return err
	}
	p, err := readPassphrase(e, e.passphraseFile, "vault passphrase", true)
	if err != nil {
		return err
	}
	defer crypto.Wipe(p)
	if sha256.Sum256(p) == cpSum {
		return &exitError{code: exitInvalid, err: errors.New("the vault passphrase must differ from the custodian passphrase")}
	}
	if err := fsx.WriteFileExclusive(keyPath, key); err != nil {
		return err
	}
	v, err := vault.Create(vdir, vault.CreateOptions{Name: "demo", Custodian: c.Recipient(), Passphrase: p})
	if err != nil {
		os.Remove(keyPath)
		return err
	}
	defer v.Close()
	inputs := synth.Interviews(uint64(time.Now().UnixNano()), n, 1200)
	ids, err := v.Add(e.ctx, inputs)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Made a demo vault of %d synthetic interviews in %s\n", len(ids), vdir)
	fmt.Fprintf(e.stderr, "and its custodian key in %s.\n\nTry:\n", keyPath)
	fmt.Fprintf(e.stderr, "  tvault --vault %s list\n", vdir)
	fmt.Fprintf(e.stderr, "  tvault --vault %s show %s\n", vdir, ids[0][:8])
	fmt.Fprintf(e.stderr, "  tvault --vault %s search 警察\n", vdir)
	fmt.Fprintf(e.stderr, "  tvault --vault %s identity %s --custodian-key %s\n", vdir, ids[0][:8], keyPath)
	return nil
}
