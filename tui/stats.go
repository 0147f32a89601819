package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/vault"
)

// statsScreen draws counts by tag and by harm to relatives as bar charts.
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
	title := s.styles.Title.Render(fmt.Sprintf("Statistics — %d interviews", s.stats.Interviews))
	rows := max(s.height-5, 1)
	if s.width >= 70 {
		w := (s.width - 2) / 2
		left := s.chart("Interviews by tag", s.stats.ByTag, w, rows)
		right := s.chart("Relatives by harm", s.stats.ByHarm, w, rows)
		return title + "\n\n" + lipgloss.JoinHorizontal(lipgloss.Top, left, "  ", right)
	}
	half := max(rows/2-1, 1)
	return title + "\n\n" + s.chart("Interviews by tag", s.stats.ByTag, s.width, half) + "\n" +
		s.chart("Relatives by harm", s.stats.ByHarm, s.width, half)
}

// chart draws at most rows bars in width cells.
func (s *statsScreen) chart(title string, counts []vault.Count, width, rows int) string {
	var b strings.Builder
	b.WriteString(s.styles.Header.Render(title) + "\n")
	if len(counts) == 0 {
		b.WriteString(s.styles.Dim.Render("none yet") + "\n")
		return lipgloss.NewStyle().Width(width).Render(b.String())
	}
	most := counts[0].N
	labelW := 0
	for _, c := range counts {
		labelW = max(labelW, len([]rune(c.Label)))
	}
	labelW = min(labelW, max(width/3, 6))
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
		fmt.Fprintf(&b, "%s %s%s %*d\n", cell(c.Label, labelW), s.styles.Bar.Render(strings.Repeat("█", bar)),
			strings.Repeat(" ", barW-bar), numW, c.N)
	}
	return lipgloss.NewStyle().Width(width).Render(strings.TrimRight(b.String(), "\n"))
}
