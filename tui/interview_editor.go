package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
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
	pv := *i.editor
	pv.cur = -1
	pv.top = 0
	pv.height = height
	return pv.View()
}
