package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

func init() {
	register(&command{
		name:    "custodian",
		args:    "split -k K -n N -o DIR --custodian-key FILE | recover -o FILE SHARE...",
		summary: "split the custodian key into k-of-n share cards, or rebuild it",
		help: `
split writes N share cards into DIR (share-1-of-N.txt …), printable text
files. Any K of them rebuild the custodian key; fewer reveal nothing about
it. It asks for the custodian passphrase of the key FILE (or reads
--custodian-passphrase-file). Print the cards, give each to a different
person, and delete the files.

recover rebuilds a custodian key file from any K cards of one split and
writes it to FILE under a NEW custodian passphrase: from
--custodian-passphrase-file, or asked twice on the terminal. Too few cards
(exit 2), or a changed, mistyped or foreign card (exit 4) are refused and
nothing is written: recovery never yields a wrong key.

No vault is needed for either: run them on the custodian's machine.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			k := fs.Int("k", 0, "split: `K` shares rebuild the key")
			n := fs.Int("n", 0, "split: write `N` share cards")
			out := fs.String("o", "", "split: the `DIR` to write cards into; recover: the key FILE to write")
			keyFile := fs.String("custodian-key", "", "split: the custodian key `FILE` to split")
			return func(e *env, args []string) error {
				if len(args) == 0 {
					return usageError("custodian needs a subcommand: split or recover (see 'tvault custodian --help')")
				}
				switch args[0] {
				case "split":
					if err := noArgs("custodian split", args[1:]); err != nil {
						return err
					}
					return runCustodianSplit(e, *k, *n, *out, *keyFile)
				case "recover":
					if *k != 0 || *n != 0 || *keyFile != "" {
						return usageError("custodian recover takes -o FILE and share cards only")
					}
					return runCustodianRecover(e, *out, args[1:])
				}
				return usageError("unknown custodian subcommand %q (split or recover)", args[0])
			}
		},
	})
}

func runCustodianSplit(e *env, k, n int, dir, keyFile string) error {
	switch {
	case keyFile == "":
		return usageError("custodian split needs --custodian-key FILE")
	case dir == "":
		return usageError("custodian split needs -o DIR for the share cards")
	case k < 2 || n < k || n > crypto.MaxShares:
		return usageError("custodian split needs 2 ≤ -k K ≤ -n N ≤ %d (got -k %d -n %d)", crypto.MaxShares, k, n)
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return usageError("--custodian-key: %v", err)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = filepath.Join(dir, fmt.Sprintf("share-%d-of-%d.txt", i+1, n))
		if _, err := os.Lstat(names[i]); err == nil {
			return usageError("-o: %q already exists; tvault never overwrites a share card", names[i])
		}
	}
	c, err := openCustodianKey(e, key)
	if err != nil {
		return err
	}
	cards, err := crypto.SplitCustodianKey(c, k, n, time.Now())
	if err != nil {
		return err
	}
	// Check the cards before anyone relies on them: the first k, printed
	// and read back, must rebuild this very key.
	var back []*crypto.ShareCard
	for _, card := range cards[:k] {
		p, err := crypto.ParseShareCard(card.Format())
		if err != nil {
			return fmt.Errorf("internal error: a new share card does not read back: %w", err)
		}
		back = append(back, p)
	}
	// Compared by recipient: the same key pair, without printing either
	// secret key into strings that cannot be wiped.
	if got, err := crypto.RecoverCustodianKey(back); err != nil || got.Recipient().String() != c.Recipient().String() {
		return errors.New("internal error: the new share cards do not rebuild the key; nothing was written")
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("failed to create the card folder: %w", err)
	}
	for i, card := range cards {
		if err := writeExclusive(names[i], card.Format()); err != nil {
			for _, done := range names[:i] {
				os.Remove(done)
			}
			return fmt.Errorf("failed to write share card %d: %w (no card was kept)", i+1, err)
		}
	}
	for _, name := range names {
		fmt.Fprintln(e.stdout, name)
	}
	fmt.Fprintf(e.stderr, "Wrote %d share cards of split %s; any %d of them rebuild the custodian key.\n", n, cards[0].SplitIDString(), k)
	fmt.Fprintln(e.stderr, "Print them, give each to a different person, then delete the files.")
	return nil
}

func runCustodianRecover(e *env, out string, paths []string) error {
	if out == "" {
		return usageError("custodian recover needs -o FILE for the rebuilt key")
	}
	if len(paths) == 0 {
		return usageError("custodian recover needs the share card files")
	}
	if _, err := os.Lstat(out); err == nil {
		return usageError("-o: %q already exists; tvault never overwrites a key file", out)
	}
	const hint = "nothing was written; check each card against its printout (the check value names a mistyped card) and that all come from one split"
	cards := make([]*crypto.ShareCard, len(paths))
	for i, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return usageError("share card: %v", err)
		}
		if cards[i], err = crypto.ParseShareCard(data); err != nil {
			return withHint(fmt.Errorf("share card %q: %w", path, err), hint)
		}
	}
	c, err := crypto.RecoverCustodianKey(cards)
	if errors.Is(err, crypto.ErrTooFewShares) {
		return &exitError{code: exitUsage, err: err,
			hint: fmt.Sprintf("this split needs %d different cards; nothing was written", cards[0].Threshold)}
	}
	if err != nil {
		return withHint(err, hint)
	}
	fmt.Fprintln(e.stderr, "The share cards fit together. Choose a new custodian passphrase for the rebuilt key file.")
	cp, err := readPassphrase(e, e.custodianPassFile, "custodian passphrase", true)
	if err != nil {
		return err
	}
	key, err := crypto.SealCustodianKey(c, cp, time.Now())
	crypto.Wipe(cp)
	if err != nil {
		return err
	}
	if err := writeExclusive(out, key); err != nil {
		return fmt.Errorf("failed to write the custodian key file: %w", err)
	}
	fmt.Fprintf(e.stderr, "Rebuilt the custodian key from split %s into %s, under the new custodian passphrase.\n", cards[0].SplitIDString(), out)
	return nil
}

// openCustodianKey asks for the custodian passphrase and opens the key file.
func openCustodianKey(e *env, key []byte) (*age.HybridIdentity, error) {
	cp, err := readPassphrase(e, e.custodianPassFile, "custodian passphrase", false)
	if err != nil {
		return nil, err
	}
	c, err := crypto.OpenCustodianKey(key, cp)
	crypto.Wipe(cp)
	if errors.Is(err, crypto.ErrWrongPassphrase) {
		return nil, &exitError{code: exitWrongPassphrase, err: errors.New("wrong custodian passphrase"),
			hint: "nothing was changed; check the custodian passphrase and the key file"}
	}
	if err != nil {
		return nil, fmt.Errorf("custodian key file: %w", err)
	}
	return c, nil
}
