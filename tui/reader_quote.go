package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/dialog"
	"github.com/tvault/tvault/vault"
)

// Marking a quote in the reading view: v starts a selection at the first
// line of testimony on screen; the arrows, w and b, the page keys, home and
// end move its end; q asks for a label and tags (dialog.Quote) and marks
// the passage through vault.AddQuote, the call behind tvault quote add. The
// selection is of the readable testimony, where a span reads
// [description]: a selection that takes part of a span takes all of it,
// and no secret can be in it.

// quoteAddedMsg carries the vault's answer to a quote.
type quoteAddedMsg struct {
	quote *vault.Quote
	err   error
}

// startSelection starts a selection at the first line of testimony on
// screen (or the nearest one).
func (r *readerScreen) startSelection() {
	e := r.text
	if len(e.buf) == 0 {
		r.status = "The testimony is empty: there is nothing to select."
		return
	}
	lines := r.lines()
	tl := len(e.lines) - 1
	for row := r.top; row < len(lines); row++ {
		if lines[row].tl >= 0 {
			tl = lines[row].tl
			break
		}
	}
	e.cur = e.lines[tl].start
	e.col = -1
	r.anchor = e.cur
	r.selecting = true
	r.follow()
}

// selection is the runes [lo, hi) selected: from the anchor to the cursor,
// both included, widened to whole spans.
func (r *readerScreen) selection() (lo, hi int) {
	e := r.text
	lo, hi = min(r.anchor, e.cur), min(max(r.anchor, e.cur)+1, len(e.buf))
	for _, s := range r.spans {
		if s[0] < hi && s[1] > lo {
			lo, hi = min(lo, s[0]), max(hi, s[1])
		}
	}
	return lo, hi
}

// follow scrolls the view to the cursor's line.
func (r *readerScreen) follow() {
	row := r.tStart + r.text.lineOf(r.text.cur)
	if row < r.top {
		r.top = row
	}
	if row >= r.top+r.page() {
		r.top = row - r.page() + 1
	}
	r.clamp()
}

// selectKey moves the selection's end, cancels it, or asks to mark it.
func (r *readerScreen) selectKey(msg tea.KeyMsg) tea.Cmd {
	e := r.text
	e.wrap()
	r.status = ""
	switch msg.String() {
	case "esc", "v":
		r.selecting = false
		return nil
	case "q":
		return r.openQuoteDialog()
	case "left", "h":
		e.cur = max(e.cur-1, 0)
		e.col = -1
	case "right", "l":
		e.cur = min(e.cur+1, max(len(e.buf)-1, 0))
		e.col = -1
	case "w", "alt+right", "ctrl+right":
		e.cur = wordForward(e.buf, e.cur)
		e.col = -1
	case "b", "alt+left", "ctrl+left":
		e.cur = wordBack(e.buf, e.cur)
		e.col = -1
	case "up", "k":
		e.moveLines(-1)
	case "down", "j":
		e.moveLines(1)
	case "pgup":
		e.moveLines(-r.page())
	case "pgdown", " ":
		e.moveLines(r.page())
	case "home", "0":
		e.cur = e.lines[e.lineOf(e.cur)].start
		e.col = -1
	case "end", "$":
		e.cur = max(e.lines[e.lineOf(e.cur)].end-1, e.lines[e.lineOf(e.cur)].start)
		e.col = -1
	case "g":
		e.cur, e.col = 0, -1
	case "G":
		e.cur, e.col = max(len(e.buf)-1, 0), -1
	}
	// The cursor is on a character: the selection includes it.
	e.cur = min(e.cur, max(len(e.buf)-1, 0))
	r.follow()
	return nil
}

// runeClass sorts runes for moving by words: spaces, punctuation (，。
// included, so that Chinese, which has no spaces, moves clause by clause),
// and the rest.
func runeClass(c rune) int {
	switch {
	case unicode.IsSpace(c):
		return 0
	case unicode.IsPunct(c) || noLineStart(c) || noLineEnd(c):
		return 1
	}
	return 2
}

// wordForward returns the start of the next word after i.
func wordForward(buf []rune, i int) int {
	if i >= len(buf)-1 {
		return max(len(buf)-1, 0)
	}
	c := runeClass(buf[i])
	for i < len(buf) && runeClass(buf[i]) == c {
		i++
	}
	for i < len(buf) && runeClass(buf[i]) == 0 {
		i++
	}
	return min(i, len(buf)-1)
}

// wordBack returns the start of the word before i (or of the one i is in).
func wordBack(buf []rune, i int) int {
	if i <= 0 {
		return 0
	}
	i--
	for i > 0 && runeClass(buf[i]) == 0 {
		i--
	}
	c := runeClass(buf[i])
	for i > 0 && runeClass(buf[i-1]) == c {
		i--
	}
	return i
}

// passage is the selected text, as the vault will look for it.
func (r *readerScreen) passage() string {
	lo, hi := r.selection()
	return strings.TrimSpace(string(r.text.buf[lo:hi]))
}

func (r *readerScreen) openQuoteDialog() tea.Cmd {
	p := r.passage()
	if p == "" {
		r.status = "The selection is only spaces: extend it."
		return nil
	}
	if n := len([]rune(p)); n > vault.MaxQuote {
		// The vault refuses it (validateQuotes): say so before the dialog,
		// which would wrap the whole passage at every key.
		r.status = fmt.Sprintf("The selection is %d characters; a quote is at most %d: shorten it.", n, vault.MaxQuote)
		return nil
	}
	r.dlg = dialog.NewQuote(r.styles, r.keys, min(70, r.width-4), vault.Escape(p), len([]rune(p)), r.label, r.tags)
	return r.dlg.Init()
}

func (r *readerScreen) dialogKey(msg tea.KeyMsg) tea.Cmd {
	a, cmd := r.dlg.Update(msg)
	switch a {
	case dialog.Cancel:
		// Back to the selection, which stays as it was, to extend it.
		r.label, r.tags = r.dlg.Typed()
		r.dlg = nil
		return nil
	case dialog.Accept:
		r.dlg.SetBusy(true)
		label, tags := r.dlg.Answers()
		return addQuote(r.st, r.id, r.passage(), label, tags)
	}
	return cmd
}

func addQuote(st *store, id, text, label string, tags []string) tea.Cmd {
	return func() tea.Msg {
		var msg quoteAddedMsg
		msg.err = st.do(func(v Store) error {
			var err error
			msg.quote, err = v.AddQuote(context.Background(), id, text, label, tags)
			return err
		})
		return msg
	}
}

// quoteAdded closes the dialog and reads the interview again, or shows in
// the dialog why the vault refused the quote.
func (r *readerScreen) quoteAdded(msg quoteAddedMsg) tea.Cmd {
	if r.dlg == nil {
		return nil
	}
	if msg.err != nil {
		r.dlg.SetError(quoteError(msg.err))
		return nil
	}
	r.dlg, r.selecting = nil, false
	r.label, r.tags = "", ""
	r.status = fmt.Sprintf("Marked as a quote (%s): it is listed under Quotes.", msg.quote.ID[:min(8, len(msg.quote.ID))])
	return loadReading(r.st, r.id)
}

// quoteError is the vault's reason for refusing a quote, for the dialog.
// The vault's errors never hold the testimony.
func quoteError(err error) string {
	if errors.Is(err, vault.ErrInConflict) {
		return "the interview is in conflict (two versions, a teammate's among them): merge them first, with v in the interview."
	}
	if errors.Is(err, vault.ErrNoPassage) {
		// "invalid interview: quote: the passage is …": the reason is the
		// part after the error's kind.
		s := err.Error()
		if i := strings.LastIndex(s, "quote: "); i >= 0 {
			s = s[i+len("quote: "):]
		}
		return s + "."
	}
	return err.Error() + "."
}
