package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tvault/tvault/internal/term"
	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "shred",
		args:    "[--custodian-key FILE] [--yes]",
		summary: "destroy the vault's keys so that it can never be opened again",
		help: `
Destroys every key slot of the vault (each is overwritten with random bytes,
synced and removed) and, with --custodian-key FILE, that custodian key file
too. No passphrase, key file or share card opens the vault afterwards: the
data stays on disk, encrypted to a key that no longer exists anywhere.

There is no undo. On a terminal it asks you to type the vault folder's name
(or "shred"); --yes skips that, for scripts. Without a terminal and without
--yes it refuses and changes nothing.

What shred cannot guarantee: on SSDs and flash drives, and on journaling or
copy-on-write file systems, the old bytes of a file may survive an
overwrite; backups, snapshots and copies of the vault folder keep their own
key slots. Share cards of the custodian key still rebuild it.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			keyFile := fs.String("custodian-key", "", "also destroy this custodian key `FILE`")
			yes := fs.Bool("yes", false, "do not ask for the typed confirmation")
			return func(e *env, args []string) error {
				if err := noArgs("shred", args); err != nil {
					return err
				}
				return runShred(e, *keyFile, *yes)
			}
		},
	})
}

// shredCaveats is what shred says it cannot guarantee, every time it runs.
const shredCaveats = `What shred cannot guarantee:
  - SSDs and flash drives remap writes, and journaling or copy-on-write file
    systems may keep old blocks: the overwritten keys may survive in places
    only forensic tools reach. Full-disk encryption is what protects those.
  - Backups, snapshots, synced folders and copies of the vault folder hold
    their own key slots; shred each of them too.
  - Share cards of a split custodian key still rebuild that key; destroy
    them as well if the custodian key must be gone.`

func runShred(e *env, keyFile string, yes bool) error {
	dir, err := e.dir()
	if err != nil {
		return err
	}
	if !vault.Exists(dir) {
		return fmt.Errorf("%w: %q", vault.ErrNoVault, dir)
	}
	// Check everything before destroying anything.
	if keyFile != "" {
		st, err := os.Lstat(keyFile)
		if err != nil {
			return usageError("--custodian-key: %v", err)
		}
		if !st.Mode().IsRegular() {
			return usageError("--custodian-key: %q is not a regular file", keyFile)
		}
	}
	if !yes {
		if err := confirmShred(dir, keyFile); err != nil {
			return err
		}
	}
	slots, err := vault.ShredSlots(dir)
	if err != nil {
		if len(slots) > 0 {
			err = fmt.Errorf("%w (%d key slots were already destroyed)", err, len(slots))
		}
		return err
	}
	what := fmt.Sprintf("%d key slots", len(slots))
	if len(slots) == 1 {
		what = "the only key slot"
	}
	fmt.Fprintf(e.stderr, "Destroyed %s (%s): nothing can open the vault in %s any more.\n",
		what, strings.Join(slots, ", "), dir)
	if keyFile != "" {
		if err := vault.ShredFile(keyFile); err != nil {
			return fmt.Errorf("the vault's key slots are destroyed, but the custodian key file could not be: %w", err)
		}
		fmt.Fprintf(e.stderr, "Destroyed the custodian key file %s.\n", keyFile)
	}
	fmt.Fprintln(e.stderr, shredCaveats)
	return nil
}

// confirmShred asks the person to type the vault folder's name, or "shred":
// a y/N prompt is too easy to answer by reflex for something without undo.
func confirmShred(dir, keyFile string) error {
	in, out, err := term.Open()
	if err != nil {
		return usageError("shred asks for a typed confirmation and there is no terminal; pass --yes")
	}
	defer term.Close(in, out)
	name := filepath.Base(filepath.Clean(dir))
	fmt.Fprintf(out, "This destroys the keys of the vault in %s: it can never be opened again.\n", dir)
	if keyFile != "" {
		fmt.Fprintf(out, "It also destroys the custodian key file %s.\n", keyFile)
	}
	fmt.Fprintf(out, "Type the vault folder's name (%s) or \"shred\" to go on: ", name)
	line, _ := bufio.NewReader(in).ReadString('\n')
	if !shredConfirmed(line, name) {
		return &exitError{code: exitCancelled, err: errors.New("cancelled; nothing was changed")}
	}
	return nil
}

// shredConfirmed reports whether a typed line confirms shredding the vault
// in a folder called name: the name itself, or "shred", exactly.
func shredConfirmed(line, name string) bool {
	answer := strings.TrimSpace(line)
	return answer != "" && answer != "." && (answer == name || answer == "shred")
}
