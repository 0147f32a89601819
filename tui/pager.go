package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/keys"
)

// pager is text wrapped to a width, that scrolls: the publish screen's
// disclosure review and report.
type pager struct {
	text          string
	lines         []string
	top           int
	width, height int
}

func (g *pager) SetSize(w, h int) {
	g.width, g.height = w, max(h, 1)
	g.SetText(g.text)
}

// SetText puts text in the pager, wrapped to its width.
func (g *pager) SetText(s string) {
	g.text = s
	g.lines = strings.Split(strings.TrimRight(wrapWords(s, max(g.width, 20)), "\n"), "\n")
	g.clamp()
}

func (g *pager) clamp() { g.top = max(min(g.top, len(g.lines)-g.height), 0) }

// Key scrolls on the keys that move; it reports whether msg was one.
func (g *pager) Key(msg tea.KeyMsg, k *keys.KeyMap) bool {
	switch {
	case key.Matches(msg, k.Up):
		g.top--
	case key.Matches(msg, k.Down):
		g.top++
	case key.Matches(msg, k.PageUp):
		g.top -= g.height
	case key.Matches(msg, k.PageDown), msg.Type == tea.KeySpace:
		g.top += g.height
	case key.Matches(msg, k.Home):
		g.top = 0
	case key.Matches(msg, k.End):
		g.top = len(g.lines)
	default:
		return false
	}
	g.clamp()
	return true
}

// View is the lines on screen, height of them.
func (g *pager) View() string {
	end := min(g.top+g.height, len(g.lines))
	out := strings.Join(g.lines[min(g.top, end):end], "\n")
	if n := end - g.top; n < g.height {
		out += strings.Repeat("\n", g.height-n)
	}
	return out
}

// Position says which lines show: "12–33 of 80 · 41%", or "all".
func (g *pager) Position() string {
	n := len(g.lines)
	if n <= g.height {
		return "all"
	}
	last := min(g.top+g.height, n)
	return fmt.Sprintf("%d–%d of %d · %d%%", g.top+1, last, n, last*100/n)
}
