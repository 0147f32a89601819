package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "identity",
		args:    "(ID... | --all) --custodian-key FILE [--find TEXT] [--json]",
		summary: "reveal sealed identities and span secrets (custodian)",
		help: `
Opens the custodian key FILE with the custodian passphrase, once, and prints
the real identity and the secrets of the sensitive spans of each interview
given (or of every interview, with --all). Each reveal is recorded in the
audit log, and so is a key refused. Nothing else is written anywhere: the
output is for the custodian's eyes.

With several interviews, tvault compares the revealed identities in memory
and lists possible duplicates: interviews whose identities share a name or
alias, or a contact, after ignoring case, full-width forms, spaces,
punctuation and word order. One person interviewed twice under two
pseudonyms shows up there. --find TEXT prints only the interviews whose
pseudonym, identity or span secrets hold TEXT, compared the same way.

--json prints one object for one ID (as before); for several, an object
with "revealed" (the identities) and "duplicates".`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			keyFile := fs.String("custodian-key", "", "the custodian key `FILE`")
			all := fs.Bool("all", false, "reveal every interview")
			find := fs.String("find", "", "print only the interviews whose identity holds `TEXT`")
			asJSON := fs.Bool("json", false, "print JSON")
			return func(e *env, args []string) error {
				if len(args) == 0 && !*all {
					return usageError("identity takes one or more interview IDs, or --all")
				}
				if len(args) > 0 && *all {
					return usageError("identity: give interview IDs or --all, not both")
				}
				if *keyFile == "" {
					return usageError("identity needs --custodian-key FILE")
				}
				return runIdentity(e, identityOptions{ids: args, all: *all, find: *find, keyFile: *keyFile, asJSON: *asJSON})
			}
		},
	})
}

type identityOptions struct {
	ids     []string
	all     bool
	find    string
	keyFile string
	asJSON  bool
}

func runIdentity(e *env, o identityOptions) error {
	key, err := os.ReadFile(o.keyFile)
	if err != nil {
		return usageError("--custodian-key: %v", err)
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	// Resolve the IDs before asking for the custodian passphrase: a typo
	// should not cost the custodian a passphrase entry.
	ids := o.ids
	if o.all {
		list, err := v.List(e.ctx)
		if err != nil {
			return err
		}
		for _, s := range list {
			ids = append(ids, s.ID)
		}
		if len(ids) == 0 {
			fmt.Fprintln(e.stderr, "The vault has no interviews: nothing to reveal.")
			return nil
		}
	}
	seen := map[string]bool{}
	unique := ids[:0:0]
	for _, id := range ids {
		full, err := v.Resolve(id)
		if err != nil {
			return err
		}
		if !seen[full] {
			seen[full] = true
			unique = append(unique, full)
		}
	}
	ids = unique
	cp, err := readPassphrase(e, e.custodianPassFile, "custodian passphrase", false)
	if err != nil {
		return err
	}
	// One unlock of the key for every reveal; a key refused is an audit
	// event too.
	// With --all, one event for the session, not one per interview.
	subjects := ids
	if o.all {
		subjects = nil
	}
	c, err := v.UnlockCustodianKey(key, cp, subjects...)
	crypto.Wipe(cp)
	if errors.Is(err, vault.ErrWrongPassphrase) {
		return &exitError{code: exitWrongPassphrase, err: errors.New("wrong custodian passphrase"),
			hint: "nothing was revealed; check the custodian passphrase and the key file"}
	}
	if err != nil {
		return fmt.Errorf("custodian key file: %w", err)
	}
	rs, err := v.RevealMany(e.ctx, ids, c)
	if err != nil {
		if errors.Is(err, vault.ErrWrongCustodianKey) {
			return withHint(err, "this vault's identities are sealed to "+v.Custodian().String())
		}
		return err
	}
	if len(ids) == 1 && !o.all && o.find == "" {
		if o.asJSON {
			return writeJSON(e.stdout, rs[0])
		}
		printRevealed(e.stdout, rs[0])
		return nil
	}
	// Duplicates among everything revealed, --find or not: in memory only.
	dups := vault.FindDuplicates(rs)
	if o.find != "" {
		rs = vault.MatchRevealed(rs, o.find)
	}
	if o.asJSON {
		if dups == nil {
			dups = []vault.Duplicate{}
		}
		if rs == nil {
			rs = []*vault.Revealed{}
		}
		return writeJSON(e.stdout, struct {
			Revealed   []*vault.Revealed `json:"revealed"`
			Duplicates []vault.Duplicate `json:"duplicates"`
		}{rs, dups})
	}
	for i, r := range rs {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		printRevealed(e.stdout, r)
	}
	if o.find != "" && len(rs) == 0 {
		fmt.Fprintf(e.stdout, "No revealed identity holds that text (%d revealed).\n", len(ids))
	}
	fmt.Fprintln(e.stdout)
	printDuplicates(e.stdout, dups, len(ids))
	return nil
}

// printDuplicates lists the sets of interviews that may be one person.
func printDuplicates(w io.Writer, dups []vault.Duplicate, n int) {
	if len(dups) == 0 {
		fmt.Fprintf(w, "No possible duplicates among the %d identities revealed.\n", n)
		return
	}
	fmt.Fprintf(w, "Possible duplicates among the %d identities revealed (perhaps one person under two pseudonyms):\n", n)
	for _, d := range dups {
		var names []string
		for _, x := range d.Interviews {
			names = append(names, fmt.Sprintf("%s (%s)", x.ID, x.Pseudonym))
		}
		fmt.Fprintf(w, "  %s: the same %s\n", strings.Join(names, ", "), strings.Join(d.Shared, " and "))
	}
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
	// Attachments: original file names, and sealed files' hashes.
	ids := make([]string, 0, len(r.Files)+len(r.FileHashes))
	for id := range r.Files {
		ids = append(ids, id)
	}
	for id := range r.FileHashes {
		if _, ok := r.Files[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for i, id := range ids {
		label := ""
		if i == 0 {
			label = "Attachments"
		}
		line := id[:min(12, len(id))]
		if name := r.Files[id]; name != "" {
			line += "  " + name
		}
		if h := r.FileHashes[id]; h != "" {
			line += "  " + h
		}
		fmt.Fprintf(tw, "%s\t%s\n", label, line)
	}
	tw.Flush()
}
