package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/vault"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/mattn/go-runewidth"
)

// row is one line of the list: an interview, or the draft of a new one.
type row struct {
	id        string // interview ID, "" for a new interview's draft
	draftKey  string // the draft's key, if the row has one
	pseudonym string
	lower     string // pseudonym, lower-cased, for filtering
	date      string
	tags      string
	heads     int
}

// listScreen lists every interview. Only the visible rows are rendered, so
// a keypress costs the same with ten interviews or ten thousand.
type listScreen struct {
	common
	st     *store // the open vault, nil while locked
	all    []row
	rows   []row // all, filtered
	cursor int
	offset int

	filtering bool
	filter    textinput.Model
	// hits are the interviews whose testimony matches the filter, from the
	// full-text search that runs off the UI loop; hitsFor is its query.
	hits    map[string]bool
	hitsFor string
	// hitsFound is how many interviews the search found: more than hits
	// when it was cut to its first page (searchPage).
	hitsFound int
	seq       int
	// where is where the testimony matches, by interview, for the
	// excerpt under the selected row; passed is the interviews the
	// filter's tag:, from:, to: and consent: let through (nil: no such
	// filter); badFilter says why a filter word is not applied.
	where     map[string]vault.Found
	passed    map[string]bool
	badFilter string

	// discard is the draft row to discard once y confirms, or nil.
	discard *row
}

// rowsMsg carries the interviews and drafts, loaded off the UI loop.
type rowsMsg struct{ rows []row }

func newListScreen(c common) *listScreen {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "pseudonym or words of the testimony; tag:T from:2019 to:2020-06 consent:share"
	return &listScreen{common: c, filter: ti}
}

func (l *listScreen) SetSize(w, h int) {
	l.width, l.height = w, h
	l.filter.Width = max(w-4, 10)
	l.clamp()
}

// loadRows reads the list from the vault.
func loadRows(s *store) tea.Cmd {
	return func() tea.Msg {
		var rows []row
		err := s.do(func(v Store) error {
			sums, err := v.List(context.Background())
			if err != nil {
				return err
			}
			drafts, err := v.Drafts()
			if err != nil {
				return err
			}
			drafted := map[string]string{}
			for _, d := range drafts {
				if d.Interview == "" {
					rows = append(rows, row{draftKey: d.Key, pseudonym: vault.Escape(d.Record.Pseudonym),
						date: vault.Escape(d.Record.InterviewedOn), tags: vault.Escape(strings.Join(d.Record.Tags, " "))})
				} else {
					drafted[d.Interview] = d.Key
				}
			}
			for _, s := range sums {
				// Escaped: what the vault holds may come from a bundle or an
				// older vault, and reaches the terminal here.
				rows = append(rows, row{id: s.ID, draftKey: drafted[s.ID], pseudonym: vault.Escape(s.Pseudonym),
					date: vault.Escape(s.InterviewedOn), tags: vault.Escape(strings.Join(s.Tags, " ")), heads: s.Heads})
			}
			return nil
		})
		if err != nil {
			return ErrorMsg{err}
		}
		for i := range rows {
			rows[i].lower = strings.ToLower(rows[i].pseudonym)
		}
		return rowsMsg{rows}
	}
}

func (l *listScreen) setRows(rows []row) {
	l.all = rows
	l.applyFilter()
}

// clear drops every row, for locking.
func (l *listScreen) clear() {
	l.all, l.rows, l.hits, l.where, l.passed, l.hitsFound = nil, nil, nil, nil, nil, 0
	l.badFilter = ""
	l.filter.Reset()
	l.filtering = false
	l.cursor, l.offset = 0, 0
	l.discard = nil
}

func (l *listScreen) query() string { return strings.TrimSpace(l.filter.Value()) }

func (l *listScreen) clamp() {
	l.cursor = min(max(l.cursor, 0), max(len(l.rows)-1, 0))
	h := l.pageSize()
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	l.offset = max(l.offset, 0)
}

// pageSize is the number of rows on screen: the height less the title, the
// filter line and the header.
func (l *listScreen) pageSize() int {
	if l.query() != "" {
		// A line under the selected row for where its testimony matches.
		return max(l.height-4, 1)
	}
	return max(l.height-3, 1)
}

func (l *listScreen) selected() (row, bool) {
	if l.cursor < len(l.rows) {
		return l.rows[l.cursor], true
	}
	return row{}, false
}

// navKey acts on a key that leaves the list (n, enter, e, r, p, R, t, s, q, ?).
// handled is false for the list's own keys.
func (l *listScreen) navKey(msg tea.KeyMsg) (cmd tea.Cmd, handled bool) {
	k := l.keys
	switch {
	case key.Matches(msg, k.Help):
		l.nav.toggleHelp()
	case key.Matches(msg, k.Quit):
		return tea.Quit, true
	case key.Matches(msg, k.New):
		return l.nav.openInterview("", "", false), true
	case key.Matches(msg, k.Open), key.Matches(msg, k.Edit):
		if r, ok := l.selected(); ok {
			return l.nav.openInterview(r.id, r.draftKey, key.Matches(msg, k.Edit)), true
		}
	case key.Matches(msg, k.Reveal):
		if r, ok := l.selected(); ok && (r.id != "" || r.draftKey != "") {
			return l.nav.openReveal(r.id, r.draftKey, r.pseudonym), true
		}
	case key.Matches(msg, k.Read):
		if r, ok := l.selected(); ok && r.id != "" {
			return l.nav.openReader(r.id, r.pseudonym, ""), true
		}
	case key.Matches(msg, k.Publish):
		return l.nav.openPublish(), true
	case key.Matches(msg, k.Team):
		return l.nav.openTeam(), true
	case key.Matches(msg, k.Stats):
		return l.nav.openStats(), true
	default:
		return nil, false
	}
	return nil, true
}

// Update handles a message for the list.
func (l *listScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case rowsMsg:
		l.setRows(msg.rows)
	case searchDelayMsg:
		if msg.seq != l.seq {
			return nil
		}
		return l.search(msg.seq)
	case searchMsg:
		if msg.seq == l.seq {
			l.hits, l.hitsFor, l.hitsFound = msg.ids, msg.query, msg.found
			l.where, l.passed, l.badFilter = msg.where, msg.passed, msg.bad
			l.applyFilter()
		}
	case tea.KeyMsg:
		if l.discard != nil {
			return l.discardKey(msg)
		}
		if !l.filtering && key.Matches(msg, l.keys.Discard) {
			if r, ok := l.selected(); ok && r.draftKey != "" {
				l.discard = &r
			}
			return nil
		}
		if !l.filtering {
			if cmd, ok := l.navKey(msg); ok {
				return cmd
			}
		}
		if l.filtering {
			switch msg.Type {
			case tea.KeyEsc:
				l.filtering = false
				l.filter.Blur()
				l.filter.Reset()
				l.seq++
				l.applyFilter()
				return nil
			case tea.KeyEnter, tea.KeyUp, tea.KeyDown:
				l.filtering = false
				l.filter.Blur()
				if msg.Type == tea.KeyEnter {
					return nil
				}
			default:
				before := l.filter.Value()
				var cmd tea.Cmd
				l.filter, cmd = l.filter.Update(msg)
				if l.filter.Value() == before {
					return cmd
				}
				l.seq++
				l.applyFilter()
				if l.query() == "" {
					return cmd
				}
				seq := l.seq
				return tea.Batch(cmd, tea.Tick(150*time.Millisecond, func(time.Time) tea.Msg { return searchDelayMsg{seq} }))
			}
		}
		switch {
		case key.Matches(msg, l.keys.Up):
			l.cursor--
		case key.Matches(msg, l.keys.Down):
			l.cursor++
		case key.Matches(msg, l.keys.PageUp):
			l.cursor -= l.pageSize()
		case key.Matches(msg, l.keys.PageDown):
			l.cursor += l.pageSize()
		case key.Matches(msg, l.keys.Home):
			l.cursor = 0
		case key.Matches(msg, l.keys.End):
			l.cursor = len(l.rows) - 1
		case key.Matches(msg, l.keys.Search):
			l.filtering = true
			return l.filter.Focus()
		}
		l.clamp()
	}
	return nil
}

// ShortHelp is the list's keys, or the filter's while typing one.
func (l *listScreen) ShortHelp() []key.Binding {
	k := l.keys
	if l.discard != nil {
		return []key.Binding{k.Yes, k.No}
	}
	if l.filtering {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "done")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))}
	}
	return []key.Binding{k.New, k.Open, k.Edit, k.Read, k.Search, k.Publish, k.Stats, k.Team, k.Reveal, k.Lock, k.Help, k.Quit}
}

// discardKey answers the question whether to discard a draft: y deletes it
// and reloads the list, n or esc keeps it.
func (l *listScreen) discardKey(msg tea.KeyMsg) tea.Cmd {
	r := *l.discard
	switch {
	case key.Matches(msg, l.keys.Yes):
		l.discard = nil
		s := l.st
		return func() tea.Msg {
			if err := s.do(func(v Store) error { return v.DeleteDraft(r.draftKey) }); err != nil {
				return ErrorMsg{err}
			}
			return loadRows(s)()
		}
	case key.Matches(msg, l.keys.No):
		l.discard = nil
	}
	return nil
}

func (l *listScreen) View() string {
	if l.discard != nil {
		what := "the new interview"
		if l.discard.id != "" {
			what = "the interview (the saved interview stays)"
		}
		return l.styles.Box.Render(l.styles.Warn.Render("Discard the draft of "+l.discard.pseudonym+"?") + "\n\n" +
			"Its unsaved changes to " + what + " are deleted, with the identity\n" +
			"and span secrets sealed in it. This cannot be undone.\n\n" +
			"  y  discard    n  keep")
	}
	var b strings.Builder
	title := "tvault — " + interviews(len(l.all))
	if q := l.query(); q != "" {
		title = fmt.Sprintf("tvault — %d of %s", len(l.rows), interviews(len(l.all)))
	}
	b.WriteString(l.styles.Title.Render(title) + "\n")
	if l.filtering || l.query() != "" {
		warn := l.cutNotice()
		if l.badFilter != "" && l.hitsFor == strings.ToLower(l.query()) {
			warn = l.badFilter
		}
		if warn != "" {
			// The field gives up the room the warning takes.
			fi := l.filter
			fi.Width = max(l.width-4-lipgloss.Width(warn)-2, 10)
			b.WriteString(fi.View() + "  " + l.styles.Warn.Render(warn))
		} else {
			b.WriteString(l.filter.View())
		}
	} else {
		b.WriteString(l.styles.Dim.Render("/ to search by pseudonym or testimony"))
	}
	b.WriteString("\n")

	w := max(l.width, 40)
	const dateW, stateW = 10, 9
	rest := w - dateW - stateW - 2 - 3
	pseuW := max(rest*2/5, 8)
	tagW := max(rest-pseuW, 4)
	b.WriteString(l.styles.Header.Render("  "+cell("DATE", dateW)+" "+cell("PSEUDONYM", pseuW)+" "+cell("TAGS", tagW)+" "+cell("STATE", stateW)) + "\n")
	h := l.pageSize()
	if len(l.rows) == 0 {
		if len(l.all) == 0 {
			b.WriteString(l.styles.Dim.Render("No interviews yet. Press n to add one.") + "\n")
		} else {
			b.WriteString(l.styles.Dim.Render("Nothing matches.") + "\n")
		}
		h--
	}
	for i := l.offset; i < len(l.rows) && i < l.offset+h; i++ {
		r := l.rows[i]
		state := "saved"
		switch {
		case r.heads > 1:
			state = "!conflict"
		case r.draftKey != "" && r.id == "":
			state = "new/draft"
		case r.draftKey != "":
			state = "draft"
		}
		date := r.date
		if date == "" {
			date = "—"
		}
		mark := "  "
		if i == l.cursor {
			mark = "▸ "
		}
		line := mark + cell(date, dateW) + " " + cell(r.pseudonym, pseuW) + " " + cell(r.tags, tagW) + " " + cell(state, stateW)
		if i == l.cursor {
			line = l.styles.Selected.Render(line)
		}
		b.WriteString(line + "\n")
		if f, ok := l.where[r.id]; ok && i == l.cursor && r.id != "" && l.hitsFor == strings.ToLower(l.query()) {
			// Where the testimony matches, and around it: the readable
			// testimony, spans as [description].
			at := fmt.Sprintf("    %d:%d  ", f.Line, f.Column)
			b.WriteString(l.styles.Dim.Render(at+cell(vault.Escape(f.Excerpt), max(w-lipgloss.Width(at), 1))) + "\n")
		}
	}
	return b.String()
}

// cell pads or truncates s to exactly w cells; wide characters count two.
func cell(s string, w int) string {
	if runewidth.StringWidth(s) > w {
		s = runewidth.Truncate(s, w, "…")
	}
	return runewidth.FillRight(s, w)
}

func interviews(n int) string {
	if n == 1 {
		return "1 interview"
	}
	return fmt.Sprintf("%d interviews", n)
}
