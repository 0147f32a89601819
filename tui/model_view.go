package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// MinWidth and MinHeight are the smallest terminal every screen is drawn
// in. Below it the UI says so instead of drawing a screen cut to pieces;
// keys still work (ctrl+l locks, ctrl+c quits).
const (
	MinWidth  = 60
	MinHeight = 15
)

// View draws the screen: the current state's screen, the message if there
// is one, and the help bar. The message and the help bar wrap; the screen
// is sized to the lines they leave.
func (m *Model) View() string {
	if m.width < MinWidth || m.height < MinHeight {
		return m.tooSmall()
	}
	var bindings []key.Binding
	k := m.keys
	s, ok := m.screens[m.state]
	if ok && !m.showHelp {
		// The full help lists every key: the help bar would take its lines.
		bindings = s.ShortHelp()
	}
	if m.confirmQuit {
		bindings = []key.Binding{k.Yes, k.No}
	}
	footer := m.footer(bindings)
	if m.err != "" {
		footer = m.styles.Error.Render(wrapWords(m.err, m.width)) + "\n" + footer
	}
	if n := strings.Count(footer, "\n") + 1; n != m.reserved {
		// The screens are drawn in the lines left.
		m.reserved = n
		for _, sc := range m.screens {
			sc.SetSize(m.bodySize())
		}
	}
	var body string
	if ok {
		body = s.View()
	}
	if m.showHelp {
		body = m.fullHelp()
	}
	if m.confirmQuit {
		body = m.styles.Box.Render(m.styles.Warn.Render("Quit with unsaved changes?") + "\n\n" +
			"Your changes are kept in an encrypted draft, not yet saved as an\ninterview. Open it again from the list to save it.\n\n" +
			"  y  quit    n  stay")
	}
	_, h := m.bodySize()
	body = lipgloss.NewStyle().Height(h).MaxHeight(h).MaxWidth(m.width).Render(body)
	return body + "\n" + footer
}

// footer is the help bar: each key and what it does, wrapped between keys,
// never cut.
func (m *Model) footer(bindings []key.Binding) string {
	st := m.help.Styles
	sep := st.ShortSeparator.Inline(true).Render(m.help.ShortSeparator)
	sepW := lipgloss.Width(sep)
	var lines []string
	var line string
	lineW := 0
	for _, kb := range bindings {
		if !kb.Enabled() {
			continue
		}
		h := kb.Help()
		item := st.ShortKey.Inline(true).Render(h.Key) + " " + st.ShortDesc.Inline(true).Render(h.Desc)
		w := lipgloss.Width(item)
		switch {
		case lineW == 0:
		case lineW+sepW+w <= m.width:
			line += sep
			lineW += sepW
		default:
			lines = append(lines, line)
			line, lineW = "", 0
		}
		line += item
		lineW += w
	}
	lines = append(lines, line)
	return strings.Join(lines, "\n")
}

// tooSmall is what shows in a terminal smaller than MinWidth×MinHeight.
func (m *Model) tooSmall() string {
	msg := fmt.Sprintf("The terminal is too small (need %d×%d, have %d×%d). Make the window larger or the font smaller. ctrl+l locks, ctrl+c quits.",
		MinWidth, MinHeight, m.width, m.height)
	return lipgloss.NewStyle().MaxHeight(max(m.height, 1)).Render(wrapWords(msg, max(m.width, 1)))
}
