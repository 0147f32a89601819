package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestSearchFilters: / takes tag:, from:, to: and consent: with words or
// alone; the selected row shows where its testimony matches, spans as
// [description], never a sealed secret.
func TestSearchFilters(t *testing.T) {
	s := unlockedDriver(t, goldenInputs()...)
	m := s.m
	search := func(q string) []string {
		t.Helper()
		s.key(runes("/"))
		s.key(runes(q))
		s.send(s.send(searchDelayMsg{seq: m.list.seq})())
		var names []string
		for _, r := range m.list.rows {
			names = append(names, r.pseudonym)
		}
		return names
	}
	clear := func() { s.key(tea.KeyMsg{Type: tea.KeyEsc}) }
	for _, c := range []struct{ q, want string }{
		{"tag:exit-ban", "Lin Qiao"},
		{"tag:summoned", "小河"},
		{"from:2019", "小河,Teacher K"},
		{"to:2019-12", "Lin Qiao,小河"},
		{"from:2019 to:2019", "小河"},
		{"consent:quote", "Lin Qiao,小河,Teacher K"},
		{"consent:share", ""},
		{"letter from:2020", "Teacher K"},
		{"letter to:2019", ""},
		{"teacher consent:record", "Teacher K"}, // a pseudonym, filtered
		{"jiangxi", ""},                         // the sealed secret
	} {
		if got := strings.Join(search(c.q), ","); got != c.want {
			t.Errorf("/%s: %q, want %q", c.q, got, c.want)
		}
		clear()
	}

	search("province")
	view := m.View()
	if !strings.Contains(view, "1:28  …came to [the home province] twice a week.") {
		t.Errorf("no place and excerpt under the row:\n%s", view)
	}
	clear()
	search("护照 tag:summoned")
	if view := m.View(); !strings.Contains(view, "1:22  …我什么时候回国。我妹妹的护照被没收了。") {
		t.Errorf("no place and excerpt in Chinese:\n%s", view)
	}
	clear()
	// A date not yet whole is said, and left out meanwhile.
	search("from:2019-1")
	if view := m.View(); !strings.Contains(view, "from: takes YYYY, YYYY-MM or YYYY-MM-DD") || len(m.list.rows) != 3 {
		t.Errorf("a half-typed date:\n%s", view)
	}
}
