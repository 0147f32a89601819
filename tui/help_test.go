package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// TestHelpEveryScreen: ? (f1 where ? is a character) lists the keys of the
// screen in front, the team screen's and the multi-line fields' newline
// key included; in the editor ? is typed, not taken.
func TestHelpEveryScreen(t *testing.T) {
	s := unlockedDriver(t, goldenInputs()...)
	m := s.m
	help := func(what string, want ...string) {
		t.Helper()
		if !m.showHelp {
			t.Fatalf("%s: no help shown", what)
		}
		flat := strings.Join(strings.Fields(m.View()), " ")
		for _, w := range want {
			if !strings.Contains(flat, w) {
				t.Errorf("%s: help lacks %q:\n%s", what, w, m.View())
			}
		}
		s.key(runes("x")) // any key closes it
		if m.showHelp {
			t.Fatalf("%s: help still shown", what)
		}
	}
	s.key(runes("?"))
	help("list", "n new interview", "d discard a draft", "tag:T", "ctrl+l lock")

	s.send(s.key(runes("t"))())
	s.key(runes("?"))
	help("team", "a add member", "d remove member", "x export", "i import", "c my card", "space mark for export", "K new member key")
	s.key(tea.KeyMsg{Type: tea.KeyEsc})

	s.send(s.key(tea.KeyMsg{Type: tea.KeyEnter})())
	s.key(runes("?"))
	help("interview", "alt+enter new line", "ctrl+k sensitive span", "R reveal")

	s.key(runes("e"))
	before := m.iv().editor.Value()
	s.key(runes("?"))
	if m.showHelp || m.iv().editor.Value() == before {
		t.Fatalf("? in the editor should be typed")
	}
	s.key(tea.KeyMsg{Type: tea.KeyF1})
	help("editor", "enter new line", "ctrl+k sensitive span")
}

// unlockedDriver drives a model on a new vault holding inputs, unlocked,
// at 80×24.
func unlockedDriver(t *testing.T, inputs ...vault.Input) *driver {
	t.Helper()
	dir, _ := mustVault(t, inputs...)
	m, err := New(Options{Dir: dir, Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	s := &driver{t: t, m: m}
	s.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.hold.Release()
	m.hold = nil
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte(testPassphrase)))
	if err != nil {
		t.Fatal(err)
	}
	s.send(s.send(unlockedMsg{v: v})())
	return s
}
