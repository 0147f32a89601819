package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// View draws the screen: the current state's screen, and a help bar.
func (m *Model) View() string {
	var body string
	var bindings []key.Binding
	k := m.keys
	if s, ok := m.screens[m.state]; ok {
		body = s.View()
		bindings = s.ShortHelp()
	}
	if m.showHelp {
		body = m.fullHelp()
	}
	if m.confirmQuit {
		body = m.styles.Box.Render(m.styles.Warn.Render("Quit with unsaved changes?") + "\n\n" +
			"Your changes are kept in an encrypted draft, not yet saved as an\ninterview. Open it again from the list to save it.\n\n" +
			"  y  quit    n  stay")
		bindings = []key.Binding{k.Yes, k.No}
	}
	h := max(m.height-1, 1)
	if m.err != "" {
		body = strings.TrimRight(body, "\n") + "\n" + m.styles.Error.Render(m.err)
	}
	body = lipgloss.NewStyle().Height(h).MaxHeight(h).MaxWidth(m.width).Render(body)
	return body + "\n" + lipgloss.NewStyle().MaxWidth(m.width).Render(m.help.ShortHelpView(bindings))
}

func (m *Model) fullHelp() string {
	k := m.keys
	groups := [][]key.Binding{
		{k.New, k.Open, k.Edit, k.Discard, k.Search, k.Stats, k.Team, k.Reveal, k.Quit, k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Edit, k.Metadata, k.Identity, k.Save, k.Back, k.Span, k.Reveal, k.Compare, k.Redact},
		{k.Lock, k.Help, k.ForceQuit},
	}
	var cols []string
	for n, g := range groups {
		var c strings.Builder
		c.WriteString(m.styles.Header.Render([]string{"List", "Interview", "Anywhere"}[n]) + "\n")
		for _, kb := range g {
			h := kb.Help()
			c.WriteString(cell(h.Key, 8) + " " + h.Desc + "\n")
		}
		cols = append(cols, c.String(), "   ")
	}
	var b strings.Builder
	b.WriteString(m.styles.Title.Render("Keys") + "\n\n")
	b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, cols...) + "\n")
	b.WriteString("\nDrafts are saved, encrypted, a moment after you stop typing.\n")
	b.WriteString("The vault locks itself after " + m.opts.IdleLock.String() + " without a key.\n")
	return b.String()
}
