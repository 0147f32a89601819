// Package busy is the spinner a screen shows while a slow operation (a key
// derivation, an export, a save) runs off the UI loop.
package busy

import (
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// Spinner turns while an operation runs. Its ticks come back through the
// screen's Update; once stopped it lets the next tick go, which ends the
// ticking.
type Spinner struct {
	model  spinner.Model
	active bool
}

// New returns a stopped spinner.
func New() Spinner {
	return Spinner{model: spinner.New(spinner.WithSpinner(spinner.Line))}
}

// Start marks the operation as running and returns the command that turns
// the spinner: batch it with the operation's command.
func (s *Spinner) Start() tea.Cmd {
	s.active = true
	return s.model.Tick
}

// Stop marks the operation as ended.
func (s *Spinner) Stop() { s.active = false }

// Active reports whether the operation runs.
func (s *Spinner) Active() bool { return s.active }

// Update turns the spinner on its own ticks while it is active. Other
// messages are ignored.
func (s *Spinner) Update(msg tea.Msg) tea.Cmd {
	tick, ok := msg.(spinner.TickMsg)
	if !ok || !s.active {
		return nil
	}
	var cmd tea.Cmd
	s.model, cmd = s.model.Update(tick)
	return cmd
}

// View draws the spinner, then label.
func (s *Spinner) View(label string) string { return s.model.View() + " " + label }
