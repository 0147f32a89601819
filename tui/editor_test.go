package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

func testEditor(w, h int, text string) *editor {
	m, _ := New(Options{Dir: "none"})
	e := newEditor(m.common)
	e.SetSize(w, h)
	e.SetValue(text)
	return e
}

func lines(e *editor) []string {
	e.wrap()
	var out []string
	for _, l := range e.lines {
		out = append(out, string(e.buf[l.start:l.end]))
	}
	return out
}

func TestEditorWrap(t *testing.T) {
	t.Run("Chinese", func(t *testing.T) {
		// 11 cells, one kept for the cursor: five wide characters a line.
		e := testEditor(11, 5, "警察每周来两次，问我")
		if got, want := strings.Join(lines(e), "/"), "警察每周来/两次，问我"; got != want {
			t.Fatalf("lines %q, want %q", got, want)
		}
		for _, l := range strings.Split(e.View(), "\n") {
			if w := lipgloss.Width(l); w > 11 {
				t.Fatalf("a line of %d cells in 11: %q", w, l)
			}
		}
	})
	t.Run("Words", func(t *testing.T) {
		e := testEditor(13, 5, "Officers came to the house")
		if got, want := strings.Join(lines(e), "/"), "Officers /came to the /house"; got != want {
			t.Fatalf("lines %q, want %q", got, want)
		}
	})
	t.Run("LongWord", func(t *testing.T) {
		e := testEditor(6, 5, "abcdefghijkl")
		if got, want := strings.Join(lines(e), "/"), "abcde/fghij/kl"; got != want {
			t.Fatalf("lines %q, want %q", got, want)
		}
	})
}

func TestEditorKeys(t *testing.T) {
	e := testEditor(20, 5, "")
	typ := func(k tea.KeyMsg) { e.Update(k) }
	typ(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("警察来了")})
	typ(tea.KeyMsg{Type: tea.KeyEnter})
	typ(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("abcdef")})
	typ(tea.KeyMsg{Type: tea.KeyBackspace})
	if got, want := e.Value(), "警察来了\nabcde"; got != want {
		t.Fatalf("value %q, want %q", got, want)
	}
	// Up from column 4 (cells) of "abcde" lands after 察 (4 cells).
	typ(tea.KeyMsg{Type: tea.KeyLeft})
	typ(tea.KeyMsg{Type: tea.KeyUp})
	typ(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("X")})
	if got, want := e.Value(), "警察X来了\nabcde"; got != want {
		t.Fatalf("value %q, want %q", got, want)
	}
	// alt+letter is not text.
	if e.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("m"), Alt: true}) {
		t.Fatal("alt+m inserted text")
	}
	// Paste keeps its newlines.
	typ(tea.KeyMsg{Type: tea.KeyCtrlEnd})
	typ(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("\r\nline"), Paste: true})
	if got, want := e.Value(), "警察X来了\nabcde\n\nline"; got != want {
		t.Fatalf("value %q, want %q", got, want)
	}
}

func TestEditorSpans(t *testing.T) {
	e := testEditor(40, 5, "a {{Jiangxi|the province}} b {{#1|x}} c {{open")
	e.wrap()
	got := []string{}
	for _, s := range e.spans {
		got = append(got, string(e.buf[s[0]:s[1]]))
	}
	if want := "{{Jiangxi|the province}}/{{#1|x}}/{{open"; strings.Join(got, "/") != want {
		t.Fatalf("spans %q, want %q", got, want)
	}
}
