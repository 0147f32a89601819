package dialog

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/busy"
	"github.com/tvault/tvault/tui/keys"
	"github.com/tvault/tvault/tui/styles"
)

// Saving shows that a save runs. It takes no key: the screen waits for the
// save's result, then drops it.
type Saving struct {
	common
	busy busy.Spinner
}

// NewSaving returns the notice, and the command that turns its spinner:
// batch it with the save.
func NewSaving(s *styles.Styles, k *keys.KeyMap) (*Saving, tea.Cmd) {
	d := &Saving{common: common{styles: s, keys: k}, busy: busy.New()}
	return d, d.busy.Start()
}

// Update turns the spinner.
func (d *Saving) Update(msg tea.Msg) tea.Cmd { return d.busy.Update(msg) }

// View draws the notice under body.
func (d *Saving) View(body string) string { return body + "\n" + d.busy.View("Saving…") }

// ShortHelp is esc, as before the save.
func (d *Saving) ShortHelp() []key.Binding { return []key.Binding{d.keys.Back} }
