package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// goldenHere compares the screen with a golden file of testdata, as
// TestGolden does, from any test.
func goldenHere(s *driver, name string) {
	s.t.Helper()
	wd, _ := os.Getwd()
	goldenDir = filepath.Join(wd, "testdata")
	s.golden(name)
}

// TestDateErrorAtField: a bad date typed and saved at once (ctrl+s, no tab)
// is said at the date field, with the focus there, and nothing is saved.
func TestDateErrorAtField(t *testing.T) {
	s := unlockedDriver(t)
	m := s.m
	s.send(s.key(runes("n"))())
	if m.iv() == nil {
		t.Fatal("no interview screen")
	}
	iv := m.iv()
	if iv.pane != paneForm {
		s.key(runes("m"))
	}
	s.key(runes("Lin Qiao"))
	s.settle(s.key(tea.KeyMsg{Type: tea.KeyTab}))
	s.key(runes("2019-02-30"))
	// tab on it: the field keeps the focus and says why, on screen.
	s.settle(s.key(tea.KeyMsg{Type: tea.KeyTab}))
	if !strings.Contains(m.View(), "no such day in the calendar") {
		t.Fatalf("tab on a bad date: the error is not on the screen:\n%s", m.View())
	}
	// Back to the overview, then save from there: the form is left.
	s.key(tea.KeyMsg{Type: tea.KeyEsc})
	s.key(tea.KeyMsg{Type: tea.KeyCtrlS})
	if iv.pane != paneForm || iv.form.GetFocusedField().GetKey() != dateKey {
		t.Fatalf("a bad date should bring the date field back:\n%s", m.View())
	}
	view := strings.Join(strings.Fields(m.View()), " ")
	if !strings.Contains(view, "no such day in the calendar") {
		t.Fatalf("the field does not say what is wrong:\n%s", m.View())
	}
	if iv.dlg != nil {
		t.Fatal("a save started")
	}
	goldenHere(s, "date-error")
}

// settle runs cmd and the commands its messages return, as the program
// would, for the messages that come at once (a command that waits, a tick
// or a blink, is dropped).
func (s *driver) settle(cmd tea.Cmd) {
	for depth := 0; cmd != nil && depth < 20; depth++ {
		msg := runNow(cmd)
		switch msg := msg.(type) {
		case nil:
			return
		case tea.BatchMsg:
			for _, c := range msg {
				s.settle(c)
			}
			return
		default:
			if isSequence(msg) {
				return
			}
			cmd = s.send(msg)
		}
	}
}

func runNow(cmd tea.Cmd) tea.Msg {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		return msg
	case <-time.After(50 * time.Millisecond):
		return nil
	}
}

// isSequence reports a tea.Sequence's message, which the test does not
// unpack (its type is not exported).
func isSequence(msg tea.Msg) bool {
	return strings.Contains(fmt.Sprintf("%T", msg), "sequenceMsg")
}

// TestSpanErrorInEditor: a span written wrong is refused at save with its
// line and column, and the editor opens with the cursor on its {{.
func TestSpanErrorInEditor(t *testing.T) {
	dir, _ := mustVault(t)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.newInterview("小河")
	u.toEditor()
	u.typeText("第一行")
	u.key(tea.KeyEnter)
	u.typeText("警察说 {{Zhou Wei and more")
	u.waitFor("and more")
	u.key(tea.KeyHome) // the cursor away from the span
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("line 2, column 5", "The cursor is on it")
	u.quit()
	iv := u.m.iv()
	if iv == nil || iv.pane != paneEditor {
		t.Fatal("the editor is not in front")
	}
	if got := iv.editor.Cursor(); got != 8 {
		t.Fatalf("cursor at %d, want 8 (the span's {{)", got)
	}
}
