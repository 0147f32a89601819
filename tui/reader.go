package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/dialog"
	"github.com/tvault/tvault/vault"
)

// The reading view: an interview as saved, read only, in full, whatever
// its length: its fields, its testimony wrapped to the screen (spans as
// [description], never a secret) and its quotes. It scrolls with the
// arrows, the page keys, home and end and the mouse wheel. v starts a
// selection of the testimony, which q marks as a quote (reader_quote.go).
// Drawing is in reader_view.go.

// readerScreen is the reading view of one interview.
type readerScreen struct {
	common
	st        *store
	id        string
	pseudonym string
	back      state            // the screen esc returns to
	under     *interviewScreen // the interview under the reader, which keeps its messages

	view   *vault.View
	quotes []vault.QuoteInfo
	// text is the readable testimony in an editor that is never edited:
	// its soft wrap (wide characters as two cells, no line starting with
	// closing punctuation) and its cursor serve the selection.
	text  *editor
	spans [][2]int // the rune ranges of the spans' [description] in text
	marks [][2]int // the rune ranges of the current quotes in text

	// doc is every line of the view, laid out for docW; tStart is the
	// index in doc of the testimony's first line.
	doc    []docLine
	docW   int
	tStart int
	top    int

	selecting bool
	anchor    int // where the selection started; the cursor is text.cur

	dlg *dialog.Quote
	// label and tags are what the quote dialog held when the vault refused
	// the quote: the next dialog starts with them.
	label, tags string

	status string
	err    string
	loaded bool
}

// docLine is a line of the reading view: text drawn as it is, or, with tl
// at 0 or more, the testimony's visual line tl.
type docLine struct {
	text string
	tl   int
}

// readingMsg carries an interview and its quotes.
type readingMsg struct {
	id     string
	view   *vault.View
	quotes []vault.QuoteInfo
	err    error
}

func newReaderScreen(c common, st *store, id, pseudonym string, back state) *readerScreen {
	r := &readerScreen{common: c, st: st, id: id, pseudonym: pseudonym, back: back, text: newEditor(c)}
	r.SetSize(c.width, c.height)
	return r
}

func loadReading(st *store, id string) tea.Cmd {
	return func() tea.Msg {
		msg := readingMsg{id: id}
		msg.err = st.do(func(v Store) error {
			var err error
			if msg.view, err = v.Get(id); err != nil {
				return err
			}
			msg.quotes, err = v.Quotes(context.Background(), id)
			return err
		})
		return msg
	}
}

func (r *readerScreen) SetSize(w, h int) {
	r.width, r.height = w, h
	// Two cells for the gutter that marks quoted and selected lines.
	r.text.SetSize(max(w-2, 4), r.page())
	r.docW = -1
	r.clamp()
}

// page is how many lines of the document show: the body less the title
// and the status line.
func (r *readerScreen) page() int { return max(r.height-2, 1) }

func (r *readerScreen) clear() {
	r.text.Clear()
	r.view, r.quotes, r.doc = nil, nil, nil
	r.spans, r.marks = nil, nil
	r.dlg = nil
	r.label, r.tags = "", ""
	r.selecting = false
}

func (r *readerScreen) load(msg readingMsg) {
	if msg.err != nil {
		r.err = msg.err.Error()
		return
	}
	r.loaded, r.err = true, ""
	r.view, r.quotes = msg.view, msg.quotes
	r.pseudonym = msg.view.Pseudonym
	text, spans := readableSpans(msg.view.Marked)
	if text != msg.view.Testimony {
		// The markup did not parse as the vault's: show the vault's
		// reading, spans unmarked, rather than a guess.
		text, spans = msg.view.Testimony, nil
	}
	r.text.SetValue(text)
	r.spans = spans
	r.marks = quoteRanges(text, msg.quotes)
	r.selecting = false
	r.docW = -1
	r.clamp()
}

// readableSpans returns marked testimony as it reads ({{#N|description}}
// as [description], as vault.RenderPublic has it) and the rune ranges of
// each [description] in it.
func readableSpans(marked string) (string, [][2]int) {
	var b strings.Builder
	var spans [][2]int
	n := 0 // runes written
	for {
		open := strings.Index(marked, "{{#")
		closing := -1
		if open >= 0 {
			closing = strings.Index(marked[open:], "}}")
		}
		if open < 0 || closing < 0 {
			b.WriteString(marked)
			return b.String(), spans
		}
		closing += open
		_, desc, _ := strings.Cut(marked[open+2:closing], "|")
		b.WriteString(marked[:open])
		n += len([]rune(marked[:open]))
		span := "[" + desc + "]"
		b.WriteString(span)
		spans = append(spans, [2]int{n, n + len([]rune(span))})
		n += len([]rune(span))
		marked = marked[closing+2:]
	}
}

// quoteRanges returns the rune ranges of the current quotes in text.
func quoteRanges(text string, quotes []vault.QuoteInfo) [][2]int {
	var out [][2]int
	for _, q := range quotes {
		if !q.Current {
			continue
		}
		if i := strings.Index(text, q.Text); i >= 0 {
			start := len([]rune(text[:i]))
			out = append(out, [2]int{start, start + len([]rune(q.Text))})
		}
	}
	return out
}

func (r *readerScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case readingMsg:
		if msg.id == r.id {
			r.load(msg)
		}
		return nil
	case quoteAddedMsg:
		return r.quoteAdded(msg)
	case tea.MouseMsg:
		if r.dlg == nil && !r.selecting {
			switch msg.Button {
			case tea.MouseButtonWheelUp:
				r.top -= 3
			case tea.MouseButtonWheelDown:
				r.top += 3
			}
			r.clamp()
		}
		return nil
	case tea.KeyMsg:
		return r.key(msg)
	}
	if r.dlg != nil {
		_, cmd := r.dlg.Update(msg)
		return cmd
	}
	if r.under != nil {
		// The interview screen's own messages (a draft saved).
		return r.under.Update(msg)
	}
	return nil
}

func (r *readerScreen) key(msg tea.KeyMsg) tea.Cmd {
	if r.dlg != nil {
		return r.dialogKey(msg)
	}
	if r.selecting {
		return r.selectKey(msg)
	}
	k := r.keys
	r.status = ""
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Read):
		return r.nav.close(r.back, r.back == stateList)
	case key.Matches(msg, k.Help):
		r.nav.toggleHelp()
	case !r.loaded:
	case key.Matches(msg, k.Up):
		r.top--
	case key.Matches(msg, k.Down):
		r.top++
	case key.Matches(msg, k.PageUp):
		r.top -= r.page()
	case key.Matches(msg, k.PageDown), msg.Type == tea.KeySpace:
		r.top += r.page()
	case key.Matches(msg, k.Home):
		r.top = 0
	case key.Matches(msg, k.End):
		r.top = len(r.lines())
	case key.Matches(msg, k.Select) && r.view.Heads > 1:
		// The vault refuses it too (vault.ErrInConflict).
		r.status = "In conflict: merge its versions first (v in the interview); a quote now would keep only the newest."
	case key.Matches(msg, k.Select):
		r.startSelection()
	case key.Matches(msg, k.MarkQuote):
		r.status = "Select a passage of the testimony first: v starts a selection."
	}
	r.clamp()
	return nil
}

// clamp keeps the view within the document.
func (r *readerScreen) clamp() {
	r.top = max(min(r.top, len(r.lines())-r.page()), 0)
}

// ShortHelp is the keys that scroll and select, or the selection's, or
// the dialog's.
func (r *readerScreen) ShortHelp() []key.Binding {
	k := r.keys
	switch {
	case r.dlg != nil:
		return r.dlg.ShortHelp()
	case r.selecting:
		return []key.Binding{bind("←/→", "character"), bind("w/b", "word"), bind("↑/↓", "line"),
			k.MarkQuote, bind("esc", "cancel"), k.Lock, k.Help}
	}
	return []key.Binding{bind("↑/↓/pgup/pgdn", "scroll"), bind("home/end", "ends"), k.Select, k.Back, k.Lock, k.Help}
}

func (r *readerScreen) typing() bool { return r.dlg != nil }

func (r *readerScreen) FullHelp() []helpGroup {
	k := r.keys
	return []helpGroup{
		{"Reading", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, bind("wheel", "scroll"),
			k.Select, k.Back}},
		{"Selection (v)", []key.Binding{bind("←/→ h/l", "by character"), bind("w/b", "by word"),
			bind("↑/↓ j/k", "by line"), bind("home/end", "line start/end"), bind("g/G", "testimony start/end"),
			bind("pgup/pgdn", "page"), k.MarkQuote, bind("esc/v", "cancel")}},
		{"Quote (q)", []key.Binding{bind("tab", "label, tags"), bind("enter", "mark"), bind("esc", "back to the selection")}},
	}
}
