package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/internal/term"
	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "init",
		args:    "[--name NAME] [--custodian-recipient R | --custodian-key-out FILE]",
		summary: "create a vault",
		help: `
Creates a vault in --vault DIR (or $TVAULT_DIR, or the user data folder).

The custodian is who can read the real identities sealed in this vault. Give
either the custodian's recipient (age1pq1…: 'tvault custodian recipient' in a
teammate's vault prints it and its fingerprint), or --custodian-key-out
FILE to make a new custodian key, encrypted under a custodian passphrase.
Keep that file off this laptop: whoever holds it and its passphrase can
read every identity.

The vault pins its custodian: compare the custodian fingerprint it prints
with your teammates' out loud. Only 'tvault custodian rotate', with the
current custodian key, can change it.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			name := fs.String("name", "", "your `NAME` as the author of revisions (default: your user name)")
			recipient := fs.String("custodian-recipient", "", "seal identities to this custodian `RECIPIENT` (age1pq1…)")
			keyOut := fs.String("custodian-key-out", "", "create a custodian key and write it to `FILE` (keep it off this laptop)")
			return func(e *env, args []string) error {
				if err := noArgs("init", args); err != nil {
					return err
				}
				return runInit(e, initOptions{name: *name, recipient: *recipient, keyOut: *keyOut})
			}
		},
	})
}

type initOptions struct {
	name, recipient, keyOut string
}

func runInit(e *env, o initOptions) error {
	dir, err := e.dir()
	if err != nil {
		return err
	}
	if vault.Exists(dir) {
		return withHint(fmt.Errorf("a vault already exists in %q", dir), "use it, or choose another folder with --vault")
	}
	if o.recipient != "" && o.keyOut != "" {
		return usageError("init: give --custodian-recipient or --custodian-key-out, not both")
	}
	if o.recipient == "" && o.keyOut == "" {
		if e.passphraseFile != "" {
			return usageError("init needs a custodian: --custodian-recipient R or --custodian-key-out FILE")
		}
		if err := askCustodian(e, &o, dir); err != nil {
			return err
		}
	}
	name := o.name
	if name == "" {
		name = vault.DefaultMemberName()
	}

	var custodian *age.HybridRecipient
	var custodianKey []byte
	var custodianPass []byte // to refuse the same passphrase for both
	if o.recipient != "" {
		if custodian, err = crypto.ParseRecipient(o.recipient); err != nil {
			return usageError("--custodian-recipient: %v", err)
		}
	} else {
		if err := checkKeyOut(o.keyOut, dir); err != nil {
			return err
		}
		if err := vault.CustodianKeyOnLaptop(o.keyOut, dir); err != nil {
			warningf(e.stderr, "--custodian-key-out: %v", err)
		}
		c, err := crypto.NewIdentity()
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stderr, "The custodian passphrase protects the custodian key file. The custodian needs it to reveal identities.")
		cp, err := readPassphrase(e, e.custodianPassFile, "custodian passphrase", true)
		if err != nil {
			return err
		}
		custodianKey, err = crypto.SealCustodianKey(c, cp, time.Now())
		custodianPass = cp
		defer crypto.Wipe(cp)
		if err != nil {
			return err
		}
		custodian = c.Recipient()
	}

	p, err := readPassphrase(e, e.passphraseFile, "vault passphrase", true)
	if err != nil {
		return err
	}
	defer crypto.Wipe(p)
	if custodianKey != nil {
		if err := vault.CheckPassphrasesDiffer(p, custodianPass); err != nil {
			return &exitError{code: exitInvalid, err: err, hint: "nothing was created"}
		}
	}
	if custodianKey != nil {
		// The key file first: a vault whose custodian key was never written
		// would seal identities nobody can open.
		if err := fsx.WriteFileExclusive(o.keyOut, custodianKey); err != nil {
			return fmt.Errorf("failed to write the custodian key file: %w", err)
		}
	}
	v, err := vault.Create(dir, vault.CreateOptions{Name: name, Custodian: custodian, Passphrase: p})
	if err != nil {
		if custodianKey != nil {
			os.Remove(o.keyOut)
		}
		return err
	}
	defer v.Close()
	fmt.Fprintf(e.stderr, "Created a vault in %s.\n", dir)
	fmt.Fprintf(e.stderr, "Identities are sealed to the custodian, fingerprint %s.\n", v.CustodianFingerprint())
	fmt.Fprintf(e.stderr, "Teammates' vaults seal to the same one with\n  tvault init --custodian-recipient %s\n", custodian)
	fmt.Fprintln(e.stderr, "('tvault custodian recipient' prints it again.)")
	if custodianKey != nil {
		fmt.Fprintf(e.stderr, "\nThe custodian key is in %s.\n", o.keyOut)
		fmt.Fprintln(e.stderr, "Move it off this laptop (to the custodian's machine, or a USB stick kept apart):")
		fmt.Fprintln(e.stderr, "whoever has it and its passphrase can read every real identity in the vault.")
	}
	fmt.Fprintln(e.stderr, "\nNext: 'tvault add FILE' to add interviews from JSON, 'tvault list' to see them.")
	return nil
}

// askCustodian runs the guided choice of a custodian on the terminal.
func askCustodian(e *env, o *initOptions, dir string) error {
	in, tty, err := term.Open()
	if err != nil {
		return usageError("init needs a custodian: --custodian-recipient R or --custodian-key-out FILE")
	}
	defer term.Close(in, tty)
	r := bufio.NewReader(in)
	ask := func(q string) (string, error) {
		fmt.Fprint(tty, q)
		line, err := r.ReadString('\n')
		return strings.TrimSpace(line), err
	}
	fmt.Fprintln(tty, "Real identities are sealed to a custodian: after saving, this laptop cannot read them.")
	fmt.Fprintln(tty, "  1) create a new custodian key file (for example on a USB stick you then hand over)")
	fmt.Fprintln(tty, "  2) paste the custodian's recipient (age1pq1…)")
	for range 3 {
		choice, err := ask("Choose 1 or 2: ")
		if err != nil {
			return &exitError{code: exitCancelled, err: errors.New("setup cancelled")}
		}
		switch choice {
		case "1":
			// No path is suggested: any default would be on this laptop.
			// Each path is checked as it is typed, and asked again if it
			// cannot work, before any passphrase is asked for.
			for range 3 {
				path, err := ask("Where to write the custodian key file (on a USB stick, e.g. /media/…/tvault-custodian.age): ")
				if err != nil {
					return &exitError{code: exitCancelled, err: errors.New("setup cancelled")}
				}
				if err := checkKeyOut(path, dir); err != nil {
					fmt.Fprintln(tty, strings.TrimPrefix(err.Error(), "--custodian-key-out: "))
					continue
				}
				o.keyOut = path
				return nil
			}
			return &exitError{code: exitCancelled, err: errors.New("setup cancelled")}
		case "2":
			rcpt, err := ask("Custodian recipient: ")
			if err != nil {
				return &exitError{code: exitCancelled, err: errors.New("setup cancelled")}
			}
			if _, err := crypto.ParseRecipient(rcpt); err != nil {
				fmt.Fprintf(tty, "That is not a post-quantum age recipient (%v).\n", err)
				continue
			}
			o.recipient = rcpt
			return nil
		}
	}
	return &exitError{code: exitCancelled, err: errors.New("setup cancelled")}
}

// checkKeyOut refuses to put the custodian key where it must not be: over an
// existing file, inside the vault folder, or in a folder that does not exist
// or cannot be written (vault.CheckCustodianKeyPath).
func checkKeyOut(path, dir string) error {
	switch err := vault.CheckCustodianKeyPath(path, dir); {
	case errors.Is(err, vault.ErrKeyFileExists):
		return usageError("--custodian-key-out: %q already exists; tvault never overwrites a key file", path)
	case errors.Is(err, vault.ErrKeyFileInVault):
		return usageError("--custodian-key-out: the custodian key must not live inside the vault folder")
	case errors.Is(err, vault.ErrKeyFolderMissing), errors.Is(err, vault.ErrKeyFolderNotWritable):
		return usageError("--custodian-key-out: %q: %v", path, err)
	case err != nil:
		return usageError("--custodian-key-out: %v", err)
	}
	return nil
}
