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
	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "custodian",
		args:    "recipient [--json] | split -k K -n N -o DIR --custodian-key FILE | recover -o FILE SHARE... | rotate --custodian-key FILE (--new-custodian-key-out FILE | --new-custodian-recipient R)",
		summary: "the pinned custodian; share cards of its key; rotate to a new custodian",
		help: "\n" + custodianRecipientHelp + "\n\n" + custodianSplitHelp + "\n\n" + custodianRecoverHelp + "\n\n" +
			"No vault is needed for split or recover: run them on the custodian's machine.\n\n" + custodianRotateHelp,
		subs: []*command{{
			name:    "recipient",
			args:    "[--json]",
			summary: "the custodian's recipient and fingerprint, for teammates' init",
			help:    custodianRecipientHelp,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				asJSON := fs.Bool("json", false, "print them as JSON")
				return func(e *env, args []string) error {
					if err := noArgs("custodian recipient", args); err != nil {
						return err
					}
					return runCustodianRecipient(e, *asJSON)
				}
			},
		}, {
			name:    "split",
			args:    "-k K -n N -o DIR --custodian-key FILE",
			summary: "write share cards of the custodian key: any K of N rebuild it",
			help:    custodianSplitHelp,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				k := fs.Int("k", 0, "`K` shares rebuild the key")
				n := fs.Int("n", 0, "write `N` share cards")
				out := fs.String("o", "", "the `DIR` to write cards into")
				keyFile := fs.String("custodian-key", "", "the custodian key `FILE`")
				return func(e *env, args []string) error {
					if err := noArgs("custodian split", args); err != nil {
						return err
					}
					return runCustodianSplit(e, *k, *n, *out, *keyFile)
				}
			},
		}, {
			name:    "recover",
			args:    "-o FILE SHARE...",
			summary: "rebuild the custodian key file from K share cards",
			help:    custodianRecoverHelp,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				out := fs.String("o", "", "the key `FILE` to write")
				return func(e *env, args []string) error {
					return runCustodianRecover(e, *out, args)
				}
			},
		}, {
			name:    "rotate",
			args:    "--custodian-key FILE (--new-custodian-key-out FILE | --new-custodian-recipient R)",
			summary: "move the vault to a new custodian key",
			help:    custodianRotateHelp,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				keyFile := fs.String("custodian-key", "", "the current custodian key `FILE`")
				newOut := fs.String("new-custodian-key-out", "", "write a new custodian key to `FILE`")
				newRcpt := fs.String("new-custodian-recipient", "", "rotate to this custodian `RECIPIENT` (age1pq1…)")
				newPass := fs.String("new-custodian-passphrase-file", "", "the new key file's passphrase, from the first line of `PATH`")
				yes := fs.Bool("yes", false, "do not ask for confirmation")
				return func(e *env, args []string) error {
					if err := noArgs("custodian rotate", args); err != nil {
						return err
					}
					return runCustodianRotate(e, *keyFile, *newOut, *newRcpt, *newPass, *yes)
				}
			},
		}},
	})
}

const custodianRecipientHelp = `recipient prints the recipient this vault seals identities to, and its
fingerprint. A teammate's 'tvault init --custodian-recipient R' seals to the
same custodian; compare the fingerprint out loud. The vault pinned it at
init: only 'custodian rotate', with the current custodian key, changes it.`

const custodianSplitHelp = `split writes N share cards into DIR (share-1-of-N.txt …), printable text
files. Any K of them rebuild the custodian key; fewer reveal nothing about
it. It asks for the custodian passphrase of the key FILE (or reads
--custodian-passphrase-file). Print the cards, give each to a different
person, and delete the files.`

const custodianRecoverHelp = `recover rebuilds a custodian key file from any K cards of one split and
writes it to FILE under a NEW custodian passphrase: from
--custodian-passphrase-file, or asked twice on the terminal. Too few cards
(exit 2), or a changed, mistyped or foreign card (exit 4) are refused and
nothing is written: recovery never yields a wrong key.`

const custodianRotateHelp = `rotate moves the vault to a new custodian key, in one step: every identity
and span secret is opened with the old key (--custodian-key, its passphrase
from --custodian-passphrase-file or the terminal) and sealed again to the new
one, a new key written to --new-custodian-key-out (its passphrase from
--new-custodian-passphrase-file or asked twice) or an existing
--new-custodian-recipient. Everything sealed to the old key is deleted from
this vault. Teammates' vaults must rotate too. Asks for confirmation on a
terminal; --yes for scripts.`

func runCustodianRecipient(e *env, asJSON bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	r, fp := v.Custodian().String(), v.CustodianFingerprint()
	if asJSON {
		return writeJSON(e.stdout, struct {
			Recipient   string `json:"recipient"`
			Fingerprint string `json:"fingerprint"`
		}{r, fp})
	}
	fmt.Fprintln(e.stdout, r)
	fmt.Fprintf(e.stdout, "fingerprint: %s\n", fp)
	fmt.Fprintln(e.stderr, "Teammates: tvault init --custodian-recipient <the recipient above>, then compare the fingerprint out loud.")
	return nil
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
		if err := fsx.WriteFileExclusive(names[i], card.Format()); err != nil {
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
	if err := fsx.WriteFileExclusive(out, key); err != nil {
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

func runCustodianRotate(e *env, keyFile, newOut, newRcpt, newPassFile string, yes bool) error {
	if keyFile == "" {
		return usageError("custodian rotate needs --custodian-key FILE (the current custodian key)")
	}
	if (newOut == "") == (newRcpt == "") {
		return usageError("custodian rotate needs --new-custodian-key-out FILE or --new-custodian-recipient R (one of them)")
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return usageError("--custodian-key: %v", err)
	}
	var next *age.HybridRecipient
	if newRcpt != "" {
		if next, err = crypto.ParseRecipient(newRcpt); err != nil {
			return usageError("--new-custodian-recipient: %v", err)
		}
	}
	dir, err := e.dir()
	if err != nil {
		return err
	}
	if newOut != "" {
		if err := checkKeyOut(newOut, dir); err != nil {
			return err
		}
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	old, err := openCustodianKey(e, key)
	if err != nil {
		return err
	}
	if !yes {
		fmt.Fprintln(e.stderr, "Every identity and span secret will be sealed to the new custodian key, and what is sealed to the old one deleted from this vault.")
		if err := confirm("Rotate the custodian?"); err != nil {
			return err
		}
	}
	var newKey []byte
	if newOut != "" {
		c, err := crypto.NewIdentity()
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stderr, "The new custodian key file needs its own passphrase.")
		p, err := readPassphrase(e, newPassFile, "new custodian passphrase", true)
		if err != nil {
			return err
		}
		newKey, err = crypto.SealCustodianKey(c, p, time.Now())
		crypto.Wipe(p)
		if err != nil {
			return err
		}
		// The new key file first: identities sealed to a key that was never
		// written would be lost.
		if err := fsx.WriteFileExclusive(newOut, newKey); err != nil {
			return fmt.Errorf("failed to write the new custodian key file: %w", err)
		}
		next = c.Recipient()
	}
	rep, err := v.RotateCustodian(e.ctx, old, next, nil)
	if err != nil {
		if newOut != "" {
			if errors.Is(err, vault.ErrWrongCustodianKey) {
				os.Remove(newOut) // nothing was sealed to it
			} else {
				// The rotation may have been saved: the new key may be the
				// only one that opens the identities.
				return withHint(err, "keep "+newOut+": if the rotation was saved, only it opens the identities; run 'tvault check'")
			}
		}
		return err
	}
	fmt.Fprintf(e.stderr, "Rotated: %d interviews sealed to the new custodian, %d old sealed items deleted.\n", rep.Interviews, rep.Retired)
	if newOut != "" {
		fmt.Fprintf(e.stderr, "The new custodian key is in %s: move it off this laptop. The old key no longer opens anything in this vault.\n", newOut)
	}
	fmt.Fprintln(e.stderr, "Teammates' vaults keep what is sealed to the old key until they rotate too.")
	return nil
}
