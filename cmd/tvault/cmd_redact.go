package main

import (
	"bufio"
	"flag"
	"fmt"
	"strings"

	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "redact",
		args:    "ID (--text PASSAGE | --text - | --field FIELD) [--with DESCRIPTION] [--yes] [--json]",
		summary: "remove a passage or a field from an interview's whole history, everywhere it travels",
		help: `
Replaces a passage typed by mistake (a name, a place) by [DESCRIPTION] in
every revision of the interview that holds it, here and in every vault a
bundle carries the redaction to. Teammates' vaults apply it to what they
have and to the old revisions that reach them later from anyone. The
revisions keep their IDs; 'tvault check' verifies a redacted revision by
its author's signature over what it keeps (format 3), or through the signed
redaction (older revisions).

--text PASSAGE is matched exactly, case included, in FIELD or, without
--field, in every field (testimony, pseudonym, location, language,
interviewer, relation, harm). In a revision made since revision format 3,
the passage is widened to the whole words it touches. A command line is kept in the shell's history: with
--text - the passage is read from the first line of standard input instead.
--field FIELD without --text redacts the whole field.

The redaction names the revisions, the byte ranges and the description,
never the passage. The vault is then checkpointed under a new data key, so
the passage leaves the store on disk. It cannot be undone. Bundles already
sent, other copies of the vault and disk blocks are out of its reach: see
docs/THREAT-MODEL.md. Export to your teammates so that their vaults redact
it too. Asks for confirmation on a terminal; --yes for scripts.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			text := fs.String("text", "", "the exact `PASSAGE` to redact; - reads it from standard input")
			field := fs.String("field", "", "redact in this `FIELD` only ("+strings.Join(vault.RedactFields, ", ")+"); alone, the whole field")
			with := fs.String("with", "redacted", "the `DESCRIPTION` shown in its place, as [DESCRIPTION]")
			yes := fs.Bool("yes", false, "do not ask for confirmation")
			asJSON := fs.Bool("json", false, "print what was redacted as JSON")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("redact takes one interview ID")
				}
				opts := vault.RedactOptions{Text: *text, Field: *field, With: *with}
				if opts.Text == "-" {
					line, err := bufio.NewReader(e.stdin).ReadString('\n')
					if line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"); line == "" {
						return usageError("redact --text -: no passage on standard input (%v)", err)
					}
					opts.Text = line
				}
				if opts.Text == "" && opts.Field == "" {
					return usageError("redact needs --text PASSAGE, --field FIELD, or both")
				}
				return runRedact(e, args[0], opts, *yes, *asJSON)
			}
		},
	})
}

func runRedact(e *env, idPrefix string, opts vault.RedactOptions, yes, asJSON bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	plan, err := v.PlanRedaction(e.ctx, idPrefix, opts)
	if err != nil {
		return err
	}
	if !yes {
		view, err := v.Get(plan.Interview)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "This replaces %d places in %d revisions of interview %s (%s) by [%s], here and in every vault a bundle carries the redaction to. It cannot be undone.\n",
			plan.Places, plan.Revisions, plan.Interview, vault.Escape(view.Pseudonym), vault.Escape(strings.Trim(opts.With, "[]")))
		if err := confirm("Redact?"); err != nil {
			return err
		}
	}
	rep, err := v.Redact(e.ctx, plan.Interview, opts)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, rep)
	}
	fmt.Fprintf(e.stderr, "Redacted %d places in %d revisions of %s. Export to your teammates so that their vaults redact it too.\n",
		rep.Places, rep.Revisions, rep.Interview)
	return nil
}

// importNotes is what an import report adds for redactions it applied and
// sensitive terms it updated.
func importNotes(rep *vault.ImportReport) string {
	var s string
	if rep.Redactions > 0 {
		s += fmt.Sprintf(", %d redactions applied", rep.Redactions)
	}
	if rep.Terms > 0 {
		s += fmt.Sprintf(", %d sensitive terms updated", rep.Terms)
	}
	return s
}

// sentRedactions is what an export report adds for the redactions it
// carries.
func sentRedactions(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d redactions", n)
}
