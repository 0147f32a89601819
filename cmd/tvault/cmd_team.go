package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// stringList is a flag that may be given many times.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func init() {
	register(&command{
		name:    "team",
		args:    "add CARD [--yes] | list [--json] | remove NAME",
		summary: "the roster of teammates whose bundles you accept",
		help: `
  team add CARD     put a teammate's card on the roster, after you compare its
                    fingerprint with them out loud (asked on a terminal;
                    --yes for scripts). A card whose signature fails is refused.
  team list         the roster: name and fingerprint (--json for scripts)
  team remove NAME  take a member off the roster: their bundles are refused
                    from then on`,
		subs: []*command{{
			name:    "add",
			args:    "CARD [--yes]",
			summary: "put a teammate's card on the roster",
			help: `
Shows the card's name and fingerprint and asks you to compare the
fingerprint with the teammate out loud (on a terminal; --yes for scripts).
A card whose signature fails is refused.`,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				yes := fs.Bool("yes", false, "do not ask to confirm the fingerprint")
				return func(e *env, args []string) error {
					if len(args) != 1 {
						return usageError("team add takes one CARD file")
					}
					return runTeamAdd(e, args[0], *yes)
				}
			},
		}, {
			name:    "list",
			args:    "[--json]",
			summary: "the roster: name and fingerprint",
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				asJSON := fs.Bool("json", false, "print JSON")
				return func(e *env, args []string) error {
					if err := noArgs("team list", args); err != nil {
						return err
					}
					return runTeamList(e, *asJSON)
				}
			},
		}, {
			name:    "remove",
			args:    "NAME",
			summary: "take a member off the roster: their bundles are refused from then on",
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				return func(e *env, args []string) error {
					if len(args) != 1 {
						return usageError("team remove takes one NAME")
					}
					return runTeamRemove(e, args[0])
				}
			},
		}},
	})
	register(&command{
		name:    "export",
		args:    "-o FILE [--to NAME]... [-r RECIPIENT]... [--id ID]... [--tag TAG]... [--since-last] [--include-unshareable]",
		summary: "write a signed, encrypted bundle for teammates",
		help: `
Writes a bundle (.tvb): the selected interviews with their whole history,
purges, and sealed identities (still sealed to the custodian), signed by you
and encrypted to each --to member and -r recipient. Everything by default;
--id and --tag select (either matching). Interviews whose consent forbids
sharing are left out unless --include-unshareable. --since-last leaves out
what the --to members were already sent from this vault.

Recipients are post-quantum by default (--to members, age1pq1…). Classic
age1… and ssh-ed25519 recipients work only when every recipient of the
bundle is classic: age cannot mix the two.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			var to, rcpts, ids, tags stringList
			out := fs.String("o", "", "write the bundle to `FILE` (must not exist)")
			fs.Var(&to, "to", "encrypt to roster member `NAME` (repeatable)")
			fs.Var(&rcpts, "r", "encrypt to age `RECIPIENT` (repeatable)")
			fs.Var(&ids, "id", "include interview `ID` (repeatable)")
			fs.Var(&tags, "tag", "include interviews tagged `TAG` (repeatable)")
			since := fs.Bool("since-last", false, "only what the --to members have not been sent yet")
			unshareable := fs.Bool("include-unshareable", false, "include interviews whose consent forbids sharing")
			return func(e *env, args []string) error {
				if err := noArgs("export", args); err != nil {
					return err
				}
				if *out == "" {
					return usageError("export needs -o FILE")
				}
				if len(to) == 0 && len(rcpts) == 0 {
					return usageError("export needs at least one --to NAME or -r RECIPIENT")
				}
				if *since && len(to) == 0 {
					return usageError("--since-last needs --to: it tracks what each member was sent")
				}
				opts := vault.ExportOptions{To: to, IDs: ids, Tags: tags, SinceLast: *since, IncludeUnshareable: *unshareable}
				for _, r := range rcpts {
					rc, err := crypto.ParseAnyRecipient(r, nil)
					if err != nil {
						return usageError("-r: %v", err)
					}
					opts.Recipients = append(opts.Recipients, rc)
				}
				return runExport(e, *out, opts)
			}
		},
	})
	register(&command{
		name:    "import",
		args:    "FILE",
		summary: "verify and merge a bundle from a teammate",
		help: `
Decrypts the bundle with your member key, checks that its signer is on your
roster and that every hash and signature holds, then merges it in one step:
all or nothing. Importing the same bundle twice, or an old one after a newer
one, changes nothing. Interviews edited on two laptops show as conflicts
(two heads) until someone saves a new revision of them.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			asJSON := fs.Bool("json", false, "print the report as JSON")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("import takes one FILE")
				}
				return runImport(e, args[0], *asJSON)
			}
		},
	})
	register(&command{
		name:    "purge",
		args:    "ID [--yes]",
		summary: "consent withdrawn: remove an interview everywhere it travels",
		help: `
Removes the interview, its sealed identity and every revision, and leaves a
signed tombstone (the ID and the time, nothing else) that bundles carry, so
that teammates' vaults purge it too and no old bundle can bring it back.
Asks for confirmation on a terminal; --yes for scripts. What a disk may
keep after deletion is described in docs/THREAT-MODEL.md.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			yes := fs.Bool("yes", false, "do not ask for confirmation")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("purge takes one interview ID")
				}
				return runPurge(e, args[0], *yes)
			}
		},
	})
}

func runTeamAdd(e *env, path string, yes bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return usageError("team add: %v", err)
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	card, err := v.ParseCard(data)
	if err != nil {
		if kind := vault.FileKind(data); kind != "" && kind != vault.FileCard {
			hint := "nothing was changed"
			if kind == vault.FileBundle {
				hint = "import a bundle with 'tvault import FILE'; " + hint
			}
			return withHint(usageError("team add: %q is %s, not a member card", path, kind), hint)
		}
		if errors.Is(err, crypto.ErrBadCard) {
			return &exitError{code: exitDamaged, err: err, hint: "ask for the card again; nothing was changed"}
		}
		return err
	}
	if v.OnRoster(card) {
		fmt.Fprintln(e.stderr, vault.AlreadyMember(card.Name))
		return nil
	}
	fmt.Fprintf(e.stderr, "Member:      %s\nFingerprint: %s\n", card.Name, card.Fingerprint())
	if !yes {
		if err := confirm(fmt.Sprintf("Does %s read out the same fingerprint?", card.Name)); err != nil {
			return err
		}
	}
	if _, err := v.AddMember(data); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Added %s to the roster: their bundles are accepted, and you can export --to %q.\n", card.Name, card.Name)
	return nil
}

func runTeamList(e *env, asJSON bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	members, err := v.Team()
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, members)
	}
	if len(members) == 0 {
		fmt.Fprintln(e.stderr, "No teammates yet: 'tvault team add CARD' adds one.")
		return nil
	}
	var tw table
	tw.row("NAME", "FINGERPRINT", "ADDED")
	for _, m := range members {
		tw.row(m.Name, m.Fingerprint, m.AddedAt)
	}
	return tw.write(e.stdout)
}

func runTeamRemove(e *env, name string) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	if err := v.RemoveMember(name); err != nil {
		if errors.Is(err, vault.ErrNoMember) {
			return &exitError{code: exitNotFound, err: err, hint: "'tvault team list' shows the roster"}
		}
		return err
	}
	fmt.Fprintf(e.stderr, "Removed %s from the roster.\n", name)
	return nil
}

func runExport(e *env, out string, opts vault.ExportOptions) error {
	if _, err := os.Lstat(out); err == nil {
		return usageError("export: %q already exists; tvault never overwrites a bundle", out)
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	if f, ok := terminalOf(e.stderr); ok {
		opts.Progress = func(done, total int) {
			fmt.Fprintf(f, "\rGathering interviews: %s %d/%d", bar(done, total, 30), done, total)
			if done == total {
				fmt.Fprintln(f)
			}
		}
	}
	rep, err := v.ExportFile(e.ctx, out, opts)
	if err != nil {
		switch {
		case errors.Is(err, vault.ErrMixedRecipients), errors.Is(err, vault.ErrNoRecipients):
			return usageError("export: %v", err)
		case errors.Is(err, vault.ErrNoMember):
			return &exitError{code: exitNotFound, err: err}
		case errors.Is(err, fs.ErrExist):
			return usageError("export: %q already exists; tvault never overwrites a bundle", out)
		case errors.Is(err, vault.ErrNothingNew):
			fmt.Fprintf(e.stderr, "%s.\n", vault.NothingToSend(opts.To))
			return nil
		case errors.Is(err, vault.ErrPlantedTombstones):
			return withHint(fmt.Errorf("export refused: %w", err),
				"nothing was written: these tombstones would purge the interviews in every teammate's vault. Someone who held the passphrase may have planted them; 'tvault check' lists them, and 'tvault rekey' keeps them from writing more")
		}
		return err
	}
	if rep.Unshareable > 0 {
		warningf(e.stderr, "left out %d interviews whose consent forbids sharing (--include-unshareable includes them)", rep.Unshareable)
	}
	fmt.Fprintf(e.stderr, "Wrote %s: %d interviews, %d revisions, %d purges%s.\n", out, rep.Interviews, rep.Revisions, rep.Tombstones, sentRedactions(rep.Redactions))
	return nil
}

func bar(done, total, width int) string {
	if total <= 0 {
		total = 1
	}
	n := done * width / total
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

func runImport(e *env, path string, asJSON bool) error {
	f, err := os.Open(path)
	if err != nil {
		return usageError("import: %v", err)
	}
	defer f.Close()
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	rep, err := v.Import(e.ctx, f)
	if err != nil {
		if head, _ := readHead(path); vault.FileKind(head) != "" && vault.FileKind(head) != vault.FileBundle {
			hint := "nothing was changed"
			if vault.FileKind(head) == vault.FileCard {
				hint = "add a teammate's card with 'tvault team add CARD'; " + hint
			}
			return withHint(usageError("import: %q is %s, not a bundle", path, vault.FileKind(head)), hint)
		}
		switch {
		case errors.Is(err, vault.ErrNotForMe):
			return &exitError{code: exitWrongPassphrase, err: err,
				hint: "the bundle was exported to other members or recipients; nothing was changed"}
		case errors.Is(err, vault.ErrKeyConflict), errors.Is(err, vault.ErrRetiredKey):
			return &exitError{code: exitDamaged, err: err, hint: "nothing was changed"}
		case errors.Is(err, vault.ErrUnknownSigner):
			return &exitError{code: exitDamaged, err: err, hint: "nothing was changed; if you trust them, add their card with 'tvault team add CARD'"}
		case errors.Is(err, vault.ErrDamaged):
			return &exitError{code: exitDamaged, err: err, hint: "the bundle is damaged, truncated or forged; nothing was changed"}
		}
		return err
	}
	for _, w := range rep.Warnings {
		warningf(e.stderr, "%s", w)
	}
	for _, k := range rep.KeyChanges {
		fmt.Fprintln(e.stderr, vault.CompareOutLoud(k))
	}
	if asJSON {
		return writeJSON(e.stdout, rep)
	}
	if rep.NewRevisions == 0 && rep.Purged == 0 && len(rep.KeyChanges) == 0 && rep.Redactions == 0 && rep.Terms == 0 {
		fmt.Fprintln(e.stderr, vault.NothingNewFrom(rep.Signer, rep.Fingerprint))
		return nil
	}
	fmt.Fprintf(e.stderr, "Imported from %s (fingerprint %s): %d new revisions, %d new interviews, %d purged%s.\n",
		rep.Signer, rep.Fingerprint, rep.NewRevisions, rep.Interviews, rep.Purged, importNotes(rep))
	if rep.Conflicts > 0 {
		fmt.Fprintf(e.stderr, "%d interviews are in conflict (edited on two laptops): 'tvault list' marks them; 'tvault merge ID' merges one, keeping what each laptop added.\n", rep.Conflicts)
	}
	return nil
}

func runPurge(e *env, idPrefix string, yes bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	view, err := v.Get(idPrefix)
	if err != nil {
		return err
	}
	if !yes {
		fmt.Fprintf(e.stderr, "This removes interview %s (%s), its sealed identity and its whole history, here and in every vault a bundle carries the purge to. It cannot be undone.\n", view.ID, view.Pseudonym)
		if err := confirm("Purge it?"); err != nil {
			return err
		}
	}
	id, err := v.Purge(e.ctx, view.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Purged %s. Export to your teammates so that their vaults purge it too.\n", id)
	return nil
}

// readHead returns the first bytes of the file at path, to tell what it is.
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 512)
	n, err := io.ReadFull(f, buf)
	if err == io.ErrUnexpectedEOF {
		err = nil
	}
	return buf[:n], err
}
