// Package styles holds the lipgloss styles of the terminal UI.
package styles

import "github.com/charmbracelet/lipgloss"

// Styles are every style the screens use.
type Styles struct {
	Title    lipgloss.Style
	Header   lipgloss.Style
	Selected lipgloss.Style
	Dim      lipgloss.Style
	Error    lipgloss.Style
	OK       lipgloss.Style
	Warn     lipgloss.Style
	// Span is a sensitive span in testimony.
	Span lipgloss.Style
	// Quote is a passage marked as a quote, in the reading view.
	Quote lipgloss.Style
	// Cursor is the editor's cursor.
	Cursor lipgloss.Style
	Bar    lipgloss.Style
	Box    lipgloss.Style
}

// New returns the styles. With noColor (NO_COLOR is set) they use bold,
// underline and reverse video only, so that the cursor and sensitive spans
// stay visible without colour.
func New(noColor bool) *Styles {
	s := &Styles{
		Title:    lipgloss.NewStyle().Bold(true),
		Header:   lipgloss.NewStyle().Bold(true).Underline(true),
		Selected: lipgloss.NewStyle().Reverse(true),
		Dim:      lipgloss.NewStyle().Faint(true),
		Error:    lipgloss.NewStyle().Bold(true),
		OK:       lipgloss.NewStyle(),
		Warn:     lipgloss.NewStyle().Bold(true),
		Span:     lipgloss.NewStyle().Underline(true).Bold(true),
		Quote:    lipgloss.NewStyle().Italic(true),
		Cursor:   lipgloss.NewStyle().Reverse(true),
		Bar:      lipgloss.NewStyle(),
		Box:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
	}
	if noColor {
		return s
	}
	s.Title = s.Title.Foreground(lipgloss.Color("12"))
	s.Selected = lipgloss.NewStyle().Background(lipgloss.Color("12")).Foreground(lipgloss.Color("0"))
	s.Error = s.Error.Foreground(lipgloss.Color("9"))
	s.OK = s.OK.Foreground(lipgloss.Color("10"))
	s.Warn = s.Warn.Foreground(lipgloss.Color("11"))
	s.Span = lipgloss.NewStyle().Background(lipgloss.Color("52")).Foreground(lipgloss.Color("11"))
	s.Quote = s.Quote.Foreground(lipgloss.Color("10"))
	s.Bar = s.Bar.Foreground(lipgloss.Color("12"))
	s.Box = s.Box.BorderForeground(lipgloss.Color("11"))
	return s
}
