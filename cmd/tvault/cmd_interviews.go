package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "add",
		args:    "FILE",
		summary: "add interviews from JSON (one object, an array, or JSON Lines; - for stdin)",
		help: `
Adds every interview in FILE in one step: all of them or, if any is invalid,
none. Prints the ID of each, one per line, in input order.

An object whose "id" names an existing interview adds a new revision of it.
Real identities ("identity") and the secrets of sensitive spans
({{secret|description}} in "testimony") are sealed to the custodian as they
are saved: this vault cannot read them back.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("add takes one FILE (or - for standard input)")
				}
				return runAdd(e, args[0])
			}
		},
	})
	register(&command{
		name:    "list",
		args:    "[--json]",
		summary: "list interviews: ID, date, pseudonym, tags",
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			asJSON := fs.Bool("json", false, "print a JSON array")
			return func(e *env, args []string) error {
				if err := noArgs("list", args); err != nil {
					return err
				}
				v, err := openVault(e)
				if err != nil {
					return err
				}
				defer v.Close()
				list, err := v.List(e.ctx)
				if err != nil {
					return err
				}
				return printSummaries(e, list, *asJSON)
			}
		},
	})
	register(&command{
		name:    "search",
		args:    "QUERY... [--json]",
		summary: "full-text search of testimony (Chinese too)",
		help: `
Finds interviews whose testimony contains every word of QUERY, ignoring case.
A word is any run of characters without spaces, so Chinese needs no spaces:
'tvault search 警察' finds 警察 inside a sentence. Identities and the secrets of
sensitive spans are never searched.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			asJSON := fs.Bool("json", false, "print a JSON array")
			return func(e *env, args []string) error {
				q := strings.TrimSpace(strings.Join(args, " "))
				if q == "" {
					return usageError("search needs a QUERY")
				}
				v, err := openVault(e)
				if err != nil {
					return err
				}
				defer v.Close()
				list, err := v.Search(e.ctx, q)
				if err != nil {
					return err
				}
				return printSummaries(e, list, *asJSON)
			}
		},
	})
	register(&command{
		name:    "show",
		args:    "ID [--json]",
		summary: "show an interview, pseudonymised: sensitive spans as [description]",
		help: `
ID may be any unique prefix of at least four characters. The real identity
and the secrets of sensitive spans are sealed; 'tvault identity' reveals them
to the custodian.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("show takes one interview ID")
				}
				v, err := openVault(e)
				if err != nil {
					return err
				}
				defer v.Close()
				view, err := v.Get(args[0])
				if err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(e.stdout, view)
				}
				printView(e.stdout, view)
				return nil
			}
		},
	})
}

func runAdd(e *env, path string) error {
	var r io.Reader
	if path == "-" {
		r = e.stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return usageError("add: %v", err)
		}
		defer f.Close()
		r = f
	}
	inputs, err := vault.DecodeInputs(r)
	if err != nil {
		return &exitError{code: exitInvalid, err: err, hint: "see the interview JSON format in the README"}
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	if len(inputs) > 100 {
		fmt.Fprintf(e.stderr, "Sealing and saving %d interviews…\n", len(inputs))
	}
	ids, err := v.Add(e.ctx, inputs)
	if err != nil {
		if errors.Is(err, vault.ErrInvalid) || errors.Is(err, vault.ErrNotFound) {
			return withHint(err, "nothing was added")
		}
		return err
	}
	for _, id := range ids {
		fmt.Fprintln(e.stdout, id)
	}
	if len(ids) > 1 {
		fmt.Fprintf(e.stderr, "Added %d interviews.\n", len(ids))
	}
	return nil
}

func printSummaries(e *env, list []vault.Summary, asJSON bool) error {
	if asJSON {
		return writeJSON(e.stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stderr, "No interviews.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tPSEUDONYM\tTAGS")
	for _, s := range list {
		date := s.InterviewedOn
		if date == "" {
			date = "-"
		}
		pseud := s.Pseudonym
		if s.Heads > 1 {
			pseud += fmt.Sprintf(" (conflict: %d versions)", s.Heads)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, date, pseud, strings.Join(s.Tags, ", "))
	}
	return tw.Flush()
}

func printView(w io.Writer, v *vault.View) {
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	or := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Pseudonym\t%s\n", v.Pseudonym)
	fmt.Fprintf(tw, "ID\t%s\n", v.ID)
	fmt.Fprintf(tw, "Interviewed\t%s\n", or(v.InterviewedOn))
	fmt.Fprintf(tw, "Where\t%s\n", or(v.Location))
	fmt.Fprintf(tw, "Mode\t%s\n", or(v.Mode))
	fmt.Fprintf(tw, "Language\t%s\n", or(v.Language))
	fmt.Fprintf(tw, "Interviewer\t%s\n", or(v.Interviewer))
	fmt.Fprintf(tw, "Anonymity\t%s\n", map[bool]string{true: "requested", false: "not requested"}[v.AnonymityRequested])
	fmt.Fprintf(tw, "Consent\trecord %s, quote %s, share %s\n", yes(v.Consent.Record), yes(v.Consent.Quote), yes(v.Consent.Share))
	fmt.Fprintf(tw, "Tags\t%s\n", or(strings.Join(v.Tags, ", ")))
	for i, r := range v.Relatives {
		label := ""
		if i == 0 {
			label = "Relatives"
		}
		fmt.Fprintf(tw, "%s\t%s: %s\n", label, r.Relation, or(strings.Join(r.Harms, ", ")))
	}
	if v.Sealed {
		fmt.Fprintf(tw, "Identity\tsealed to the custodian\n")
	} else {
		fmt.Fprintf(tw, "Identity\tnone recorded\n")
	}
	heads := ""
	if v.Heads > 1 {
		heads = fmt.Sprintf(" — CONFLICT: %d versions, save a new revision to resolve", v.Heads)
	}
	fmt.Fprintf(tw, "Revisions\t%d%s\n", len(v.Revisions), heads)
	tw.Flush()
	fmt.Fprintf(w, "\n%s\n", v.Testimony)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
