package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/vault"
)

// conflictScreen shows an interview in conflict: the versions saved on
// different laptops that no revision has merged yet. It opens on their
// three-way merge (merge_view.go): what either version added is kept, and
// only paragraphs or fields both changed differently are asked about;
// ctrl+s saves the merge, a revision with both versions as parents. v shows
// the versions themselves side by side, whatever differs marked.
type conflictScreen struct {
	common
	st    *store
	id    string
	under *interviewScreen // the interview compared, which keeps its messages
	heads []vault.View
	top   int
	err   string

	merge    *vault.Merge // nil until read, or when the merge could not be made
	versions bool         // the versions side by side, not the merge
	cur      int          // the conflict in hand
	msg      string
	saving   bool
}

// headsMsg carries the head versions and their merge, read off the UI loop.
type headsMsg struct {
	id    string
	heads []vault.View
	merge *vault.Merge
	err   error
}

func loadHeads(st *store, id string) tea.Cmd {
	return func() tea.Msg {
		var heads []vault.View
		var merge *vault.Merge
		err := st.do(func(v Store) error {
			var err error
			if heads, err = v.Heads(id); err != nil || len(heads) < 2 {
				return err
			}
			// Without a merge (an error reading the history) the versions
			// still show side by side.
			merge, _ = v.Merge(id)
			return nil
		})
		return headsMsg{id: id, heads: heads, merge: merge, err: err}
	}
}

func (c *conflictScreen) SetSize(w, h int) { c.width, c.height = w, h; c.clamp() }

// clear drops the versions, for locking.
func (c *conflictScreen) clear() { c.heads, c.merge = nil, nil }

func (c *conflictScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case headsMsg:
		if msg.id != c.id {
			return nil
		}
		if msg.err != nil {
			c.err = msg.err.Error()
			return nil
		}
		c.heads, c.merge = msg.heads, msg.merge
	case mergeSavedMsg:
		return c.mergeSaved(msg)
	case tea.KeyMsg:
		if c.merge != nil && !c.versions && len(c.heads) > 1 {
			if cmd, ok := c.mergeKey(msg); ok {
				return cmd
			}
		}
		switch {
		case key.Matches(msg, c.keys.Back) && c.versions && c.merge != nil:
			c.versions = false
		case key.Matches(msg, c.keys.Back):
			return c.nav.close(stateInterview, false)
		case key.Matches(msg, c.keys.Help):
			c.nav.toggleHelp()
		case key.Matches(msg, c.keys.Up):
			c.top--
		case key.Matches(msg, c.keys.Down):
			c.top++
		case key.Matches(msg, c.keys.PageUp):
			c.top -= c.page()
		case key.Matches(msg, c.keys.PageDown):
			c.top += c.page()
		case key.Matches(msg, c.keys.Home):
			c.top = 0
		}
	default:
		if c.under != nil {
			// The interview screen's own messages (a draft saved).
			return c.under.Update(msg)
		}
		return nil
	}
	c.clamp()
	return nil
}

// ShortHelp is the merge's keys, the keys that scroll, esc and ctrl+l.
func (c *conflictScreen) ShortHelp() []key.Binding {
	k := c.keys
	if c.merge != nil && !c.versions {
		return []key.Binding{k.Save, keyTakeLeft, keyTakeRight, keyTakeBoth, keyNext, keyPrev, keyVersions, k.Up, k.Down, k.PageDown, k.Back, k.Lock, k.Help}
	}
	return []key.Binding{k.Up, k.Down, k.PageDown, k.Back, k.Lock, k.Help}
}

// intro is the text above the columns.
func (c *conflictScreen) intro() string {
	name := ""
	if len(c.heads) > 0 {
		name = vault.Escape(c.heads[0].Pseudonym)
	}
	w := max(c.width, 20)
	title := c.styles.Title.Render(fmt.Sprintf("Conflict · %s · %d versions", name, len(c.heads)))
	text := "Saved on different laptops and not merged yet; ≠ and + mark what differs. " +
		"The interview screen holds version 1: edit it to keep what matters from each, then ctrl+s. " +
		"That save merges every version and resolves the conflict."
	if c.merge != nil {
		text = "Saved on different laptops and not merged yet; ≠ and + mark what differs. " +
			"esc returns to their merge, which keeps what either added; ctrl+s there saves it."
	}
	return title + "\n" + lipgloss.NewStyle().Width(w).Render(text)
}

// page is the number of column lines on screen.
func (c *conflictScreen) page() int {
	if c.merging() {
		return max(c.height-lipgloss.Height(c.mergeIntro())-1, 1)
	}
	return max(c.height-lipgloss.Height(c.intro())-1, 1)
}

// merging reports whether the screen shows the merge.
func (c *conflictScreen) merging() bool {
	return c.merge != nil && !c.versions && len(c.heads) > 1
}

func (c *conflictScreen) clamp() {
	c.top = min(c.top, max(c.lines()-c.page(), 0))
	c.top = max(c.top, 0)
}

func (c *conflictScreen) lines() int {
	if c.merging() {
		body, _ := c.mergeBody()
		return len(body)
	}
	n := 0
	for _, col := range c.columns() {
		n = max(n, len(col))
	}
	return n
}

// mark is one line of a column: its text and whether it differs.
type markedLine struct {
	text string
	diff bool
	head bool
}

func (c *conflictScreen) colWidth() int {
	n := max(len(c.heads), 1)
	return max((max(c.width, 20)-3*(n-1))/n, 8)
}

// columns lays out each version, wrapped to its column.
func (c *conflictScreen) columns() [][]markedLine {
	w := c.colWidth()
	fields := func(h vault.View) [][2]string {
		consent := []string{}
		if h.Consent.Record {
			consent = append(consent, "record")
		}
		if h.Consent.Quote {
			consent = append(consent, "quote")
		}
		if h.Consent.Share {
			consent = append(consent, "share")
		}
		anon := "no"
		if h.AnonymityRequested {
			anon = "yes"
		}
		var rel []string
		for _, r := range h.Relatives {
			rel = append(rel, r.Relation+": "+strings.Join(r.Harms, ", "))
		}
		return [][2]string{
			{"Pseudonym", h.Pseudonym}, {"Date", h.InterviewedOn}, {"Where", h.Location}, {"Mode", h.Mode},
			{"Language", h.Language}, {"Interviewer", h.Interviewer}, {"Anonymity", anon},
			{"Consent", strings.Join(consent, ", ")}, {"Tags", strings.Join(h.Tags, ", ")},
			{"Relatives", strings.Join(rel, "; ")},
		}
	}
	all := make([][][2]string, len(c.heads))
	lineSets := make([]map[string]bool, len(c.heads))
	for n, h := range c.heads {
		all[n] = fields(h)
		lineSets[n] = map[string]bool{}
		for _, l := range strings.Split(h.Testimony, "\n") {
			lineSets[n][l] = true
		}
	}
	wrap := func(s string, diff bool, mark string) []markedLine {
		prefix := "  "
		if diff {
			prefix = mark + " "
		}
		var out []markedLine
		wrapped := lipgloss.NewStyle().Width(max(w-2, 4)).Render(vault.Escape(s))
		for k, l := range strings.Split(wrapped, "\n") {
			p := prefix
			if k > 0 {
				p = "  "
			}
			out = append(out, markedLine{text: p + strings.TrimRight(l, " "), diff: diff})
		}
		return out
	}
	cols := make([][]markedLine, len(c.heads))
	for n, h := range c.heads {
		var col []markedLine
		author, when := "", ""
		if len(h.Revisions) > 0 {
			author = h.Revisions[0].Author
			when = h.Revisions[0].CreatedAt
			if t, err := time.Parse(time.RFC3339, when); err == nil {
				when = t.UTC().Format("2006-01-02 15:04 UTC")
			}
		}
		col = append(col, markedLine{text: fmt.Sprintf("Version %d · by %s", n+1, vault.Escape(author)), head: true})
		col = append(col, markedLine{text: when})
		col = append(col, markedLine{})
		for k, f := range all[n] {
			differs := false
			for m := range all {
				if all[m][k][1] != f[1] {
					differs = true
				}
			}
			v := f[1]
			if v == "" {
				v = "—"
			}
			col = append(col, wrap(f[0]+": "+v, differs, "≠")...)
		}
		col = append(col, markedLine{}, markedLine{text: "Testimony", head: true})
		for _, l := range strings.Split(h.Testimony, "\n") {
			inAll := true
			for m := range lineSets {
				if !lineSets[m][l] {
					inAll = false
				}
			}
			col = append(col, wrap(l, !inAll, "+")...)
		}
		cols[n] = col
	}
	return cols
}

func (c *conflictScreen) View() string {
	if c.err != "" {
		return c.styles.Error.Render(c.err)
	}
	if c.heads == nil {
		return "Reading the versions…"
	}
	if len(c.heads) < 2 {
		return c.styles.Title.Render("No conflict") + "\n\nThis interview has one version: nothing to compare.\n"
	}
	if c.merging() {
		return c.mergeView()
	}
	w := c.colWidth()
	cols := c.columns()
	var b strings.Builder
	b.WriteString(c.intro() + "\n")
	for row := c.top; row < c.top+c.page() && row < c.lines(); row++ {
		for n, col := range cols {
			if n > 0 {
				b.WriteString(c.styles.Dim.Render(" │ "))
			}
			var l markedLine
			if row < len(col) {
				l = col[row]
			}
			text := cell(l.text, w)
			switch {
			case l.head:
				text = c.styles.Header.Render(strings.TrimRight(text, " ")) + strings.Repeat(" ", w-lipgloss.Width(strings.TrimRight(text, " ")))
			case l.diff:
				text = c.styles.Warn.Render(text)
			}
			b.WriteString(text)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (c *conflictScreen) mergeView() string {
	body, _ := c.mergeBody()
	var b strings.Builder
	b.WriteString(c.mergeIntro() + "\n")
	for row := c.top; row < c.top+c.page() && row < len(body); row++ {
		l := body[row]
		switch {
		case l.head:
			b.WriteString(c.styles.Header.Render(strings.TrimRight(cell(l.text, max(c.width, 20)), " ")))
		case l.diff:
			b.WriteString(c.styles.Warn.Render(l.text))
		default:
			b.WriteString(l.text)
		}
		b.WriteString("\n")
	}
	return b.String()
}
