package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "stats",
		args:    "[--json]",
		summary: "counts: interviews by tag, year and place; relatives by harm and relation",
		help: `
Counts over the current version of every interview, from the pseudonymised
records only (never an identity nor a span's secret): interviews by tag, by
year of the interview and by place (the "where" field as written), and the
relatives they name by harm and by relation. Most first, years in order.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(e *env, args []string) error {
				if err := noArgs("stats", args); err != nil {
					return err
				}
				v, err := openVault(e)
				if err != nil {
					return err
				}
				defer v.Close()
				s, err := v.Stats()
				if err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(e.stdout, s)
				}
				var b strings.Builder
				fmt.Fprintf(&b, "%d interviews\n", s.Interviews)
				for _, c := range []struct {
					title  string
					counts []vault.Count
				}{
					{"Interviews by tag", s.ByTag},
					{"Interviews by year", s.ByYear},
					{"Interviews by place", s.ByPlace},
					{"Relatives by harm", s.ByHarm},
					{"Relatives by relation", s.ByRelation},
				} {
					b.WriteString("\n" + c.title + "\n")
					var tw table
					for _, n := range c.counts {
						tw.row("  "+n.Label, fmt.Sprint(n.N))
					}
					if len(c.counts) == 0 {
						tw.row("  none")
					}
					var t strings.Builder
					if err := tw.write(&t); err != nil {
						return err
					}
					b.WriteString(t.String())
				}
				_, err = fmt.Fprint(e.stdout, b.String())
				return err
			}
		},
	})
}
