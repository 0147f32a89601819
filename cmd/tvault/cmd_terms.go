package main

import (
	"flag"
	"fmt"
)

func init() {
	register(&command{
		name:    "terms",
		args:    "add TERM... | remove TERM | list",
		summary: "the vault's sensitive terms, which add and the UI look for",
		help: `
Sensitive terms are words that narrow a person down: a village, a mine, a
small employer. 'tvault add' refuses an interview whose readable fields hold
one (as it does a name of the interview's own identity), unless --protect or
--allow-names; the UI warns before a save. The list is readable with the
vault passphrase. It travels in every bundle, removals included; a
teammate's vault keeps, per term, the later of its own entry and the
bundle's (an addition wins a tie).`,
		subs: []*command{{
			name:    "add",
			args:    "TERM...",
			summary: "add sensitive terms",
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				return func(e *env, args []string) error {
					if len(args) == 0 {
						return usageError("terms add needs a TERM")
					}
					v, err := openVault(e)
					if err != nil {
						return err
					}
					defer v.Close()
					if err := v.AddTerms(args...); err != nil {
						return err
					}
					fmt.Fprintf(e.stderr, "Added %d sensitive terms.\n", len(args))
					return nil
				}
			},
		}, {
			name:    "remove",
			args:    "TERM",
			summary: "remove a sensitive term",
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				return func(e *env, args []string) error {
					if len(args) != 1 {
						return usageError("terms remove takes one TERM")
					}
					v, err := openVault(e)
					if err != nil {
						return err
					}
					defer v.Close()
					return v.RemoveTerm(args[0])
				}
			},
		}, {
			name:    "list",
			summary: "the sensitive terms, one a line",
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				return func(e *env, args []string) error {
					if err := noArgs("terms list", args); err != nil {
						return err
					}
					v, err := openVault(e)
					if err != nil {
						return err
					}
					defer v.Close()
					terms, err := v.Terms()
					if err != nil {
						return err
					}
					for _, t := range terms {
						fmt.Fprintln(e.stdout, t)
					}
					return nil
				}
			},
		}},
	})
}
