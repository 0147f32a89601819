package main

import (
	"flag"
	"fmt"
)

func init() {
	register(&command{
		name:    "whoami",
		args:    "[-o CARD] [--json] | --rotate [--yes] [--json]",
		summary: "print your member card, to give to teammates; --rotate replaces your member key",
		help: `
Your member card holds your name, your post-quantum recipient (teammates
encrypt bundles to it) and your signing key (they check your bundles with
it), signed by that key. It holds nothing secret. Give it to teammates on
paper, by USB stick, in person; then compare its fingerprint out loud.
--json prints your name, fingerprint, recipient and card as JSON.

--rotate replaces your member key after a compromise (a laptop out of your
hands, a coerced passphrase): a new recipient and signing key, with a
statement signed by the old key and the new one. Everything you sign from
then on is signed with the new key, and every bundle you export carries the
statement: teammates who import it are told your key changed, and should
compare the new fingerprint with you out loud. The old signing key is
destroyed; the old recipient key is kept only to decrypt bundles teammates
send before they learn the new one. Run 'tvault rekey' too: whoever had
your passphrase also has the vault key. Asks to confirm; --yes for scripts.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			out := fs.String("o", "", "write the card to `FILE` instead of standard output")
			rotate := fs.Bool("rotate", false, "replace your member key (after a compromise)")
			yes := fs.Bool("yes", false, "with --rotate: do not ask to confirm")
			asJSON := fs.Bool("json", false, "print JSON")
			return func(e *env, args []string) error {
				if err := noArgs("whoami", args); err != nil {
					return err
				}
				if *rotate && *out != "" {
					return usageError("whoami: --rotate and -o do not go together; run 'tvault whoami -o CARD' after the rotation")
				}
				if *yes && !*rotate {
					return usageError("whoami: --yes goes with --rotate")
				}
				if *rotate {
					return runWhoamiRotate(e, *yes, *asJSON)
				}
				return runWhoami(e, *out, *asJSON)
			}
		},
	})
}

// whoamiJSON is what whoami --json prints.
type whoamiJSON struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	Recipient   string `json:"recipient"`
	Card        string `json:"card"`
}

func runWhoami(e *env, out string, asJSON bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	data, card, err := v.Card()
	if err != nil {
		return err
	}
	switch {
	case out != "":
		if card, err = v.WriteCard(out); err != nil {
			return fmt.Errorf("failed to write the card: %w", err)
		}
		fmt.Fprintf(e.stderr, "Wrote the card of %s to %s.\n", card.Name, out)
	case asJSON:
		return writeJSON(e.stdout, whoamiJSON{Name: card.Name, Fingerprint: card.Fingerprint(), Recipient: card.Recipient, Card: string(data)})
	default:
		e.stdout.Write(data)
	}
	fmt.Fprintf(e.stderr, "Fingerprint: %s\n", card.Fingerprint())
	return nil
}

func runWhoamiRotate(e *env, yes, asJSON bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	_, card, err := v.Card()
	if err != nil {
		return err
	}
	if !yes {
		fmt.Fprintf(e.stderr, "This replaces the member key of %s (fingerprint %s) with a new one. Teammates learn it from your next bundle; the old key signs nothing any more.\n",
			card.Name, card.Fingerprint())
		if err := confirm("Rotate your member key?"); err != nil {
			return err
		}
	}
	k, err := v.RotateMemberKey(e.ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, k)
	}
	fmt.Fprintf(e.stderr, "Your member key changed.\nOld fingerprint: %s\nNew fingerprint: %s\n", k.OldFingerprint, k.NewFingerprint)
	fmt.Fprintln(e.stderr, "Export a bundle to each teammate: importing it tells them your key changed. Read them the new fingerprint out loud.")
	fmt.Fprintln(e.stderr, "If your passphrase was compromised too, run 'tvault rekey'.")
	return nil
}
