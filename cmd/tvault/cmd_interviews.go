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
are saved: this vault cannot read them back.

The identity is sealed, the rest is not: an interview whose testimony,
pseudonym, location, tags or relatives hold its identity's name, an alias,
its contact, a relative's name or one of the vault's sensitive terms
(tvault terms) is refused (exit 7), saying where, never what. A place name
(a Chinese province, prefecture or county) outside the location is a
warning only. --protect turns each such text in the testimony into a
sensitive span ({{Zhou Wei|a name}}); other fields must be fixed by hand.
--allow-names saves as is, once you have checked.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			protect := fs.Bool("protect", false, "turn names found in the testimony into sensitive spans")
			allow := fs.Bool("allow-names", false, "save names found outside the identity as they are (checked by you)")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("add takes one FILE (or - for standard input)")
				}
				if *protect && *allow {
					return usageError("add takes --protect or --allow-names, not both")
				}
				return runAdd(e, args[0], addNames{protect: *protect, allow: *allow})
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
		args:    "[QUERY...] [--tag T]... [--from DATE] [--to DATE] [--consent C]... [--limit N] [--json]",
		summary: "full-text search of testimony (Chinese too), with where it matches",
		help: `
Finds interviews whose testimony contains every word of QUERY, ignoring case.
A word is any run of characters without spaces, so Chinese needs no spaces:
'tvault search 警察' finds 警察 inside a sentence. Identities and the secrets of
sensitive spans are never searched.

Each interview found is followed by where the match is (line:column of the
testimony) and a short excerpt around it, from the readable testimony:
sensitive spans read [description], never their sealed secret. --json adds
"line", "column", "matches" and "excerpt" to each interview.

Filters, alone or with a QUERY:
  --tag T       carries tag T (repeat for several: every one)
  --from DATE   interviewed on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD)
  --to DATE     interviewed on or before DATE (--to 2019: all of 2019)
  --consent C   consent given to C: record, quote or share (repeatable)

Every interview found is printed, unless:
  --limit N     only the first N, in list order (by date, then pseudonym);
                a line on standard error says how many more match. With
                --json the array is cut to N: its length is then not the
                number found.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			asJSON := fs.Bool("json", false, "print a JSON array")
			var tags, consent stringList
			fs.Var(&tags, "tag", "only interviews with this `tag` (repeatable)")
			from := fs.String("from", "", "only interviews on or after this `date`")
			to := fs.String("to", "", "only interviews on or before this `date`")
			fs.Var(&consent, "consent", "only interviews with this consent: record, quote or share (repeatable)")
			limit := fs.Int("limit", 0, "print only the first `N` interviews found (0: every one)")
			return func(e *env, args []string) error {
				if *limit < 0 {
					return usageError("search: --limit takes a number of interviews (0: every one)")
				}
				q := strings.TrimSpace(strings.Join(args, " "))
				f := vault.Filter{Tags: tags, From: *from, To: *to, Consent: consent}
				if q == "" && f.Empty() {
					return usageError("search needs a QUERY or a filter (--tag, --from, --to, --consent)")
				}
				v, err := openVault(e)
				if err != nil {
					return err
				}
				defer v.Close()
				found, total, err := v.FindPage(e.ctx, q, f, *limit)
				if errors.Is(err, vault.ErrBadFilter) {
					return usageError("search: %v", err)
				}
				if err != nil {
					return err
				}
				if err := printFound(e, found, *asJSON); err != nil {
					return err
				}
				if more := total - len(found); more > 0 && !*asJSON {
					verb := "match"
					if more == 1 {
						verb = "matches"
					}
					fmt.Fprintf(e.stderr, "Showing %d of %d interviews found: %d more %s. Refine the query, or leave out --limit to see them all.\n",
						len(found), total, more, verb)
				}
				return nil
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

// addNames is what add does with hits of the re-identification check.
type addNames struct{ protect, allow bool }

func runAdd(e *env, path string, names addNames) error {
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
	if !names.allow {
		terms, err := v.Terms()
		if err != nil {
			return err
		}
		if err := checkNames(e, inputs, terms, names.protect); err != nil {
			return err
		}
	}
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
	var tw table
	tw.row("ID", "DATE", "PSEUDONYM", "TAGS")
	for _, s := range list {
		tw.row(summaryRow(s)...)
	}
	return tw.write(e.stdout)
}

// summaryRow is an interview's row in list and search.
func summaryRow(s vault.Summary) []string {
	date := s.InterviewedOn
	if date == "" {
		date = "-"
	}
	pseud := s.Pseudonym
	if s.Heads > 1 {
		pseud += fmt.Sprintf(" (conflict: %d versions)", s.Heads)
	}
	return []string{s.ID, date, pseud, strings.Join(s.Tags, ", ")}
}

// printFound prints what search found: each interview as list does, then
// where the match is and the excerpt around it, indented.
func printFound(e *env, found []vault.Found, asJSON bool) error {
	if asJSON {
		return writeJSON(e.stdout, found)
	}
	if len(found) == 0 {
		fmt.Fprintln(e.stderr, "No interviews.")
		return nil
	}
	var tw table
	tw.row("ID", "DATE", "PSEUDONYM", "TAGS")
	for _, f := range found {
		tw.row(summaryRow(f.Summary)...)
	}
	var t strings.Builder
	if err := tw.write(&t); err != nil {
		return err
	}
	lines := strings.Split(t.String(), "\n")
	var b strings.Builder
	b.WriteString(lines[0] + "\n")
	for i, f := range found {
		b.WriteString(lines[i+1] + "\n")
		if f.Line > 0 {
			fmt.Fprintf(&b, "    %d:%d  %s\n", f.Line, f.Column, f.Excerpt)
		}
	}
	_, err := io.WriteString(e.stdout, b.String())
	return err
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

// checkNames runs the re-identification check over inputs. With protect,
// hits in the testimony become sensitive spans; any other hit refuses the
// whole add, but for place names, which are warnings: a testimony names
// places for good reasons (the city of a meeting, the province of a camp),
// and refusing them would make --allow-names the habit, which also lets
// real names through. Messages name the interview, the field and the kind
// of hit, never the text.
func checkNames(e *env, inputs []vault.Input, terms []string, protect bool) error {
	var refused []string
	for n := range inputs {
		in := &inputs[n]
		hits := vault.CheckNames(in.Interview, in.Identity, terms)
		if len(hits) == 0 {
			continue
		}
		protected := 0
		places := map[string]int{}
		var fields []string
		for _, h := range hits {
			if protect && h.Field == "testimony" {
				protected++
				continue
			}
			if h.Warning() {
				if places[h.Field] == 0 {
					fields = append(fields, h.Field)
				}
				places[h.Field]++
				continue
			}
			msg := fmt.Sprintf("interview %d: %s holds %s", n+1, fieldName(h.Field), kindName(h.Kind))
			if protect {
				msg += ": fix the field (--protect protects the testimony only)"
			}
			if !contains(refused, msg) {
				refused = append(refused, msg)
			}
		}
		if protected > 0 {
			in.Testimony = vault.ProtectNames(in.Testimony, hits)
			fmt.Fprintf(e.stderr, "tvault: sealed %d hits in the testimony of interview %d as sensitive spans\n", protected, n+1)
		}
		for _, f := range fields {
			hint := "check them, or add --protect to turn those in the testimony into sensitive spans"
			if f != "testimony" {
				hint = "check them"
			}
			warningf(e.stderr, "interview %d: %s holds %s: %s", n+1, fieldName(f), plural(places[f], "place name"), hint)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	// Every refusal but the last on its own line; the last is the error.
	for _, msg := range refused[:len(refused)-1] {
		fmt.Fprintf(e.stderr, "tvault: %s\n", msg)
	}
	hint := "nothing was added; remove the names, or add --protect to turn those in the testimony into sensitive spans, or --allow-names if you checked"
	if protect {
		hint = "nothing was added; remove the names from those fields, or add --allow-names instead of --protect if you checked"
	}
	return &exitError{code: exitInvalid, err: errors.New(refused[len(refused)-1]), hint: hint}
}

// fieldName names a field of vault.CheckNames for a message: "the
// location", "the relation of relative 2".
func fieldName(field string) string {
	var i, j int
	switch {
	case field == "testimony" || field == "location" || field == "pseudonym":
		return "the " + field
	case strings.HasPrefix(field, "tags["):
		fmt.Sscanf(field, "tags[%d]", &i)
		return fmt.Sprintf("tag %d", i+1)
	case strings.HasSuffix(field, ".relation"):
		fmt.Sscanf(field, "relatives[%d]", &i)
		return fmt.Sprintf("the relation of relative %d", i+1)
	case strings.Contains(field, ".harms["):
		fmt.Sscanf(field, "relatives[%d].harms[%d]", &i, &j)
		return fmt.Sprintf("harm %d of relative %d", j+1, i+1)
	}
	return field
}

// kindName is a kind of hit with its article: "the identity name", "a
// relative's name".
func kindName(k vault.HitKind) string {
	switch k {
	case vault.HitName, vault.HitContact:
		return "the " + k.String()
	case vault.HitAlias:
		return "an alias"
	}
	return "a " + k.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// plural is n and noun, with an s if n is not 1: "1 place name", "3 place
// names".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
