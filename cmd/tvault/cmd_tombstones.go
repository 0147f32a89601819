package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "tombstones",
		args:    "list [--json] | drop [ID]... [--yes]",
		summary: "purge orders in the vault; drop planted ones",
		help: `
  tombstones list        every tombstone (purge order): interview, time, who
                         signed it, and whether it is planted (--json for scripts)
  tombstones drop [ID]   remove planted tombstones: those 'tvault check' reports
                         as having no matching purge here. Without an ID, every
                         planted one. Asks to confirm (--yes for scripts); each
                         removal is a signed audit event. A tombstone of a real
                         purge is never removed.`,
		subs: []*command{{
			name:    "list",
			args:    "[--json]",
			summary: "every tombstone, and whether it is planted",
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				asJSON := fs.Bool("json", false, "print JSON")
				return func(e *env, args []string) error {
					if err := noArgs("tombstones list", args); err != nil {
						return err
					}
					return runTombstonesList(e, *asJSON)
				}
			},
		}, {
			name:    "drop",
			args:    "[ID]... [--yes]",
			summary: "remove planted tombstones (all, or those of the IDs given)",
			help: `
A planted tombstone is one without a matching purge on this laptop: its
interview's revisions are still here, or it is signed with your key and the
audit log holds no purge of it. Someone who held your passphrase (or member
key) can write one; 'tvault check' reports them and export refuses to send
them, since they would purge the interview in every teammate's vault.

This removes them, in one save, with a signed audit event for each. An
interview whose revisions stayed is whole again; one the tombstone deleted
can come back from a teammate's bundle. Run 'tvault rekey' too, so that the
passphrase that planted them writes nothing more.`,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				yes := fs.Bool("yes", false, "do not ask for confirmation")
				return func(e *env, args []string) error {
					return runTombstonesDrop(e, args, *yes)
				}
			},
		}},
	})
}

func runTombstonesList(e *env, asJSON bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	list, err := v.Tombstones(e.ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stderr, "No tombstones: nothing was purged.")
		return nil
	}
	var tw table
	tw.row("INTERVIEW", "PURGED", "BY", "STATUS")
	for _, t := range list {
		status := "ok"
		if t.Planted != "" {
			status = "PLANTED"
		}
		tw.row(t.Interview, t.PurgedAt, t.Author, status)
	}
	return tw.write(e.stdout)
}

func runTombstonesDrop(e *env, ids []string, yes bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	planted, err := v.PlantedTombstones(e.ctx)
	if err != nil {
		return err
	}
	if len(planted) == 0 {
		if len(ids) > 0 {
			return &exitError{code: exitNotFound, err: fmt.Errorf("%w: %q", vault.ErrNotPlanted, ids[0]), hint: "'tvault tombstones list' shows the tombstones"}
		}
		fmt.Fprintln(e.stderr, "No planted tombstones: nothing to drop.")
		return nil
	}
	if !yes {
		fmt.Fprintln(e.stderr, "Planted tombstones (no matching purge here):")
		for _, p := range planted {
			fmt.Fprintf(e.stderr, "  %s\n", p.Problem)
		}
		question := fmt.Sprintf("Drop these %d tombstones?", len(planted))
		if len(ids) > 0 {
			question = fmt.Sprintf("Drop the planted tombstones of %d interviews?", len(ids))
		}
		if err := confirm(question); err != nil {
			return err
		}
	}
	dropped, err := v.DropPlantedTombstones(e.ctx, ids)
	if errors.Is(err, vault.ErrNotPlanted) {
		return &exitError{code: exitNotFound, err: err, hint: "a tombstone of a purge made here, or brought by a teammate's bundle, is never dropped; nothing was changed"}
	}
	if err != nil {
		return err
	}
	for _, p := range dropped {
		fmt.Fprintf(e.stderr, "Dropped the tombstone of interview %s.\n", p.Interview)
	}
	fmt.Fprintf(e.stderr, "Dropped %d planted tombstones; the audit log records each. Run 'tvault rekey' so that whoever planted them can write nothing more.\n", len(dropped))
	return nil
}
