package tui

import (
	"os"
	"path/filepath"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestPathExpandsHome: a path typed as ~/… in the UI is read in the home
// folder, not in a folder named ~ under the current one.
func TestPathExpandsHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	t.Chdir(t.TempDir())
	s := unlockedDriver(t, goldenInputs()...)
	s.send(s.key(runes("t"))())
	s.key(runes("c"))
	s.key(runes("~/me.card"))
	s.send(s.key(tea.KeyMsg{Type: tea.KeyEnter})())
	if _, err := os.Stat(filepath.Join(home, "me.card")); err != nil {
		t.Fatalf("the card is not in the home folder: %v\n%s", err, s.m.View())
	}
	if _, err := os.Stat("~"); err == nil {
		t.Fatal("a folder named ~ was made")
	}
}
