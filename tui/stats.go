package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/vault"
)

// statsScreen draws counts as bar charts: interviews by tag, year and
// place; relatives by harm and relation.
type statsScreen struct {
	common
	stats *vault.Stats
}

type statsMsg struct{ stats *vault.Stats }

func loadStats(st *store) tea.Cmd {
	return func() tea.Msg {
		var s *vault.Stats
		err := st.do(func(v Store) error {
			var err error
			s, err = v.Stats()
			return err
		})
		if err != nil {
			return ErrorMsg{err}
		}
		return statsMsg{s}
	}
}

func (s *statsScreen) SetSize(w, h int) { s.width, s.height = w, h }

func (s *statsScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case statsMsg:
		s.stats = msg.stats
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, s.keys.Back), key.Matches(msg, s.keys.Quit):
			return s.nav.close(stateList, false)
		case key.Matches(msg, s.keys.Help):
			s.nav.toggleHelp()
		}
	}
	return nil
}

// ShortHelp is esc, ctrl+l and ?.
func (s *statsScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.keys.Back, s.keys.Lock, s.keys.Help}
}

// clear drops the counts.
func (s *statsScreen) clear() { s.stats = nil }

func (s *statsScreen) View() string {
	if s.stats == nil {
		return "Counting…"
	}
	st := s.stats
	title := s.styles.Title.Render(fmt.Sprintf("Statistics — %s", interviews(st.Interviews)))
	charts := []struct {
		title  string
		counts []vault.Count
	}{
		{"Interviews by tag", st.ByTag},
		{"Relatives by harm", st.ByHarm},
		{"Interviews by year", st.ByYear},
		{"Interviews by place", st.ByPlace},
		{"Relatives by relation", st.ByRelation},
	}
	cols := 1
	if s.width >= 70 {
		cols = 2
	}
	gridRows := (len(charts) + cols - 1) / cols
	// Each chart: its title, then its bars; a blank line between rows.
	per := max((s.height-2-(gridRows-1))/gridRows, 3)
	w := (s.width - 2*(cols-1)) / cols
	var rows []string
	for n := 0; n < len(charts); n += cols {
		var row []string
		for c := n; c < n+cols && c < len(charts); c++ {
			if c > n {
				row = append(row, "  ")
			}
			row = append(row, s.chart(charts[c].title, charts[c].counts, w, per-2))
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return title + "\n\n" + strings.Join(rows, "\n\n")
}

// chart draws at most rows bars in width cells.
func (s *statsScreen) chart(title string, counts []vault.Count, width, rows int) string {
	var b strings.Builder
	b.WriteString(s.styles.Header.Render(title) + "\n")
	if len(counts) == 0 {
		b.WriteString(s.styles.Dim.Render("none yet") + "\n")
		return lipgloss.NewStyle().Width(width).Render(b.String())
	}
	most, labelW := 0, 0
	for _, c := range counts {
		most = max(most, c.N)
		// Labels come from the records, which may come from a bundle.
		labelW = max(labelW, lipgloss.Width(vault.Escape(c.Label)))
	}
	// Labels whole where they fit beside a bar of 8 cells.
	labelW = min(labelW, max(width-len(fmt.Sprint(most))-3-8, 6))
	numW := len(fmt.Sprint(most))
	barW := max(width-labelW-numW-3, 1)
	for n, c := range counts {
		if n >= rows {
			fmt.Fprintf(&b, "… and %d more\n", len(counts)-n)
			break
		}
		bar := c.N * barW / max(most, 1)
		if bar == 0 && c.N > 0 {
			bar = 1
		}
		fmt.Fprintf(&b, "%s %s%s %*d\n", cell(vault.Escape(c.Label), labelW), s.styles.Bar.Render(strings.Repeat("█", bar)),
			strings.Repeat(" ", barW-bar), numW, c.N)
	}
	return lipgloss.NewStyle().Width(width).Render(strings.TrimRight(b.String(), "\n"))
}
