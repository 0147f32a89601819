package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/vault"
)

// keyHistory opens the history of the interview in front.
var keyHistory = key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "history"))

// historyContext is how many unchanged paragraphs the history shows around
// a change.
const historyContext = 1

// historyScreen lists an interview's revisions, oldest first: who saved
// each and when, the fields it changed, and its testimony against its
// parent's, paragraph by paragraph (vault.History). Spans read
// [description]; nothing sealed is shown.
type historyScreen struct {
	common
	id        string
	pseudonym string
	under     *interviewScreen // the interview, which keeps its messages
	entries   []vault.HistoryEntry
	top       int
	err       string
}

type historyMsg struct {
	id      string
	entries []vault.HistoryEntry
	err     error
}

func loadHistory(st *store, id string) tea.Cmd {
	return func() tea.Msg {
		var h []vault.HistoryEntry
		err := st.do(func(v Store) error {
			var err error
			h, err = v.History(context.Background(), id, historyContext)
			return err
		})
		return historyMsg{id: id, entries: h, err: err}
	}
}

func (h *historyScreen) SetSize(w, hh int) { h.width, h.height = w, hh; h.clamp() }

func (h *historyScreen) clear() { h.entries = nil }

func (h *historyScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case historyMsg:
		if msg.id != h.id {
			return nil
		}
		if msg.err != nil {
			h.err = msg.err.Error()
			return nil
		}
		h.entries = msg.entries
		// The newest revision is the one people look for first.
		h.top = len(h.lines())
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, h.keys.Back), key.Matches(msg, keyHistory):
			return h.nav.close(stateInterview, false)
		case key.Matches(msg, h.keys.Help):
			h.nav.toggleHelp()
		case key.Matches(msg, h.keys.Up):
			h.top--
		case key.Matches(msg, h.keys.Down):
			h.top++
		case key.Matches(msg, h.keys.PageUp):
			h.top -= h.page()
		case key.Matches(msg, h.keys.PageDown):
			h.top += h.page()
		case key.Matches(msg, h.keys.Home):
			h.top = 0
		case key.Matches(msg, h.keys.End):
			h.top = len(h.lines())
		}
	default:
		if h.under != nil {
			// The interview screen's own messages (a draft saved).
			return h.under.Update(msg)
		}
	}
	h.clamp()
	return nil
}

// ShortHelp is the keys that scroll, esc, ctrl+l and ?.
func (h *historyScreen) ShortHelp() []key.Binding {
	k := h.keys
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Back, k.Lock, k.Help}
}

func (h *historyScreen) page() int { return max(h.height-2, 1) }

func (h *historyScreen) clamp() {
	h.top = max(min(h.top, len(h.lines())-h.page()), 0)
}

// lines lays the history out, wrapped to the screen.
func (h *historyScreen) lines() []markedLine {
	w := max(h.width, 20)
	var out []markedLine
	wrap := func(prefix, s string, diff bool) {
		for k, l := range strings.Split(lipgloss.NewStyle().Width(max(w-len(prefix), 4)).Render(vault.Escape(s)), "\n") {
			p := prefix
			if k > 0 {
				p = strings.Repeat(" ", len(prefix))
			}
			out = append(out, markedLine{text: p + strings.TrimRight(l, " "), diff: diff})
		}
	}
	for n, e := range h.entries {
		if n > 0 {
			out = append(out, markedLine{})
		}
		what := fmt.Sprintf("Revision %d · by %s · %s", n+1, vault.Escape(e.Author), when(e.CreatedAt))
		if e.Merge {
			what += fmt.Sprintf(" · merge of %d versions", len(e.Parents))
		}
		out = append(out, markedLine{text: what, head: true})
		for _, f := range e.Fields {
			wrap("  ", fmt.Sprintf("%s: %s → %s", f.Field, orDash(f.Before), orDash(f.After)), true)
		}
		for _, l := range e.Diff {
			switch l.Op {
			case vault.DiffRemoved:
				wrap("  - ", l.Text, true)
			case vault.DiffAdded:
				wrap("  + ", l.Text, true)
			default:
				wrap("    ", l.Text, false)
			}
		}
	}
	return out
}

func (h *historyScreen) View() string {
	if h.err != "" {
		return h.styles.Error.Render(h.err)
	}
	if h.entries == nil {
		return "Reading the history…"
	}
	var b strings.Builder
	title := fmt.Sprintf("History · %s · %s", vault.Escape(h.pseudonym), plural(len(h.entries), "revision"))
	b.WriteString(h.styles.Title.Render(strings.TrimRight(cell(title, max(h.width, 20)), " ")) + "\n")
	b.WriteString(h.styles.Dim.Render("Oldest first; - removed, + added against the revision before.") + "\n")
	lines := h.lines()
	for row := h.top; row < h.top+h.page() && row < len(lines); row++ {
		l := lines[row]
		switch {
		case l.head:
			b.WriteString(h.styles.Header.Render(strings.TrimRight(cell(l.text, max(h.width, 20)), " ")))
		case l.diff:
			b.WriteString(h.styles.Warn.Render(l.text))
		default:
			b.WriteString(h.styles.Dim.Render(l.text))
		}
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
