package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "merge",
		args:    "ID [--take 1|2|both] [--dry-run] [--json]",
		summary: "merge an interview's versions in conflict, keeping what either added",
		help: `
Two versions of an interview saved on different laptops are merged against
the version both began from. What either added is kept; a paragraph or field
changed on one side takes that change; tags and relatives keep what either
added and drop what one removed. A merge with no conflicts is saved at once,
as a revision with both versions as parents.

Paragraphs or fields both versions changed differently are conflicts: merge
prints them (version 1 is the newer) and saves nothing, unless --take says
which to keep for all of them: 1, 2, or both (both keeps the paragraphs of
each, version 1's first; a field takes version 1). The terminal UI (v on the
interview) settles each conflict on its own. With more than two versions,
each merge joins the newest two: run it again.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			asJSON := fs.Bool("json", false, "print JSON")
			take := fs.String("take", "", "settle every conflict: 1, 2 or both")
			dry := fs.Bool("dry-run", false, "show the merge, save nothing")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("merge takes one interview ID")
				}
				choice := map[string]vault.Choice{"": vault.Unresolved, "1": vault.TakeLeft, "2": vault.TakeRight, "both": vault.TakeBoth}
				ch, ok := choice[*take]
				if !ok {
					return usageError("--take is 1, 2 or both")
				}
				v, err := openVault(e)
				if err != nil {
					return err
				}
				defer v.Close()
				m, err := v.Merge(args[0])
				if err != nil {
					return err
				}
				for i, c := range m.Conflicts {
					if ch == vault.TakeBoth && c.Field != "testimony" {
						m.Choose(i, vault.TakeLeft)
						continue
					}
					m.Choose(i, ch)
				}
				res := mergeResult{Merge: m, ConflictCount: len(m.Conflicts)}
				if m.Unresolved() == 0 {
					res.Testimony = vault.RenderPublic(m.Result().Testimony)
				}
				if m.Unresolved() == 0 && !*dry {
					if err := v.SaveMerge(e.ctx, m); err != nil {
						return err
					}
					res.Saved = true
					if view, err := v.Get(m.ID); err == nil {
						res.Heads = view.Heads
						res.Revision = view.Revisions[len(view.Revisions)-1].ID
					}
				}
				if *asJSON {
					if err := writeJSON(e.stdout, res); err != nil {
						return err
					}
				} else {
					printMerge(e.stdout, m, res)
				}
				switch {
				case res.Saved:
					fmt.Fprintf(e.stderr, "Merged: %s has %d version(s) left.\n", m.ID, res.Heads)
				case m.Unresolved() > 0:
					return withHint(fmt.Errorf("%d conflicts: nothing saved", m.Unresolved()),
						"keep one side with --take 1, 2 or both, or settle each in the terminal UI (v on the interview)")
				}
				return nil
			}
		},
	})
	register(&command{
		name:    "history",
		args:    "ID [--diff] [--context N] [--json]",
		summary: "an interview's revisions: who saved each, when, and what it changed",
		help: `
Lists the revisions of an interview, oldest first: author, time, parents (a
merge has two) and the fields each changed. With --diff, each revision's
testimony against its parent's, paragraph by paragraph: - removed, + added,
with --context unchanged paragraphs around each change. Sensitive spans show
as [description]; nothing sealed is ever shown.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			asJSON := fs.Bool("json", false, "print JSON (diffs included)")
			diff := fs.Bool("diff", false, "show each revision's testimony diff")
			around := fs.Int("context", 2, "unchanged paragraphs shown around a change (-1: all)")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("history takes one interview ID")
				}
				v, err := openVault(e)
				if err != nil {
					return err
				}
				defer v.Close()
				h, err := v.History(e.ctx, args[0], *around)
				if err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(e.stdout, h)
				}
				printHistory(e.stdout, h, *diff)
				return nil
			}
		},
	})
}

// mergeResult is what merge --json prints.
type mergeResult struct {
	*vault.Merge
	ConflictCount int    `json:"conflict_count"`
	Saved         bool   `json:"saved"`
	Heads         int    `json:"heads_after,omitempty"`
	Revision      string `json:"revision,omitempty"`
	// Testimony is the merged testimony, spans as [description], once no
	// conflict is left.
	Testimony string `json:"testimony,omitempty"`
}

func printMerge(w io.Writer, m *vault.Merge, res mergeResult) {
	fmt.Fprintf(w, "Interview %s: version 1 by %s (%s), version 2 by %s (%s)\n", m.ID, m.Left.Author, m.Left.CreatedAt, m.Right.Author, m.Right.CreatedAt)
	if len(m.Conflicts) == 0 {
		fmt.Fprintln(w, "No conflicts: what either version added is kept.")
	}
	names := map[vault.Choice]string{vault.Unresolved: "not settled", vault.TakeLeft: "taking version 1", vault.TakeRight: "taking version 2", vault.TakeBoth: "keeping both"}
	for i, c := range m.Conflicts {
		where := c.Field
		if c.Field == "testimony" {
			where = fmt.Sprintf("testimony, paragraph %d", c.Paragraph)
		}
		fmt.Fprintf(w, "\nConflict %d · %s · %s\n", i+1, where, names[c.Choice])
		for _, side := range []struct {
			name  string
			lines []string
		}{{"version 1", c.Left}, {"version 2", c.Right}} {
			if len(side.lines) == 0 {
				fmt.Fprintf(w, "  %s: (removed)\n", side.name)
				continue
			}
			fmt.Fprintf(w, "  %s:\n", side.name)
			for _, l := range side.lines {
				fmt.Fprintf(w, "    %s\n", l)
			}
		}
	}
	if res.Saved || len(m.Conflicts) == 0 {
		fmt.Fprintln(w, "\nMerged testimony:")
		for _, l := range m.Testimony() {
			mark := [3]string{"  ", "1 ", "2 "}[l.From]
			fmt.Fprintf(w, "%s%s\n", mark, l.Text)
		}
	}
}

func printHistory(w io.Writer, h []vault.HistoryEntry, diff bool) {
	for i, e := range h {
		if i > 0 {
			fmt.Fprintln(w)
		}
		kind := "revision"
		if e.Merge {
			kind = "merge"
		}
		short := func(id string) string { return id[:min(len(id), 12)] }
		var parents []string
		for _, p := range e.Parents {
			parents = append(parents, short(p))
		}
		fmt.Fprintf(w, "%s %s  %s  by %s", kind, short(e.ID), e.CreatedAt, e.Author)
		if len(parents) > 0 {
			fmt.Fprintf(w, "  (parent %s)", strings.Join(parents, ", "))
		}
		fmt.Fprintln(w)
		for _, f := range e.Fields {
			fmt.Fprintf(w, "  %s: %q → %q\n", f.Field, f.Before, f.After)
		}
		var n [3]int
		for _, l := range e.Diff {
			n[l.Op]++
		}
		if !diff {
			if n[vault.DiffRemoved]+n[vault.DiffAdded] > 0 {
				fmt.Fprintf(w, "  testimony: %d paragraphs removed, %d added\n", n[vault.DiffRemoved], n[vault.DiffAdded])
			}
			continue
		}
		for _, l := range e.Diff {
			fmt.Fprintf(w, "  %s %s\n", [3]string{" ", "-", "+"}[l.Op], l.Text)
		}
	}
}
