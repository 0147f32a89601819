package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "rekey",
		summary: "replace the vault key, after a passphrase or key may have been seen",
		help: `
Asks for the vault passphrase (or reads --passphrase-file), then replaces the
vault key: a new vault key and a new data key, the whole vault rewritten
under them in one step, a new key slot for the same passphrase, and every
old key slot overwritten and removed. Run it after a coerced unlock, or when
an old key slot may have been copied: whoever kept the old vault key can
then neither read what is saved from now on nor add anything the vault
accepts (it is refused as damage).

Only the slot of the passphrase given is carried over. Every other slot
(a second passphrase, a recipient slot) held the old vault key and is
destroyed; the command names them: add them again with 'tvault keys add'.
'tvault passwd' rekeys too, with a new passphrase. A crash at any moment
leaves the old vault or the new one, whole, opened by the passphrase.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			return func(e *env, args []string) error {
				if err := noArgs("rekey", args); err != nil {
					return err
				}
				if e.identityFile != "" {
					return usageError("rekey keeps the passphrase slot the vault is opened with; open it with the passphrase, not --identity")
				}
				return runRekey(e)
			}
		},
	})
}

func runRekey(e *env) error {
	dir, err := e.dir()
	if err != nil {
		return err
	}
	if !vault.Exists(dir) {
		return fmt.Errorf("%w: %q", vault.ErrNoVault, dir)
	}
	// The passphrase opens the vault and then seals the new slot.
	p, err := readPassphrase(e, e.passphraseFile, "vault passphrase", false)
	if err != nil {
		return err
	}
	defer crypto.Wipe(p)
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(p))
	if v, err = openedVault(e, v, err); err != nil {
		return err
	}
	defer v.Close()
	old := v.CurrentSlot()
	r, err := v.Rekey(e.ctx, p)
	if r == nil && err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Rekeyed the vault: a new vault key, the vault rewritten under it; key slot %s replaces %s. The old vault key opens nothing now.\n", r.Slot, old)
	printDropped(e, r)
	return err
}
