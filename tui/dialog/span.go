package dialog

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/tvault/tvault/tui/keys"
	"github.com/tvault/tvault/tui/styles"
)

// Span asks for the secret and the public description of a new sensitive
// span of the testimony. huh keeps both as strings, which cannot be wiped:
// drop the dialog as soon as it is answered.
type Span struct {
	common
	form                *huh.Form
	secret, description string
}

// NewSpan returns the span dialog, width cells wide at most. Call Init.
func NewSpan(s *styles.Styles, k *keys.KeyMap, width int) *Span {
	d := &Span{common: common{styles: s, keys: k}}
	noMarkup := func(what string) func(string) error {
		return func(s string) error {
			if strings.TrimSpace(s) == "" {
				return fmt.Errorf("the %s is required", what)
			}
			if strings.ContainsAny(s, "|{}") {
				return fmt.Errorf("the %s cannot hold | { or }", what)
			}
			return nil
		}
	}
	d.form = huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Secret (sealed to the custodian)").Value(&d.secret).Validate(noMarkup("secret")),
		huh.NewInput().Title("Public description (what readers see)").Placeholder("the home province").
			Value(&d.description).Validate(noMarkup("description")),
	)).WithShowHelp(false).WithWidth(width)
	return d
}

// Init starts the form.
func (d *Span) Init() tea.Cmd { return d.form.Init() }

// Update passes msg to the form. It answers Cancel on esc, and Accept once
// the form is complete: then Markup is the span to insert.
func (d *Span) Update(msg tea.Msg) (Answer, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyEsc {
		return Cancel, nil
	}
	m, cmd := d.form.Update(msg)
	d.form = m.(*huh.Form)
	if d.form.State == huh.StateCompleted {
		return Accept, cmd
	}
	return Pending, cmd
}

// Markup is the span as the testimony writes it: {{secret|description}}.
func (d *Span) Markup() string {
	return "{{" + strings.TrimSpace(d.secret) + "|" + strings.TrimSpace(d.description) + "}}"
}

// View draws the form in a box, in place of body.
func (d *Span) View(string) string {
	return d.styles.Box.Render(d.styles.Title.Render("Sensitive span") + "\n" + d.form.View())
}

// ShortHelp is esc.
func (d *Span) ShortHelp() []key.Binding { return []key.Binding{d.keys.Back} }
