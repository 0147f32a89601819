package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"filippo.io/age"
	"filippo.io/age/plugin"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/term"
	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "passwd",
		args:    "[--new-passphrase-file PATH]",
		summary: "change the vault passphrase",
		help: `
Asks for the current vault passphrase (or reads --passphrase-file), then the
new one twice (or reads --new-passphrase-file), and rekeys the vault (see
'tvault rekey --help'): a new vault key, the vault rewritten under it, one
key slot for the new passphrase, and every old slot overwritten and removed.
The old passphrase, and the vault key it gave, open nothing afterwards and
can write nothing the vault accepts. Other slots ('tvault keys list') held
the old vault key and are destroyed too: add them again with 'keys add'.
A crash at any moment leaves the old vault or the new one, whole.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			newFile := fs.String("new-passphrase-file", "", "read the new passphrase from the first line of `PATH`")
			return func(e *env, args []string) error {
				if err := noArgs("passwd", args); err != nil {
					return err
				}
				if e.identityFile != "" {
					return usageError("passwd changes the passphrase the vault is opened with; open it with the passphrase, not --identity (or use 'keys add')")
				}
				return runPasswd(e, *newFile)
			}
		},
	})
	register(&command{
		name:    "keys",
		args:    "list [--json] | add [--new-passphrase-file PATH | --recipient R] | remove SLOT [--yes]",
		summary: "list, add and remove the vault's key slots",
		help: `
Key slots are the ways to open the vault: each holds the vault key, encrypted
under a passphrase or to an age recipient. None of these commands
re-encrypts the data.

  keys list           the slots: name, kind (passphrase or recipient), the
                      age stanza type, and * for the one that opened the vault
  keys add            a second passphrase (asked twice, or --new-passphrase-file)
  keys add --recipient R
                      a slot for any age recipient: age1pq1… (post-quantum),
                      age1…, ssh-ed25519 …, or a plugin recipient such as
                      age1yubikey1… (the plugin, age-plugin-yubikey, must be
                      installed). Open the vault with it by --identity FILE.
  keys remove SLOT    remove a slot; never the last one. Asks for
                      confirmation on a terminal; --yes for scripts.`,
		subs: []*command{{
			name:    "list",
			args:    "[--json]",
			summary: "the slots: name, kind, age stanza type; * marks the one that opened the vault",
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				asJSON := fs.Bool("json", false, "print JSON")
				return func(e *env, args []string) error {
					if err := noArgs("keys list", args); err != nil {
						return err
					}
					return runKeysList(e, *asJSON)
				}
			},
		}, {
			name:    "add",
			args:    "[--new-passphrase-file PATH | --recipient R]",
			summary: "a second passphrase, or a slot for an age recipient",
			help: `
Without --recipient: a second passphrase, asked twice on the terminal or read
from --new-passphrase-file. With --recipient R: a slot for any age recipient:
age1pq1… (post-quantum), age1…, ssh-ed25519 …, or a plugin recipient such as
age1yubikey1… (the plugin, age-plugin-yubikey, must be installed). Open the
vault with it by --identity FILE.`,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				newFile := fs.String("new-passphrase-file", "", "read the new slot's passphrase from the first line of `PATH`")
				recipient := fs.String("recipient", "", "a slot for the age `RECIPIENT` instead of a passphrase")
				return func(e *env, args []string) error {
					if err := noArgs("keys add", args); err != nil {
						return err
					}
					if *newFile != "" && *recipient != "" {
						return usageError("keys add: give --new-passphrase-file or --recipient, not both")
					}
					return runKeysAdd(e, *newFile, *recipient)
				}
			},
		}, {
			name:    "remove",
			args:    "SLOT [--yes]",
			summary: "remove a key slot; never the last one",
			help: `
Asks for confirmation on a terminal; --yes for scripts.`,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				yes := fs.Bool("yes", false, "do not ask for confirmation")
				return func(e *env, args []string) error {
					if len(args) != 1 {
						return usageError("keys remove takes one slot name (see 'tvault keys list')")
					}
					return runKeysRemove(e, args[0], *yes)
				}
			},
		}},
	})
}

func runPasswd(e *env, newFile string) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	old := v.CurrentSlot()
	p, err := readPassphrase(e, newFile, "vault passphrase", true)
	if err != nil {
		return err
	}
	defer crypto.Wipe(p)
	r, err := v.ChangePassphrase(e.ctx, p)
	if r == nil && err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Changed the vault passphrase and the vault key: key slot %s replaces %s. The old passphrase no longer opens the vault.\n", r.Slot, old)
	printDropped(e, r)
	return err
}

// printDropped tells which other slots a rekey destroyed.
func printDropped(e *env, r *vault.Rekeyed) {
	if len(r.Dropped) > 0 {
		fmt.Fprintf(e.stderr, "Key slots %s held the old vault key and were destroyed; add them again with 'tvault keys add'.\n", strings.Join(r.Dropped, ", "))
	}
}

func runKeysList(e *env, asJSON bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	slots, err := v.Slots()
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, slots)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLOT\tKIND\tTYPE\t")
	for _, s := range slots {
		cur := ""
		if s.Current {
			cur = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Kind, strings.Join(s.Stanzas, ","), cur)
	}
	return tw.Flush()
}

func runKeysAdd(e *env, newFile, recipient string) error {
	if recipient != "" {
		rcpt, err := crypto.ParseAnyRecipient(recipient, pluginUI(e))
		if err != nil {
			return usageError("--recipient: %v", err)
		}
		v, err := openVault(e)
		if err != nil {
			return err
		}
		defer v.Close()
		name, err := v.AddRecipient(e.ctx, rcpt)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, name)
		fmt.Fprintf(e.stderr, "Added key slot %s: the vault now also opens with that recipient's identity (--identity FILE).\n", name)
		return nil
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	p, err := readPassphrase(e, newFile, "vault passphrase", true)
	if err != nil {
		return err
	}
	defer crypto.Wipe(p)
	name, err := v.AddPassphrase(e.ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, name)
	fmt.Fprintf(e.stderr, "Added key slot %s: the vault now also opens with the new passphrase.\n", name)
	return nil
}

func runKeysRemove(e *env, name string, yes bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	slots, err := v.Slots()
	if err != nil {
		return err
	}
	name = strings.TrimSuffix(name, ".age")
	var found *vault.Slot
	for i := range slots {
		if slots[i].Name == name {
			found = &slots[i]
		}
	}
	if found == nil {
		return &exitError{code: exitNotFound, err: fmt.Errorf("%w: %q", vault.ErrNoSlot, name),
			hint: "'tvault keys list' shows the slots"}
	}
	if len(slots) < 2 {
		return withHint(vault.ErrLastSlot, "add another first ('tvault keys add'), or change the passphrase with 'tvault passwd'")
	}
	if !yes {
		q := fmt.Sprintf("Remove key slot %s (%s)? Whatever opens it will no longer open the vault.", name, found.Kind)
		if found.Current {
			q = fmt.Sprintf("Remove key slot %s, the one you just opened the vault with?", name)
		}
		if err := confirm(q); err != nil {
			return err
		}
	}
	if err := v.RemoveSlot(e.ctx, name); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Removed key slot %s.\n", name)
	return nil
}

// confirm asks a yes/no question on the terminal. It returns nil for yes,
// an exitCancelled error for anything else, and a usage error when there is
// no terminal to ask on.
func confirm(question string) error {
	in, out, err := term.Open()
	if err != nil {
		return usageError("this asks for confirmation and there is no terminal; pass --yes")
	}
	defer term.Close(in, out)
	fmt.Fprintf(out, "%s [y/N] ", question)
	line, _ := bufio.NewReader(in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return &exitError{code: exitCancelled, err: errors.New("cancelled; nothing was changed")}
}

// readIdentityFile reads the identities of the file named by --identity.
func readIdentityFile(e *env) ([]age.Identity, error) {
	data, err := os.ReadFile(e.identityFile)
	if err != nil {
		return nil, usageError("--identity: %v", err)
	}
	defer crypto.Wipe(data)
	ids, err := crypto.ParseIdentityFile(data, pluginUI(e))
	if err != nil {
		return nil, usageError("--identity: %v", err)
	}
	return ids, nil
}

// pluginUI lets an age plugin (age-plugin-yubikey …) talk to the person:
// messages go to stderr, PINs and confirmations through the terminal.
func pluginUI(e *env) *plugin.ClientUI {
	return &plugin.ClientUI{
		DisplayMessage: func(name, message string) error {
			fmt.Fprintf(e.stderr, "tvault: age-plugin-%s: %s\n", name, message)
			return nil
		},
		RequestValue: func(name, prompt string, secret bool) (string, error) {
			p, err := term.ReadPassphrase(fmt.Sprintf("age-plugin-%s: %s ", name, prompt))
			if err != nil {
				return "", err
			}
			// The plugin protocol takes the value as a string: this copy of
			// a PIN cannot be wiped.
			s := string(p)
			crypto.Wipe(p)
			return s, nil
		},
		Confirm: func(name, prompt, yes, no string) (bool, error) {
			if no == "" {
				return true, confirm(fmt.Sprintf("age-plugin-%s: %s (%s)", name, prompt, yes))
			}
			err := confirm(fmt.Sprintf("age-plugin-%s: %s (y = %s, n = %s)", name, prompt, yes, no))
			if err != nil {
				var ee *exitError
				if errors.As(err, &ee) && ee.code == exitCancelled {
					return false, nil
				}
				return false, err
			}
			return true, nil
		},
		WaitTimer: func(name string) {
			fmt.Fprintf(e.stderr, "tvault: waiting for age-plugin-%s (touch your hardware key?)\n", name)
		},
	}
}
