package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// readPassphrase returns a passphrase from file, or asks on the terminal.
// With confirm it asks twice and checks the passphrase is acceptable for a
// new slot. The caller wipes the result.
func readPassphrase(e *env, file, what string, confirm bool) ([]byte, error) {
	if file != "" {
		p, err := crypto.ReadPassphraseFile(file)
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
		return crypto.ReadPassphraseTerminal(capitalize(what) + ": ")
	}
	for attempt := 0; attempt < 3; attempt++ {
		p, err := crypto.ReadPassphraseTerminal(fmt.Sprintf("New %s (at least %d characters): ", what, crypto.MinPassphraseLen))
		if err != nil {
			return nil, err
		}
		if err := crypto.CheckNewPassphrase(p); err != nil {
			crypto.Wipe(p)
			fmt.Fprintf(e.stderr, "tvault: %v; try again\n", err)
			continue
		}
		again, err := crypto.ReadPassphraseTerminal(fmt.Sprintf("Repeat the %s: ", what))
		if err != nil {
			crypto.Wipe(p)
			return nil, err
		}
		same := bytes.Equal(p, again)
		crypto.Wipe(again)
		if same {
			return p, nil
		}
		crypto.Wipe(p)
		fmt.Fprintln(e.stderr, "tvault: the two passphrases differ; try again")
	}
	return nil, &exitError{code: exitCancelled, err: errors.New("no passphrase set after three tries")}
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
	if e.identityFile != "" {
		return openVaultWithIdentity(e, dir)
	}
	p, err := readPassphrase(e, e.passphraseFile, "vault passphrase", false)
	if err != nil {
		return nil, err
	}
	defer crypto.Wipe(p)
	v, err := vault.Open(dir, p)
	if errors.Is(err, vault.ErrWrongPassphrase) {
		return nil, &exitError{code: exitWrongPassphrase, err: errors.New("wrong vault passphrase"),
			hint: "nothing was changed; check the passphrase and try again"}
	}
	if err != nil {
		return nil, err
	}
	for _, w := range v.Warnings() {
		warningf(e.stderr, "%s", w)
	}
	return v, nil
}
