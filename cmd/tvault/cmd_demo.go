package main

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/internal/synth"
	"github.com/tvault/tvault/vault"
	"golang.org/x/term"
)

func init() {
	register(&command{
		name:    "demo",
		args:    "[DIR] [--interviews N]",
		summary: "make a vault full of synthetic interviews, to try things",
		help: `
Creates DIR/vault, a vault of synthetic interviews in English and Chinese
(invented people, places and events), and DIR/custodian.age, its custodian
key. It needs no terminal: it makes up the two passphrases and writes them
into DIR/vault-passphrase.txt and DIR/custodian-passphrase.txt (readable by
you only; the data is synthetic, so they guard nothing real), unless
--passphrase-file and --custodian-passphrase-file give them. It prints the
command that opens the demo in the terminal UI.

Without DIR, the demo goes in tvault-demo in your home folder and, on a
terminal, opens at once in the terminal UI, unlocked; run again, it opens
the demo made the first time.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			n := fs.Int("interviews", 40, "how many `N` interviews to make")
			return func(e *env, args []string) error {
				if len(args) > 1 {
					return usageError("demo takes one DIR, or none")
				}
				if *n < 1 || *n > 100000 {
					return usageError("--interviews must be between 1 and 100000")
				}
				if len(args) == 1 {
					return runDemo(e, args[0], *n, false)
				}
				home, err := os.UserHomeDir()
				if err != nil || home == "" {
					return usageError("demo: no home folder; give a DIR")
				}
				return runDemo(e, filepath.Join(home, "tvault-demo"), *n, true)
			}
		},
	})
}

// runDemo makes the demo in dir. open (no DIR given) opens it in the
// terminal UI on a terminal, and opens the one made before if dir holds it.
func runDemo(e *env, dir string, n int, open bool) error {
	vdir := filepath.Join(dir, "vault")
	keyPath := filepath.Join(dir, "custodian.age")
	onTerminal := term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
	if passFile := filepath.Join(dir, demoPassName); open && onTerminal && vault.Exists(vdir) && e.passphraseFile == "" {
		if _, err := os.Lstat(passFile); err == nil {
			fmt.Fprintf(e.stderr, "Opening the demo made before, in %s.\n", vdir)
			return openDemo(e, vdir, passFile)
		}
	}
	if vault.Exists(vdir) {
		return usageError("demo: %q already holds a vault", vdir)
	}
	if _, err := os.Lstat(keyPath); err == nil {
		return usageError("demo: %q already exists", keyPath)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	c, err := crypto.NewIdentity()
	if err != nil {
		return err
	}
	cp, p, wrote, err := demoPassphrases(e, dir)
	if err != nil {
		return err
	}
	defer crypto.Wipe(p)
	key, err := crypto.SealCustodianKey(c, cp, time.Now())
	cpSum := sha256.Sum256(cp)
	crypto.Wipe(cp)
	if err != nil {
		return err
	}
	if sha256.Sum256(p) == cpSum {
		return &exitError{code: exitInvalid, err: errors.New("the vault passphrase must differ from the custodian passphrase")}
	}
	if err := fsx.WriteFileExclusive(keyPath, key); err != nil {
		return err
	}
	v, err := vault.Create(vdir, vault.CreateOptions{Name: "demo", Custodian: c.Recipient(), Passphrase: p})
	if err != nil {
		os.Remove(keyPath)
		return err
	}
	inputs := synth.Interviews(uint64(time.Now().UnixNano()), n, 1200)
	ids, err := v.Add(e.ctx, inputs)
	v.Close()
	if err != nil {
		return err
	}
	passFile, cpassFile := e.passphraseFile, e.custodianPassFile
	if wrote {
		passFile, cpassFile = filepath.Join(dir, demoPassName), filepath.Join(dir, demoCustodianPassName)
	}
	fmt.Fprintf(e.stderr, "Made a demo vault of %d synthetic interviews (invented people, places and events) in %s\n", len(ids), vdir)
	fmt.Fprintf(e.stderr, "and its custodian key in %s.\n", keyPath)
	if wrote {
		fmt.Fprintf(e.stderr, "Its passphrases are in %s and %s:\nthe data is synthetic; never keep a real vault's passphrase in a file.\n", passFile, filepath.Join(dir, demoCustodianPassName))
	}
	fmt.Fprintf(e.stderr, "\nOpen it in the terminal UI:\n  tvault --vault %s --passphrase-file %s\n\nOr try:\n", vdir, passFile)
	fmt.Fprintf(e.stderr, "  tvault --vault %s list --passphrase-file %s\n", vdir, passFile)
	fmt.Fprintf(e.stderr, "  tvault --vault %s show %s --passphrase-file %s\n", vdir, ids[0][:8], passFile)
	fmt.Fprintf(e.stderr, "  tvault --vault %s search 警察 --passphrase-file %s\n", vdir, passFile)
	fmt.Fprintf(e.stderr, "  tvault --vault %s identity %s --custodian-key %s --passphrase-file %s --custodian-passphrase-file %s\n",
		vdir, ids[0][:8], keyPath, passFile, cpassFile)
	if open && onTerminal {
		return openDemo(e, vdir, passFile)
	}
	return nil
}

// openDemo opens the demo vault in the terminal UI, unlocked with the
// passphrase in passFile.
func openDemo(e *env, vdir, passFile string) error {
	e.vaultDir, e.passphraseFile = vdir, passFile
	return runDefault(e)
}

const (
	demoPassName          = "vault-passphrase.txt"
	demoCustodianPassName = "custodian-passphrase.txt"
)

// demoPassphrases returns the custodian and vault passphrases of a demo:
// read from --custodian-passphrase-file and --passphrase-file when both
// are given, or else made up and written into dir (mode 0600), so that
// the demo needs no terminal. wrote says which.
func demoPassphrases(e *env, dir string) (cp, p []byte, wrote bool, err error) {
	if e.passphraseFile != "" && e.custodianPassFile != "" {
		if cp, err = readPassphrase(e, e.custodianPassFile, "custodian passphrase", true); err != nil {
			return nil, nil, false, err
		}
		if p, err = readPassphrase(e, e.passphraseFile, "vault passphrase", true); err != nil {
			crypto.Wipe(cp)
			return nil, nil, false, err
		}
		return cp, p, false, nil
	}
	for _, f := range []string{demoPassName, demoCustodianPassName} {
		if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
			return nil, nil, false, usageError("demo: %q already exists", filepath.Join(dir, f))
		}
	}
	p, cp = randomPassphrase(), randomPassphrase()
	for f, pass := range map[string][]byte{demoPassName: p, demoCustodianPassName: cp} {
		if err := fsx.WriteFileExclusive(filepath.Join(dir, f), append(pass[:len(pass):len(pass)], '\n')); err != nil {
			return nil, nil, false, err
		}
	}
	return cp, p, true, nil
}

// randomPassphrase is 6 groups of 5 random letters and digits (about 150
// bits).
func randomPassphrase() []byte {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	buf := make([]byte, 30)
	rand.Read(buf)
	var out []byte
	for i, c := range buf {
		if i > 0 && i%5 == 0 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	crypto.Wipe(buf)
	return out
}
