package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "identity",
		args:    "ID --custodian-key FILE [--json]",
		summary: "reveal a sealed identity and span secrets (custodian)",
		help: `
Opens the custodian key FILE with the custodian passphrase and prints the real
identity and the secrets of the sensitive spans of one interview. Nothing is
written anywhere: the output is for the custodian's eyes.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			keyFile := fs.String("custodian-key", "", "the custodian key `FILE`")
			asJSON := fs.Bool("json", false, "print JSON")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("identity takes one interview ID")
				}
				if *keyFile == "" {
					return usageError("identity needs --custodian-key FILE")
				}
				return runIdentity(e, args[0], *keyFile, *asJSON)
			}
		},
	})
}

func runIdentity(e *env, id, keyFile string, asJSON bool) error {
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return usageError("--custodian-key: %v", err)
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	// Resolve the ID before asking for the custodian passphrase: a typo
	// should not cost the custodian a passphrase entry.
	if _, err := v.Resolve(id); err != nil {
		return err
	}
	cp, err := readPassphrase(e, e.custodianPassFile, "custodian passphrase", false)
	if err != nil {
		return err
	}
	// A key refused is an audit event too.
	c, err := v.UnlockCustodianKey(key, cp, id)
	crypto.Wipe(cp)
	if errors.Is(err, vault.ErrWrongPassphrase) {
		return &exitError{code: exitWrongPassphrase, err: errors.New("wrong custodian passphrase"),
			hint: "nothing was revealed; check the custodian passphrase and the key file"}
	}
	if err != nil {
		return fmt.Errorf("custodian key file: %w", err)
	}
	r, err := v.Reveal(e.ctx, id, c)
	if err != nil {
		if errors.Is(err, vault.ErrWrongCustodianKey) {
			return withHint(err, "this vault's identities are sealed to "+v.Custodian().String())
		}
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, r)
	}
	printRevealed(e.stdout, r)
	return nil
}

func printRevealed(w io.Writer, r *vault.Revealed) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Pseudonym\t%s\n", r.Pseudonym)
	fmt.Fprintf(tw, "ID\t%s\n", r.ID)
	if r.Identity == nil {
		fmt.Fprintf(tw, "Identity\tnone recorded\n")
	} else {
		id := r.Identity
		fmt.Fprintf(tw, "Name\t%s\n", id.Name)
		if len(id.Aliases) > 0 {
			fmt.Fprintf(tw, "Aliases\t%s\n", strings.Join(id.Aliases, ", "))
		}
		if id.Contact != "" {
			fmt.Fprintf(tw, "Contact\t%s\n", id.Contact)
		}
		for i, rel := range id.Relatives {
			label := ""
			if i == 0 {
				label = "Relatives"
			}
			fmt.Fprintf(tw, "%s\t%s: %s\n", label, rel.Relation, rel.Name)
		}
		if id.Notes != "" {
			fmt.Fprintf(tw, "Notes\t%s\n", id.Notes)
		}
	}
	for i, s := range r.Spans {
		label := ""
		if i == 0 {
			label = "Spans"
		}
		fmt.Fprintf(tw, "%s\t[%s] = %s\n", label, s.Description, s.Secret)
	}
	tw.Flush()
}
