package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/tvault/tvault/internal/pack"
	"github.com/tvault/tvault/vault"
)

// multi is a flag that may be given several times.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func init() {
	register(&command{
		name:    "publish",
		args:    "-o DIR [--id ID]... [--tag TAG]... [--quotes] [--place full|country|none] [--date day|month|year] [--review] [--yes] [--json]",
		summary: "write a report pack: quotes with footnotes, figures, and a disclosure review",
		help: `
Writes a report pack into DIR, a new folder: pack.md (quotes under their
pseudonyms, with a footnote each from the citation template of 'tvault
settings'), quotes.csv, pack.json, figures.csv with charts (SVG and PNG) of
harms, relations, places and years, and review.md.

Only the readable tier is used: sensitive spans read [description], and
nothing sealed is read (no custodian key is needed). An interview whose
record consent was refused gives nothing; one whose quote consent was refused
gives no quote; a quote whose passage an edit changed is left out. publish
says how many were left out and why.

Exact places and dates identify: --place (default country) and --date
(default month) set their precision everywhere in the pack, footnotes
included. The country is the part of a location after its last comma; a
location without a comma is left out at --place country.

Before anything is written, publish shows the disclosure review: for each
pseudonym, everything the pack says about them, and the sensitive terms,
place names and occupations found in their quotes. --review shows it in full
and writes nothing; without --yes, publish asks before writing.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			out := fs.String("o", "", "the pack's `DIR` (must not exist)")
			var ids, tags multi
			fs.Var(&ids, "id", "an interview `ID` (repeat for more)")
			fs.Var(&tags, "tag", "interviews with this `TAG` (repeat for more)")
			quotes := fs.Bool("quotes", false, "only interviews with quotes to publish")
			place := fs.String("place", "country", "the precision of places: full, country or none")
			date := fs.String("date", "month", "the precision of dates: day, month or year")
			reviewOnly := fs.Bool("review", false, "show the disclosure review and write nothing")
			yes := fs.Bool("yes", false, "write without asking")
			asJSON := fs.Bool("json", false, "print the pack (or, with --review, the review) as JSON")
			return func(e *env, args []string) error {
				if err := noArgs("publish", args); err != nil {
					return err
				}
				if *out == "" && !*reviewOnly {
					return usageError("publish needs -o DIR (or --review)")
				}
				opts := vault.PublishOptions{IDs: ids, Tags: tags, QuotesOnly: *quotes, Place: *place, Date: *date}
				return runPublish(e, *out, opts, *reviewOnly, *yes, *asJSON)
			}
		},
	})
}

func runPublish(e *env, dir string, opts vault.PublishOptions, reviewOnly, yes, asJSON bool) error {
	if dir != "" {
		if _, err := os.Lstat(dir); err == nil {
			return usageError("%s exists; publish writes a new folder and never overwrites one", dir)
		}
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	p, err := v.Publish(e.ctx, opts)
	if err != nil {
		return err
	}
	if reviewOnly {
		if asJSON {
			return writeJSON(e.stdout, p.Review)
		}
		fmt.Fprint(e.stdout, pack.ReviewText(p))
		return nil
	}
	fmt.Fprint(e.stderr, pack.ReviewText(p))
	if !yes {
		if err := confirm(fmt.Sprintf("Write this pack to %s?", dir)); err != nil {
			return err
		}
	}
	if _, err := pack.Write(dir, p); err != nil {
		return err
	}
	if err := v.RecordPublish(fmt.Sprintf("%d interviews, %d quotes, places %s, dates %s", len(p.Interviews), p.QuoteCount(), p.Place, p.Date)); err != nil {
		warningf(e.stderr, "the pack is written, but the audit log could not record it: %v", err)
	}
	if asJSON {
		return writeJSON(e.stdout, p)
	}
	fmt.Fprintf(e.stderr, "Wrote %s: %s, %s.\n", dir, plural(len(p.Interviews), "interview"), plural(p.QuoteCount(), "quote"))
	for _, l := range p.LeftOut {
		fmt.Fprintf(e.stderr, "Left out of %s: %s (%s).\n", vault.Escape(l.Pseudonym), l.What, l.Why)
	}
	return nil
}
