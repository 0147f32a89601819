// Package dialog holds the questions the interview screen asks over what it
// shows: a new sensitive span ([Span]), a testimony that could identify the
// interviewee ([Reid]), the notice while a save runs ([Saving]), and, over
// the reading view, a passage to mark as a quote ([Quote]).
//
// A dialog draws itself over the screen's body and names its keys for the
// help bar. It reports the person's answer from its Update; the screen acts
// on it and drops the dialog.
package dialog

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/tvault/tvault/tui/keys"
	"github.com/tvault/tvault/tui/styles"
)

// Dialog is a question over a screen.
type Dialog interface {
	// View draws the dialog over body, what the screen shows under it.
	View(body string) string
	// ShortHelp is the keys of the help bar while the dialog is up.
	ShortHelp() []key.Binding
}

var (
	_ Dialog = (*Span)(nil)
	_ Dialog = (*Reid)(nil)
	_ Dialog = (*Saving)(nil)
	_ Dialog = (*Quote)(nil)
)

// Answer is what the person chose.
type Answer int

const (
	Pending Answer = iota // not answered yet
	Cancel                // esc: back, nothing done
	Accept                // the form is complete, or y: go ahead
	Protect               // p: turn what was found into sensitive spans
)

// common is what every dialog shares with the screen it covers.
type common struct {
	styles *styles.Styles
	keys   *keys.KeyMap
}
