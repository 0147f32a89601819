package main

import (
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/tvault/tvault/crypto"
)

func init() {
	register(&command{
		name:    "audit",
		args:    "[--json] | verify",
		summary: "the audit log: unlocks, reveals, exports, imports, purges, key changes",
		help: `
  audit           list the events, oldest first (--json for scripts)
  audit verify    check the hash chain and every signature: an altered,
                  reordered or deleted event is reported (exit code 4)

Events hold no testimony, names or secrets: an interview ID, a slot or member
name, counts. Failed unlocks are recorded at the next successful one.`,
		subs: []*command{{
			name:    "verify",
			args:    "[--json]",
			summary: "check the hash chain and every signature of the audit log",
			help: `
An altered, reordered or deleted event is reported (exit code 4).`,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				asJSON := fs.Bool("json", false, "print the result as JSON")
				return func(e *env, args []string) error {
					if err := noArgs("audit verify", args); err != nil {
						return err
					}
					return runAuditVerify(e, *asJSON)
				}
			},
		}},
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(e *env, args []string) error {
				if len(args) > 0 {
					return usageError("audit takes no argument, or 'verify'")
				}
				v, err := openVault(e)
				if err != nil {
					return err
				}
				defer v.Close()
				events, err := v.Audit(e.ctx)
				if err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(e.stdout, events)
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "SEQ\tTIME\tEVENT\tSUBJECT\tDETAILS")
				for _, ev := range events {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", ev.Seq, ev.Time, ev.Kind, ev.Subject, ev.Details)
				}
				return tw.Flush()
			}
		},
	})
}

func runAuditVerify(e *env, asJSON bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	n, problems, err := v.VerifyAudit(e.ctx)
	if err != nil {
		return err
	}
	if asJSON {
		if err := writeJSON(e.stdout, map[string]any{"events": n, "problems": problems}); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(e.stderr, "tvault: audit event %d: %s\n", p.Seq, p.Problem)
		}
		return &exitError{code: exitDamaged, err: fmt.Errorf("%w: the audit log fails verification (%d problems in %d events)", crypto.ErrDamaged, len(problems), n)}
	}
	if !asJSON {
		fmt.Fprintf(e.stdout, "ok: %d events, chain and signatures verified\n", n)
	}
	return nil
}
