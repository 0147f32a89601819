package main

import (
	"errors"
	"fmt"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/term"
	"github.com/tvault/tvault/vault"
)

// readPassphrase returns a passphrase from file, or asks on the terminal.
// With confirm it asks twice and checks the passphrase is acceptable for a
// new slot. The caller wipes the result.
func readPassphrase(e *env, file, what string, confirm bool) ([]byte, error) {
	if file != "" {
		p, err := term.ReadPassphraseFile(file)
		if err != nil {
			return nil, usageError("%s: %v", what, err)
		}
		if confirm {
			if err := crypto.CheckNewPassphrase(p); err != nil {
				crypto.Wipe(p)
				return nil, &exitError{code: exitInvalid, err: fmt.Errorf("%s: %w", what, err)}
			}
		}
		return p, nil
	}
	if !confirm {
		return term.ReadPassphrase(capitalize(what) + ": ")
	}
	p, err := term.ReadNewPassphrase(what, crypto.CheckNewPassphrase, func(err error) {
		fmt.Fprintf(e.stderr, "tvault: %v; try again\n", err)
	})
	if errors.Is(err, term.ErrNoPassphrase) {
		return nil, &exitError{code: exitCancelled, err: err}
	}
	return p, err
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// openVault unlocks the vault named by the global flags.
func openVault(e *env) (*vault.Vault, error) {
	dir, err := e.dir()
	if err != nil {
		return nil, err
	}
	if !vault.Exists(dir) {
		return nil, fmt.Errorf("%w: %q", vault.ErrNoVault, dir)
	}
	ids, wipe, err := unlockKeys(e)
	if err != nil {
		return nil, err
	}
	v, err := vault.Open(e.ctx, dir, vault.OpenOptions{}, ids...)
	wipe()
	return openedVault(e, v, err)
}

// openedVault turns what vault.Open returned into the command's result:
// exit codes and hints for the errors, warnings printed.
func openedVault(e *env, v *vault.Vault, err error) (*vault.Vault, error) {
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		return nil, &exitError{code: exitWrongPassphrase, err: errors.New("wrong vault passphrase"),
			hint: "nothing was changed; check the passphrase and try again"}
	case errors.Is(err, vault.ErrNoIdentitySlot):
		return nil, &exitError{code: exitWrongPassphrase, err: err,
			hint: "nothing was changed; 'tvault keys list' (with a passphrase) shows the recipient slots"}
	case err != nil:
		return nil, err
	}
	for _, w := range v.Warnings() {
		warningf(e.stderr, "%s", w)
	}
	return v, nil
}

// unlockKeys returns what the global flags unlock the vault with: the
// identities of the file named by --identity (for recipient key slots), or
// else the vault passphrase. The caller calls wipe once the vault is open.
func unlockKeys(e *env) (ids []age.Identity, wipe func(), err error) {
	if e.identityFile != "" {
		ids, err := readIdentityFile(e)
		return ids, func() {}, err
	}
	p, err := readPassphrase(e, e.passphraseFile, "vault passphrase", false)
	if err != nil {
		return nil, nil, err
	}
	return []age.Identity{vault.PassphraseIdentity(p)}, func() { crypto.Wipe(p) }, nil
}
