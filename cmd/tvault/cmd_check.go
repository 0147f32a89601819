package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "check",
		args:    "[--json]",
		summary: "verify every file, hash and signature; report, change nothing",
		help: `
Opens the vault read-only and verifies the snapshot, every journal frame, the
database's integrity, every revision's hash and signature, every sealed
item's hash and the heads. Changes nothing: a torn last save is reported, not
repaired. Exit code 0 when all is well, 4 when anything is damaged.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			asJSON := fs.Bool("json", false, "print the results as JSON")
			return func(e *env, args []string) error {
				if err := noArgs("check", args); err != nil {
					return err
				}
				return runCheck(e, *asJSON)
			}
		},
	})
}

func runCheck(e *env, asJSON bool) error {
	dir, err := e.dir()
	if err != nil {
		return err
	}
	if !vault.Exists(dir) {
		return fmt.Errorf("%w: %q", vault.ErrNoVault, dir)
	}
	// Read-only, with whichever key the global flags name.
	ids, wipe, err := unlockKeys(e)
	if err != nil {
		return err
	}
	v, err := vault.Open(e.ctx, dir, vault.OpenOptions{ReadOnly: true}, ids...)
	wipe()
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		return &exitError{code: exitWrongPassphrase, err: errors.New("wrong vault passphrase")}
	case errors.Is(err, vault.ErrNoIdentitySlot):
		return &exitError{code: exitWrongPassphrase, err: err}
	}
	if err != nil {
		return withHint(fmt.Errorf("check failed: %w", err), "see docs/RECOVERY.md: restore vault.age (and journal/) from a backup")
	}
	defer v.Close()
	results, err := v.Check(e.ctx)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if !r.OK {
			failed++
		}
	}
	if asJSON {
		if err := writeJSON(e.stdout, results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			mark := "ok  "
			if !r.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(e.stdout, "%s  %-10s %s\n", mark, r.What, r.Details)
		}
	}
	if failed > 0 {
		return &exitError{code: exitDamaged, err: fmt.Errorf("%w: %d checks failed", crypto.ErrDamaged, failed),
			hint: "see docs/RECOVERY.md"}
	}
	return nil
}
