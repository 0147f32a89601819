package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/tvault/tvault/vault"
)

// Drawing the team screen, and the reports of an export or an import.

func (t *teamScreen) exported(msg exportDoneMsg) {
	t.step = teamResult
	t.busy.Stop()
	t.stopCancel()
	var b strings.Builder
	if errors.Is(msg.err, context.Canceled) {
		t.resultOK = false
		t.result = "Export cancelled: no bundle was written.\n"
		return
	}
	if oe := (*onlyError)(nil); errors.As(msg.err, &oe) {
		// Back to the field, with every choice kept.
		t.step = teamExportPath
		t.err = oe.Error() + "."
		t.focusOn(exportOnly)
		return
	}
	if msg.err != nil {
		t.resultOK = false
		b.WriteString("The bundle was not written: " + msg.err.Error() + "\n")
		t.result = b.String()
		return
	}
	t.resultOK = true
	r := msg.rep
	fmt.Fprintf(&b, "Wrote %s for %s.\n\n", msg.path, strings.Join(t.exportTo, ", "))
	fmt.Fprintf(&b, "%-16s %d\n%-16s %d\n%-16s %d\n", "Interviews:", r.Interviews, "Revisions:", r.Revisions, "Purges:", r.Tombstones)
	if r.Unshareable > 0 {
		fmt.Fprintf(&b, "\nLeft out %d interviews whose consent forbids sharing.\n", r.Unshareable)
	}
	b.WriteString("\nIdentities and span secrets travel still sealed to the custodian.\n")
	t.result = b.String()
	t.marked = map[string]bool{}
}

func (t *teamScreen) imported(msg importDoneMsg) {
	t.step = teamResult
	t.busy.Stop()
	t.stopCancel()
	var b strings.Builder
	if msg.err != nil {
		t.resultOK = false
		switch {
		case errors.Is(msg.err, context.Canceled):
			b.WriteString("Import cancelled.")
		case errors.Is(msg.err, vault.ErrNotForMe):
			b.WriteString("Refused: this bundle is not encrypted to you.")
		case errors.Is(msg.err, vault.ErrUnknownSigner):
			b.WriteString("Refused: " + msg.err.Error() + ". If you trust them, add their card here (a).")
		case errors.Is(msg.err, vault.ErrDamaged):
			b.WriteString("Refused: not a bundle, or altered or truncated on the way (" + msg.err.Error() + ").")
		default:
			b.WriteString("Not imported: " + msg.err.Error() + ".")
		}
		b.WriteString("\nThe vault is unchanged.\n")
		t.result = b.String()
		return
	}
	t.resultOK = true
	r := msg.rep
	if r.NewRevisions == 0 && r.Purged == 0 && len(r.KeyChanges) == 0 {
		t.result = vault.NothingNewFrom(vault.Escape(r.Signer), r.Fingerprint) + "\n"
		return
	}
	fmt.Fprintf(&b, "Imported %s.\n\n", msg.path)
	for _, k := range r.KeyChanges {
		name := vault.Escape(k.Member)
		fmt.Fprintf(&b, "%s's member key changed.\n  %-17s %s\n  %-17s %s\nCompare the new fingerprint with %s out loud, in person or by a call\nyou trust, before you rely on what they send.\n\n",
			name, "Old fingerprint:", k.OldFingerprint, "New fingerprint:", k.NewFingerprint, name)
	}
	fmt.Fprintf(&b, "%-16s %s\n%-16s %s\n", "Signer:", vault.Escape(r.Signer), "Fingerprint:", r.Fingerprint)
	fmt.Fprintf(&b, "%-16s %d (of %d in the bundle)\n", "New revisions:", r.NewRevisions, r.Revisions)
	fmt.Fprintf(&b, "%-16s %d\n%-16s %d\n%-16s %d\n", "New interviews:", r.Interviews, "Purged:", r.Purged, "Conflicts:", r.Conflicts)
	if r.Conflicts > 0 {
		b.WriteString("\nInterviews in conflict show !conflict in the list: open one and press v\nto compare the versions; saving it merges them.\n")
	}
	t.result = b.String()
}

// cancellingNote says that esc was pressed and the work is stopping.
func (t *teamScreen) cancellingNote() string {
	if t.cancelling {
		return " cancelling…"
	}
	return ""
}

// ShortHelp is the keys of the current step.
func (t *teamScreen) ShortHelp() []key.Binding {
	k := t.keys
	enter := func(desc string) key.Binding {
		return key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", desc))
	}
	switch t.step {
	case teamRoster:
		return []key.Binding{k.AddMember, k.RemoveMember, k.Mark, k.Export, k.Import, k.Card, k.Back, k.Lock}
	case teamAddConfirm, teamRemoveConfirm, teamRotateConfirm:
		return []key.Binding{k.Yes, k.No}
	case teamExporting, teamImporting:
		return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")), k.Lock}
	case teamResult:
		return []key.Binding{enter("done")}
	}
	return []key.Binding{enter("ok"), k.Back}
}

func (t *teamScreen) View() string {
	var b strings.Builder
	b.WriteString(t.styles.Title.Render("Team · "+members(len(t.members))) + "\n")
	if t.myName != "" {
		b.WriteString(withFingerprint(fmt.Sprintf("You are %s · your fingerprint", t.myName), t.myPrint, t.width) + "\n")
	}
	b.WriteString("\n")
	switch t.step {
	case teamRoster:
		b.WriteString(t.rosterView())
		// Not in the help line, which has no room left: a rare action.
		b.WriteString("\n" + t.styles.Dim.Render("K  a new member key for you, after a compromise") + "\n")
		if t.note != "" {
			b.WriteString("\n" + t.styles.OK.Render(wrapWords(t.note, t.width)) + "\n")
		}
	case teamAddPath:
		b.WriteString("Add a teammate from their card file (they write it with c on their team\nscreen, or tvault whoami -o CARD).\n\n")
		b.WriteString(t.input.View() + "\n")
	case teamAddConfirm:
		c := t.cardInfo
		b.WriteString(t.styles.Box.Render(wrapWords(fmt.Sprintf("Member:      %s\nFingerprint: %s", c.Name, c.Fingerprint()), t.width-4)) + "\n\n")
		b.WriteString(t.styles.Warn.Render(wrapWords(fmt.Sprintf("Ask %s to read out their fingerprint. Does it match, group by group?", c.Name), t.width)) + "\n")
		b.WriteString("A card that does not match may be someone else's: do not add it.\n\n")
		b.WriteString("  y  it matches: add    n  cancel\n")
	case teamRemoveConfirm:
		m, _ := t.selected()
		b.WriteString(t.styles.Warn.Render(fmt.Sprintf("Remove %s from the roster?", vault.Escape(m.Name))) + "\n\n")
		b.WriteString("Their bundles are refused from then on, and you can no longer export to them.\n\n")
		b.WriteString("  y  remove    n  cancel\n")
	case teamRotateConfirm:
		b.WriteString(t.rotateView())
	case teamCardPath:
		b.WriteString("Your card holds your name, your recipient and your signing key, signed.\nIt holds nothing secret. Give it to teammates; read out your fingerprint\nwhen they add it.\n\n")
		b.WriteString(t.input.View() + "\n")
	case teamExportPath:
		fmt.Fprintf(&b, "Export a bundle for: %s\n", strings.Join(t.exportTo, ", "))
		b.WriteString(wrapWords("The interviews chosen below (every one if none is) and every purge, signed by you and encrypted to them. Identities and span secrets stay sealed to the custodian.", max(t.width, 20)) + "\n")
		b.WriteString(t.styles.Warn.Render(t.exportNote()) + "\n\n")
		b.WriteString(t.exportChoicesView())
		b.WriteString(t.styles.Dim.Render("tab moves between the fields; space ticks a box; enter exports.") + "\n")
	case teamExporting:
		b.WriteString(t.busy.View("Exporting for "+strings.Join(t.exportTo, ", ")+"…"+t.cancellingNote()) + "\n\n")
		b.WriteString(progressBar(t.done, t.total, min(40, max(t.width-30, 10))))
		if t.total > 0 {
			fmt.Fprintf(&b, " %d/%d interviews", t.done, t.total)
		}
		b.WriteString("\n")
		if t.total > 0 && t.done == t.total {
			b.WriteString("Encrypting and writing the bundle…\n")
		}
	case teamImportPath:
		b.WriteString("Import a bundle from a teammate on the roster. It is checked (signer,\nhashes, signatures) and merged all or nothing.\n\n")
		b.WriteString(t.input.View() + "\n")
	case teamImporting:
		b.WriteString(t.busy.View("Checking and merging the bundle…"+t.cancellingNote()) + "\n")
	case teamResult:
		if t.resultOK {
			b.WriteString(t.styles.OK.Render(wrapWords(t.result, t.width)))
		} else {
			b.WriteString(t.styles.Error.Render(wrapWords(t.result, t.width)))
		}
	}
	if t.err != "" {
		b.WriteString("\n" + t.styles.Error.Render(t.err) + "\n")
	}
	return b.String()
}

func (t *teamScreen) rosterView() string {
	var b strings.Builder
	if !t.loaded {
		return "Reading the roster…\n"
	}
	if len(t.members) == 0 {
		b.WriteString(t.styles.Dim.Render("No teammates yet. Press a to add one from their card file.") + "\n")
		return b.String()
	}
	// A fingerprint is never cut: where a row has no room for it whole, it
	// goes on two lines of four groups.
	const addedW = 10
	fpW := 39
	if t.width < 6+6+1+fpW+1+addedW {
		fpW = 19
	}
	nameW := max(min(max(t.width, 40)-fpW-addedW-10, 24), 6)
	b.WriteString(t.styles.Header.Render("      "+cell("NAME", nameW)+" "+cell("FINGERPRINT", fpW)+" "+cell("ADDED", addedW)) + "\n")
	h := max(t.height-8, 1)
	top := max(t.cursor-h+1, 0)
	for i := top; i < len(t.members) && i < top+h; i++ {
		m := t.members[i]
		mark := "  "
		if i == t.cursor {
			mark = "▸ "
		}
		box := "[ ] "
		if t.marked[m.Name] {
			box = "[x] "
		}
		added := m.AddedAt
		if len(added) > 10 {
			added = added[:10]
		}
		fp, fpRest := m.Fingerprint, ""
		if len(fp) > fpW {
			fp, fpRest = fp[:fpW], strings.TrimSpace(fp[fpW:])
		}
		line := mark + box + cell(vault.Escape(m.Name), nameW) + " " + cell(fp, fpW) + " " + cell(added, addedW)
		if fpRest != "" {
			line += "\n" + strings.Repeat(" ", 6+nameW+1) + cell(fpRest, fpW) + strings.Repeat(" ", 1+addedW)
		}
		if i == t.cursor {
			line = t.styles.Selected.Render(line)
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func progressBar(done, total, width int) string {
	n := 0
	if total > 0 {
		n = min(done*width/total, width)
	}
	return "[" + strings.Repeat("█", n) + strings.Repeat("░", width-n) + "]"
}

func members(n int) string {
	if n == 1 {
		return "1 member"
	}
	return fmt.Sprintf("%d members", n)
}
