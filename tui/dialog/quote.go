package dialog

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/tui/keys"
	"github.com/tvault/tvault/tui/styles"
)

// Quote asks for an optional label and tags for a passage selected to be
// marked as a quote. It shows the passage as the vault will look for it in
// the readable testimony, and, if the vault refuses it (not found, or found
// more than once), the vault's reason: esc then goes back to the selection,
// to extend it.
type Quote struct {
	common
	passage     string // as shown: escaped by the caller
	chars       int
	label, tags textinput.Model
	focus       int // 0 the label, 1 the tags
	width       int
	err         string
	busy        bool
}

// NewQuote returns the dialog for passage (escaped for the screen, chars
// characters long), width cells wide at most, its fields holding label and
// tags (what the person typed before a refusal).
func NewQuote(s *styles.Styles, k *keys.KeyMap, width int, passage string, chars int, label, tags string) *Quote {
	d := &Quote{common: common{styles: s, keys: k}, passage: passage, chars: chars, width: max(width, 30)}
	d.label = textinput.New()
	d.label.Prompt = "Label (optional): "
	d.label.Placeholder = "what it is about"
	d.label.CharLimit = 200
	d.label.SetValue(label)
	d.tags = textinput.New()
	d.tags.Prompt = "Tags (optional):  "
	d.tags.Placeholder = "words, with commas"
	d.tags.CharLimit = 200
	d.tags.SetValue(tags)
	for _, in := range []*textinput.Model{&d.label, &d.tags} {
		in.Width = max(d.width-24, 8)
	}
	d.label.Focus()
	return d
}

// Init starts the cursor's blink.
func (d *Quote) Init() tea.Cmd { return textinput.Blink }

// Update handles a key: Cancel on esc, Accept on enter (not while the
// vault is marking it), tab and the arrows move between the fields.
func (d *Quote) Update(msg tea.Msg) (Answer, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return Pending, d.pass(msg)
	}
	if d.busy {
		return Pending, nil
	}
	switch k.Type {
	case tea.KeyEsc:
		return Cancel, nil
	case tea.KeyEnter:
		return Accept, nil
	case tea.KeyTab, tea.KeyShiftTab, tea.KeyUp, tea.KeyDown:
		d.focus = 1 - d.focus
		if d.focus == 0 {
			d.tags.Blur()
			return Pending, d.label.Focus()
		}
		d.label.Blur()
		return Pending, d.tags.Focus()
	}
	return Pending, d.pass(msg)
}

func (d *Quote) pass(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	if d.focus == 0 {
		d.label, cmd = d.label.Update(msg)
	} else {
		d.tags, cmd = d.tags.Update(msg)
	}
	return cmd
}

// Answers returns the label and the tags typed (split at commas and
// spaces), trimmed.
func (d *Quote) Answers() (label string, tags []string) {
	tags = strings.FieldsFunc(d.tags.Value(), func(r rune) bool { return r == ',' || r == ' ' || r == '，' })
	return strings.TrimSpace(d.label.Value()), tags
}

// Typed returns the fields as typed, to fill them again after a refusal.
func (d *Quote) Typed() (label, tags string) { return d.label.Value(), d.tags.Value() }

// SetBusy marks the dialog as waiting for the vault; SetError shows why
// the vault refused the quote, and ends the wait.
func (d *Quote) SetBusy(b bool) { d.busy, d.err = b, "" }

// SetError shows why the vault refused the quote.
func (d *Quote) SetError(msg string) { d.busy, d.err = false, msg }

// maxPassageLines is how many lines of the passage the dialog shows.
const maxPassageLines = 4

// View draws the dialog in a box, in place of body.
func (d *Quote) View(string) string {
	w := d.width - 4
	var b strings.Builder
	b.WriteString(d.styles.Title.Render("Mark as a quote") + "\n")
	lines := strings.Split(lipgloss.NewStyle().Width(w).Render(d.passage), "\n")
	if len(lines) > maxPassageLines {
		lines = append(lines[:maxPassageLines-1], "…")
	}
	for _, l := range lines {
		b.WriteString(d.styles.Dim.Render("│ "+strings.TrimRight(l, " ")) + "\n")
	}
	b.WriteString(d.styles.Dim.Render(lipgloss.NewStyle().Width(w).Render(
		plural(d.chars, "character")+" of the readable testimony; it must be there exactly once.")) + "\n\n")
	b.WriteString(d.label.View() + "\n")
	b.WriteString(d.tags.View() + "\n")
	switch {
	case d.busy:
		b.WriteString("\nMarking…\n")
	case d.err != "":
		b.WriteString("\n" + d.styles.Error.Render(lipgloss.NewStyle().Width(w).Render("Not marked: "+d.err)) + "\n")
		b.WriteString(lipgloss.NewStyle().Width(w).Render("esc goes back to the selection: extend it until it is found once.") + "\n")
	default:
		b.WriteString("\nenter marks it · esc goes back to the selection\n")
	}
	return d.styles.Box.Render(strings.TrimSuffix(b.String(), "\n"))
}

// ShortHelp is enter, tab and esc.
func (d *Quote) ShortHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "mark")),
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the selection")),
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
