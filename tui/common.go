package tui

import (
	"time"

	"github.com/tvault/tvault/tui/keys"
	"github.com/tvault/tvault/tui/styles"
)

// common is what every screen shares: its size, the styles and the key map.
type common struct {
	width, height int
	styles        *styles.Styles
	keys          *keys.KeyMap
}

// Component is a part of the UI that can be resized.
type Component interface {
	SetSize(width, height int)
}

var (
	_ Component = (*editor)(nil)
	_ Component = (*listScreen)(nil)
	_ Component = (*interviewScreen)(nil)
	_ Component = (*statsScreen)(nil)
	_ Component = (*unlockScreen)(nil)
	_ Component = (*setupScreen)(nil)
)

// ErrorMsg carries an error to Update. Its text is shown to the person; the
// errors from vault and crypto never hold testimony, names or passphrases.
type ErrorMsg struct{ Err error }

// Clock is the time source; tests replace it.
type Clock func() time.Time
