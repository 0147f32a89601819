package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "quote",
		args:    "add ID --text PASSAGE | list ID | remove ID QUOTE",
		summary: "mark passages of testimony as quotes, for publish",
		subs: []*command{{
			name:    "add",
			args:    "ID --text PASSAGE [--label TEXT] [--tag TAG]...",
			summary: "mark a passage of an interview's testimony as a quote",
			help: `
The passage must be in the testimony exactly once, as 'tvault show' prints it
(sensitive spans read [description]). Quotes are part of the interview: they
are saved in a new revision and travel in bundles. A quote stays while its
passage is in the testimony; if an edit changes the passage, the quote is
stale ('quote list' says so) and publish leaves it out until it is removed
and marked again.`,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				text := fs.String("text", "", "the `PASSAGE`, exactly as in the testimony")
				label := fs.String("label", "", "a label for the quote")
				var tags multi
				fs.Var(&tags, "tag", "a `TAG` for the quote (repeat for more)")
				return func(e *env, args []string) error {
					if len(args) != 1 || *text == "" {
						return usageError("quote add takes an interview ID and --text PASSAGE")
					}
					v, err := openVault(e)
					if err != nil {
						return err
					}
					defer v.Close()
					q, err := v.AddQuote(e.ctx, args[0], *text, *label, tags)
					if err != nil {
						return err
					}
					fmt.Fprintln(e.stdout, q.ID)
					return nil
				}
			},
		}, {
			name:    "list",
			args:    "ID [--json]",
			summary: "an interview's quotes, current or stale",
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				asJSON := fs.Bool("json", false, "print JSON")
				return func(e *env, args []string) error {
					if len(args) != 1 {
						return usageError("quote list takes one interview ID")
					}
					v, err := openVault(e)
					if err != nil {
						return err
					}
					defer v.Close()
					qs, err := v.Quotes(e.ctx, args[0])
					if err != nil {
						return err
					}
					if *asJSON {
						return writeJSON(e.stdout, qs)
					}
					if len(qs) == 0 {
						fmt.Fprintln(e.stderr, "No quotes. Mark one with 'tvault quote add ID --text PASSAGE'.")
					}
					for _, q := range qs {
						state := ""
						if !q.Current {
							state = "  [stale: the testimony changed]"
						}
						label := ""
						if q.Label != "" {
							label = " (" + q.Label + ")"
						}
						fmt.Fprintf(e.stdout, "%s%s%s\n  %s\n", q.ID[:12], label, state, strings.ReplaceAll(q.Text, "\n", "\n  "))
					}
					return nil
				}
			},
		}, {
			name:    "remove",
			args:    "ID QUOTE",
			summary: "remove a quote",
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				return func(e *env, args []string) error {
					if len(args) != 2 {
						return usageError("quote remove takes an interview ID and a quote ID")
					}
					v, err := openVault(e)
					if err != nil {
						return err
					}
					defer v.Close()
					return v.RemoveQuote(e.ctx, args[0], args[1])
				}
			},
		}},
	})
	register(&command{
		name:    "settings",
		args:    "[NAME [VALUE]]",
		summary: "the vault's settings (the organisation and citation template publish uses)",
		help: `
With no argument, lists the settings and their values; with NAME, prints one;
with NAME and VALUE, sets it ("" puts back the default). Settings:
  org        the organisation citations name
  citation   the template of each quote's footnote; fields: {org} {mode}
             {pseudonym} {place} {month} {year} {date} {label}`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			return func(e *env, args []string) error {
				if len(args) > 2 {
					return usageError("settings takes at most a NAME and a VALUE")
				}
				v, err := openVault(e)
				if err != nil {
					return err
				}
				defer v.Close()
				switch len(args) {
				case 2:
					return v.SetSetting(e.ctx, args[0], args[1])
				case 1:
					val, err := v.Setting(e.ctx, args[0])
					if err != nil {
						return err
					}
					fmt.Fprintln(e.stdout, val)
					return nil
				}
				for _, name := range vault.SettingNames() {
					val, err := v.Setting(e.ctx, name)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "%s\t%s\n", name, val)
				}
				return nil
			}
		},
	})
}
