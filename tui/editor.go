package tui

import (
	"github.com/tvault/tvault/vault"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"
	"github.com/muesli/termenv"
)

// editor is the full-screen testimony editor: soft-wrapped text of any
// length, wide (Chinese) characters counted as two cells, sensitive spans
// {{…}} highlighted. It keeps the text as runes, so a cursor move or an
// insertion never splits a character.
type editor struct {
	common
	buf []rune
	cur int // cursor, a rune index into buf
	top int // first visual line shown
	col int // preferred cell column for up and down, or -1

	// lines is the soft wrap of buf at the current width, rebuilt lazily
	// after an edit or a resize.
	lines []vline
	stale bool
	// spans are the rune ranges [start, end) of {{…}} in buf.
	spans [][2]int

	asciiCursor bool
}

// vline is one visual line: the runes [start, end) of buf, without the
// newline that may end it.
type vline struct{ start, end int }

func newEditor(c common) *editor {
	return &editor{common: c, col: -1, stale: true}
}

func (e *editor) SetSize(w, h int) {
	if w != e.width {
		e.stale = true
	}
	e.width, e.height = w, h
}

func (e *editor) SetValue(s string) {
	e.buf = []rune(s)
	e.cur = 0
	e.top = 0
	e.stale = true
}

func (e *editor) Value() string { return string(e.buf) }

// MoveTo puts the cursor before character n of the text; the view
// scrolls to it.
func (e *editor) MoveTo(n int) {
	e.cur = min(max(n, 0), len(e.buf))
	e.col = -1
}

// Cursor is the cursor's place: the characters before it.
func (e *editor) Cursor() int { return e.cur }

// Len is the testimony's length in characters.
func (e *editor) Len() int { return len(e.buf) }

// Clear drops the text, for locking.
func (e *editor) Clear() {
	clear(e.buf)
	e.buf = nil
	e.lines = nil
	e.spans = nil
	e.cur, e.top = 0, 0
	e.stale = true
}

// Insert puts s at the cursor.
func (e *editor) Insert(s string) {
	e.insertRunes([]rune(s))
}

func (e *editor) insertRunes(rs []rune) {
	for i, r := range rs {
		switch {
		case r == '\r':
			rs[i] = '\n'
		case r == '\t':
			rs[i] = ' '
		case r < ' ' && r != '\n':
			rs[i] = ' '
		}
	}
	e.buf = append(e.buf[:e.cur], append(rs, e.buf[e.cur:]...)...)
	e.cur += len(rs)
	e.col = -1
	e.stale = true
}

// Update handles a key and reports whether the text changed.
func (e *editor) Update(msg tea.KeyMsg) (changed bool) {
	switch msg.Type {
	case tea.KeyRunes:
		if msg.Alt {
			return false
		}
		e.insertRunes(append([]rune{}, msg.Runes...))
		return true
	case tea.KeySpace:
		e.insertRunes([]rune{' '})
		return true
	case tea.KeyEnter:
		e.insertRunes([]rune{'\n'})
		return true
	case tea.KeyTab:
		e.insertRunes([]rune("    "))
		return true
	case tea.KeyBackspace:
		if e.cur > 0 {
			e.buf = append(e.buf[:e.cur-1], e.buf[e.cur:]...)
			e.cur--
			e.stale = true
			e.col = -1
			return true
		}
	case tea.KeyDelete:
		if e.cur < len(e.buf) {
			e.buf = append(e.buf[:e.cur], e.buf[e.cur+1:]...)
			e.stale = true
			return true
		}
	case tea.KeyLeft:
		if e.cur > 0 {
			e.cur--
		}
		e.col = -1
	case tea.KeyRight:
		if e.cur < len(e.buf) {
			e.cur++
		}
		e.col = -1
	case tea.KeyUp:
		e.moveLines(-1)
	case tea.KeyDown:
		e.moveLines(1)
	case tea.KeyPgUp:
		e.moveLines(-max(1, e.height-1))
	case tea.KeyPgDown:
		e.moveLines(max(1, e.height-1))
	case tea.KeyHome, tea.KeyCtrlA:
		e.wrap()
		e.cur = e.lines[e.lineOf(e.cur)].start
		e.col = -1
	case tea.KeyEnd, tea.KeyCtrlE:
		e.wrap()
		e.cur = e.lines[e.lineOf(e.cur)].end
		e.col = -1
	case tea.KeyCtrlHome:
		e.cur = 0
	case tea.KeyCtrlEnd:
		e.cur = len(e.buf)
	}
	return false
}

// wrap rebuilds the visual lines if the text or the width changed.
func (e *editor) wrap() {
	if !e.stale && e.lines != nil {
		return
	}
	// One cell is kept free for the cursor at the end of a line.
	w := max(e.width-1, 2)
	e.lines = e.lines[:0]
	// brk is where the current line may break: after its last space, so
	// that words stay whole. Chinese has no spaces and breaks anywhere.
	start, cells, brk := 0, 0, -1
	for i, r := range e.buf {
		if r == '\n' {
			e.lines = append(e.lines, vline{start, i})
			start, cells, brk = i+1, 0, -1
			continue
		}
		rw := runeWidth(r)
		if cells+rw > w {
			if brk > start {
				e.lines = append(e.lines, vline{start, brk})
				cells = 0
				for _, r := range e.buf[brk:i] {
					cells += runeWidth(r)
				}
				start = brk
			} else {
				// No space: break between characters, but not before
				// closing punctuation (，。) nor after an opening bracket.
				b := breakBefore(e.buf, start, i)
				e.lines = append(e.lines, vline{start, b})
				cells = 0
				for _, r := range e.buf[b:i] {
					cells += runeWidth(r)
				}
				start = b
			}
			brk = -1
		}
		cells += rw
		if r == ' ' {
			brk = i + 1
		}
	}
	e.lines = append(e.lines, vline{start, len(e.buf)})
	e.spans = findSpans(e.buf)
	e.stale = false
}

func runeWidth(r rune) int {
	if w := runewidth.RuneWidth(r); w > 0 {
		return w
	}
	return 1
}

// findSpans returns the rune ranges of every {{…}} in buf.
func findSpans(buf []rune) [][2]int {
	var out [][2]int
	for i := 0; i+1 < len(buf); i++ {
		if buf[i] != '{' || buf[i+1] != '{' {
			continue
		}
		end := len(buf)
		for j := i + 2; j+1 < len(buf); j++ {
			if buf[j] == '}' && buf[j+1] == '}' {
				end = j + 2
				break
			}
		}
		out = append(out, [2]int{i, end})
		i = end - 1
	}
	return out
}

// lineOf returns the visual line holding rune index pos.
func (e *editor) lineOf(pos int) int {
	lo, hi := 0, len(e.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if e.lines[mid].start <= pos {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	// A position at the end of a wrapped line is the start of the next
	// one, so the cursor shows there.
	return lo
}

func (e *editor) cellCol(l vline, pos int) int {
	c := 0
	for _, r := range e.buf[l.start:pos] {
		c += runeWidth(r)
	}
	return c
}

func (e *editor) moveLines(n int) {
	e.wrap()
	li := e.lineOf(e.cur)
	if e.col < 0 {
		e.col = e.cellCol(e.lines[li], e.cur)
	}
	li = min(max(li+n, 0), len(e.lines)-1)
	l := e.lines[li]
	pos, c := l.start, 0
	for pos < l.end {
		rw := runeWidth(e.buf[pos])
		if c+rw > e.col {
			break
		}
		c += rw
		pos++
	}
	e.cur = pos
}

// View renders the visible lines, e.height of them.
func (e *editor) View() string {
	e.wrap()
	h := max(e.height, 1)
	cl := e.lineOf(e.cur)
	if cl < e.top {
		e.top = cl
	}
	if cl >= e.top+h {
		e.top = cl - h + 1
	}
	e.top = min(e.top, max(len(e.lines)-1, 0))
	e.asciiCursor = lipgloss.ColorProfile() == termenv.Ascii
	var b strings.Builder
	// The first span that may reach the screen.
	si := 0
	first := e.lines[e.top].start
	for si < len(e.spans) && e.spans[si][1] <= first {
		si++
	}
	for n := 0; n < h; n++ {
		if n > 0 {
			b.WriteByte('\n')
		}
		li := e.top + n
		if li >= len(e.lines) {
			continue
		}
		l := e.lines[li]
		e.renderLine(&b, l, li == cl, &si)
	}
	return b.String()
}

func (e *editor) renderLine(b *strings.Builder, l vline, hasCursor bool, si *int) {
	const (
		plain = iota
		spanned
		cursor
	)
	kind := func(i int) int {
		if hasCursor && i == e.cur {
			return cursor
		}
		for *si < len(e.spans) && e.spans[*si][1] <= i {
			*si++
		}
		if *si < len(e.spans) && e.spans[*si][0] <= i {
			return spanned
		}
		return plain
	}
	flush := func(k int, s string) {
		if s == "" {
			return
		}
		// Control characters in the text (from a bundle, or an older
		// vault) are shown escaped, never sent to the terminal.
		s = vault.Escape(s)
		switch k {
		case spanned:
			b.WriteString(e.styles.Span.Render(s))
		case cursor:
			if e.asciiCursor {
				// Without colours and attributes (NO_COLOR, tests) reverse
				// video is lost: draw a bar before the character instead.
				b.WriteString("│" + strings.TrimSuffix(s, " "))
				return
			}
			b.WriteString(e.styles.Cursor.Render(s))
		default:
			b.WriteString(s)
		}
	}
	eachRun(e.buf[l.start:l.end], l.start, kind, flush)
	if hasCursor && e.cur == l.end {
		flush(cursor, " ")
	}
}

// eachRun calls flush with each run of buf whose runes are of one kind
// (kind is asked of each rune's index, from start), and once first with
// kind -1 and nothing.
func eachRun(buf []rune, start int, kind func(int) int, flush func(int, string)) {
	var run strings.Builder
	cur := -1
	for i, r := range buf {
		k := kind(start + i)
		if k != cur {
			flush(cur, run.String())
			run.Reset()
			cur = k
		}
		run.WriteRune(r)
	}
	flush(cur, run.String())
}
