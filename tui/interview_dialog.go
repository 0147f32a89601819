package tui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/dialog"
	"github.com/tvault/tvault/vault"
)

// The questions the interview screen asks over its pane (package dialog),
// and what their answers do.

// dialogKey passes a key to the dialog up.
func (i *interviewScreen) dialogKey(msg tea.KeyMsg) tea.Cmd {
	switch d := i.dlg.(type) {
	case *dialog.Reid:
		return i.reidAnswer(d.Update(msg))
	case *dialog.Span:
		return i.spanAnswer(d.Update(msg))
	case *dialog.Attach:
		return i.attachAnswer(d.Update(msg))
	}
	return nil // saving: keys wait for the save
}

// saving reports whether a save runs.
func (i *interviewScreen) saving() bool {
	_, ok := i.dlg.(*dialog.Saving)
	return ok
}

// openSpanDialog asks for a sensitive span to insert at the cursor.
func (i *interviewScreen) openSpanDialog() tea.Cmd {
	d := dialog.NewSpan(i.styles, i.keys, min(60, i.width-4))
	i.dlg = d
	return d.Init()
}

// spanAnswer inserts the span once the dialog is complete.
func (i *interviewScreen) spanAnswer(a dialog.Answer, cmd tea.Cmd) tea.Cmd {
	switch a {
	case dialog.Accept:
		i.editor.Insert(i.dlg.(*dialog.Span).Markup())
		i.dlg = nil
		return tea.Batch(cmd, i.touch())
	case dialog.Cancel:
		i.dlg = nil
		return nil
	}
	return cmd
}

// openReidDialog warns that what would be saved holds what the identity
// form holds, before a save.
func (i *interviewScreen) openReidDialog(hits []vault.Hit) {
	i.reidHits = hits
	i.dlg = dialog.NewReid(i.styles, i.keys, dialogHits(hits))
}

// reidAnswer protects the testimony's hits and checks again (a hit in
// another field asks once more), saves as is, or goes back.
func (i *interviewScreen) reidAnswer(a dialog.Answer) tea.Cmd {
	if a == dialog.Pending {
		return nil
	}
	hits := i.reidHits
	i.reidHits = nil
	i.dlg = nil
	switch a {
	case dialog.Protect:
		i.editor.SetValue(vault.ProtectNames(i.editor.Value(), hits))
		return tea.Batch(i.touch(), i.startSave(false))
	case dialog.Accept:
		return i.startSave(true)
	}
	return nil
}
