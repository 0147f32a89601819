package dialog

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/keys"
	"github.com/tvault/tvault/tui/styles"
)

// Hit is a term of the identity found in the testimony or another field.
type Hit struct {
	Term  string // as typed in the identity form
	What  string // what it is: "a name", "a contact"…
	Field string // where, if not in the testimony: "Where", "Relatives"…
}

// Reid warns, before a save, that the testimony (or another field) holds
// what was typed in the identity form: the identity is sealed on save, the
// rest is not.
type Reid struct {
	common
	hits []Hit
	// inTestimony: some hits are in the testimony, which p protects.
	inTestimony bool
}

// NewReid returns the warning for hits.
func NewReid(s *styles.Styles, k *keys.KeyMap, hits []Hit) *Reid {
	d := &Reid{common: common{styles: s, keys: k}, hits: hits}
	for _, h := range hits {
		if h.Field == "" {
			d.inTestimony = true
		}
	}
	return d
}

// Update answers a key: p Protect (if a hit is in the testimony), y Accept,
// esc or n Cancel.
func (d *Reid) Update(msg tea.Msg) Answer {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return Pending
	}
	switch k.String() {
	case "p":
		if d.inTestimony {
			return Protect
		}
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
	b.WriteString("It holds what could identify the interviewee:\n")
	fields := false
	for _, h := range d.hits {
		// On screen only: the person typed it. Never in an error or a log.
		if h.Field != "" {
			fields = true
			fmt.Fprintf(&b, "  • %s (%s) in %s\n", h.Term, h.What, h.Field)
			continue
		}
		fmt.Fprintf(&b, "  • %s (%s)\n", h.Term, h.What)
	}
	b.WriteString("\nThe identity is sealed on save, but the testimony is not.\n")
	if fields {
		b.WriteString("Fix the other fields in the details form (m): they cannot hold spans.\n")
	}
	b.WriteString("\n")
	if d.inTestimony {
		b.WriteString("  p  turn each into a sensitive span, then save\n")
	}
	b.WriteString("  y  save as it is\n")
	b.WriteString("  esc  go back\n")
	return d.styles.Box.Render(b.String())
}

// ShortHelp is p, y and esc.
func (d *Reid) ShortHelp() []key.Binding {
	if !d.inTestimony {
		return []key.Binding{d.keys.Yes, d.keys.Back}
	}
	return []key.Binding{d.keys.Protect, d.keys.Yes, d.keys.Back}
}
