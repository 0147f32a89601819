package dialog

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/keys"
	"github.com/tvault/tvault/tui/styles"
)

// Hit is a term of the identity found in the testimony.
type Hit struct {
	Term string // as typed in the identity form
	What string // what it is: "a name", "a contact"…
}

// Reid warns, before a save, that the testimony holds what was typed in the
// identity form: the identity is sealed on save, the testimony is not.
type Reid struct {
	common
	hits []Hit
}

// NewReid returns the warning for hits.
func NewReid(s *styles.Styles, k *keys.KeyMap, hits []Hit) *Reid {
	return &Reid{common: common{styles: s, keys: k}, hits: hits}
}

// Update answers a key: p Protect, y Accept, esc or n Cancel.
func (d *Reid) Update(msg tea.Msg) Answer {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return Pending
	}
	switch k.String() {
	case "p":
		return Protect
	case "y":
		return Accept
	case "esc", "n":
		return Cancel
	}
	return Pending
}

// View draws the warning in a box, in place of body.
func (d *Reid) View(string) string {
	var b strings.Builder
	b.WriteString(d.styles.Warn.Render("The testimony could identify the interviewee") + "\n\n")
	b.WriteString("It contains what you typed in the identity form:\n")
	for _, h := range d.hits {
		// On screen only: the person typed it. Never in an error or a log.
		fmt.Fprintf(&b, "  • %s (%s)\n", h.Term, h.What)
	}
	b.WriteString("\nThe identity is sealed on save, but the testimony is not.\n\n")
	b.WriteString("  p  turn each into a sensitive span, then save\n")
	b.WriteString("  y  save as it is\n")
	b.WriteString("  esc  go back\n")
	return d.styles.Box.Render(b.String())
}

// ShortHelp is p, y and esc.
func (d *Reid) ShortHelp() []key.Binding {
	return []key.Binding{d.keys.Protect, d.keys.Yes, d.keys.Back}
}
