package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// The testimony editor's glue to the interview screen: its keys, and the
// sensitive span dialog it opens.

// editorKey handles a key in the testimony editor.
func (i *interviewScreen) editorKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, i.keys.Back):
		i.pane = paneView
		return i.saveDraft()
	case key.Matches(msg, i.keys.Span):
		return i.openSpanDialog()
	}
	if i.editor.Update(msg) {
		return i.touch()
	}
	return nil
}

// testimonyPreview draws the testimony, read only, height lines from the
// top.
func (i *interviewScreen) testimonyPreview(height int) string {
	// Spans read [description], as the CLI and the README show them: the
	// editor shows the markup, the reading view never a secret.
	// A fresh editor: a copy of the real one would share its buffers.
	pv := newEditor(i.editor.common)
	pv.SetSize(i.editor.width, height)
	pv.SetValue(vault.RenderReading(i.editor.Value()))
	pv.cur = -1
	return pv.View()
}
