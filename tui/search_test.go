package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
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

// TestSearchCut: a search that finds more interviews than it asks for (a
// page: searchPage) shows the first ones, in list order, and says how many
// it found, so that the query can be refined.
func TestSearchCut(t *testing.T) {
	defer func(n int) { searchPage = n }(searchPage)
	searchPage = 2
	var ins []vault.Input
	for i, p := range []string{"小河", "白鹭", "远山", "明月"} {
		var in vault.Input
		in.Pseudonym, in.InterviewedOn = p, fmt.Sprintf("201%d-01-01", 9-i)
		in.Testimony = "当地的警察每周两次到我父母家里来。"
		if p == "明月" {
			in.Testimony = "没有人来过。"
		}
		ins = append(ins, in)
	}
	s := unlockedDriver(t, ins...)
	m := s.m
	s.key(runes("/"))
	s.key(runes("警察"))
	s.send(s.send(searchDelayMsg{seq: m.list.seq})())
	var names []string
	for _, r := range m.list.rows {
		names = append(names, r.pseudonym)
	}
	if got, want := strings.Join(names, ","), "远山,白鹭"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	if !strings.Contains(m.View(), "showing 2 of 3 — refine the query") {
		t.Errorf("no word that the search was cut:\n%s", m.View())
	}
	setGoldenDir(t)
	s.golden("search-cut")

	// A query that finds no more than a page says nothing of it.
	s.key(tea.KeyMsg{Type: tea.KeyEsc})
	s.key(runes("/"))
	s.key(runes("没有"))
	s.send(s.send(searchDelayMsg{seq: m.list.seq})())
	if len(m.list.rows) != 1 || strings.Contains(m.View(), "refine the query") {
		t.Errorf("one found:\n%s", m.View())
	}

	// The same in a running program, as typed.
	dir, _ := mustVault(t, ins...)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.waitFor("4 interviews")
	u.typeText("/")
	u.typeText("警察")
	u.waitFor("showing 2 of 3 — refine the query")
	if screen := u.finalScreen(); !strings.Contains(screen, "远山") || strings.Contains(screen, "小河") {
		t.Fatalf("search 警察 cut to 2 shows:\n%s", screen)
	}
}

// setGoldenDir points golden files at testdata, for a test run alone.
func setGoldenDir(t *testing.T) {
	if goldenDir != "" {
		return
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	goldenDir = filepath.Join(wd, "testdata")
}
