package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/tvault/tvault/vault"
)

// Gutters of the testimony's lines in the reading view: a line with part of
// a quote, and a line with part of the selection. They show without
// colours too (NO_COLOR, tests).
const (
	gutterQuote    = "┃ "
	gutterSelected = "▶ "
	gutterPlain    = "  "
)

// lines lays the document out for the screen's width, once per width and
// load.
func (r *readerScreen) lines() []docLine {
	if r.view == nil {
		return nil
	}
	if r.docW == r.width && r.doc != nil {
		return r.doc
	}
	w := max(r.width, 20)
	var doc []docLine
	add := func(s string) {
		if s == "" {
			return
		}
		for _, l := range strings.Split(wrapWords(s, w), "\n") {
			doc = append(doc, docLine{text: l, tl: -1})
		}
	}
	v := r.view
	// The fields, a few to a line, so that the testimony starts high even
	// on a small screen.
	join := func(parts ...string) string {
		var out []string
		for _, p := range parts {
			if p != "" {
				out = append(out, p)
			}
		}
		return strings.Join(out, " · ")
	}
	anon := "no"
	if v.AnonymityRequested {
		anon = "yes"
	}
	var consent []string
	for _, c := range []struct {
		on   bool
		what string
	}{{v.Consent.Record, "record"}, {v.Consent.Quote, "quote"}, {v.Consent.Share, "share"}} {
		if c.on {
			consent = append(consent, c.what)
		}
	}
	var rels []string
	for _, rel := range v.Relatives {
		s := rel.Relation
		if len(rel.Harms) > 0 {
			s += " (" + strings.Join(rel.Harms, ", ") + ")"
		}
		rels = append(rels, s)
	}
	add(vault.Escape(join(v.InterviewedOn, v.Location, v.Mode, v.Language, labelled("interviewer", v.Interviewer))))
	add(join("consent: "+orNone(strings.Join(consent, ", ")), "anonymity requested: "+anon))
	add(vault.Escape(join(labelled("tags", strings.Join(v.Tags, ", ")), labelled("relatives", strings.Join(rels, "; ")))))
	if v.Heads > 1 {
		add(fmt.Sprintf("Conflict: %d versions; this is the newest. v in the interview merges them.", v.Heads))
	}
	if v.Sealed {
		add("Identity and span secrets are sealed to the custodian; spans read [description].")
	}
	doc = append(doc, docLine{tl: -1}, docLine{text: r.styles.Header.Render("Testimony"), tl: -1})
	r.tStart = len(doc)
	r.text.wrap()
	for n := range r.text.lines {
		doc = append(doc, docLine{tl: n})
	}
	doc = append(doc, docLine{tl: -1})
	current := 0
	for _, q := range r.quotes {
		if q.Current {
			current++
		}
	}
	head := "Quotes"
	if len(r.quotes) > 0 {
		head += " (" + plural(len(r.quotes), "quote")
		if stale := len(r.quotes) - current; stale > 0 {
			head += fmt.Sprintf(", %d stale", stale)
		}
		head += ")"
	}
	doc = append(doc, docLine{text: r.styles.Header.Render(head), tl: -1})
	if !v.Consent.Quote {
		add("Quote consent was refused: publish leaves this interview's quotes out.")
	}
	if len(r.quotes) == 0 {
		add("None yet: v selects a passage of the testimony, q marks it.")
	}
	for n, q := range r.quotes {
		lead := fmt.Sprintf("%d. ", n+1)
		about := []string{q.ID[:min(8, len(q.ID))]}
		if q.Label != "" {
			about = append(about, vault.Escape(q.Label))
		}
		if len(q.Tags) > 0 {
			about = append(about, strings.Join(q.Tags, ", "))
		}
		if !q.Current {
			// Publish leaves it out until it is marked again.
			about = append(about, "STALE: the testimony changed; publish leaves it out")
		}
		for k, l := range strings.Split(wrapWords("“"+vault.Escape(q.Text)+"”", max(w-len(lead), 8)), "\n") {
			pre := lead
			if k > 0 {
				pre = strings.Repeat(" ", len(lead))
			}
			doc = append(doc, docLine{text: pre + l, tl: -1})
		}
		for _, l := range strings.Split(wrapWords(strings.Join(about, " · "), max(w-len(lead), 8)), "\n") {
			doc = append(doc, docLine{text: strings.Repeat(" ", len(lead)) + r.styles.Dim.Render(l), tl: -1})
		}
	}
	r.doc, r.docW = doc, r.width
	return doc
}

// labelled is "label: v", or "" for no v.
func labelled(label, v string) string {
	if v == "" {
		return ""
	}
	return label + ": " + v
}

func orNone(s string) string {
	if s == "" {
		return "none recorded"
	}
	return s
}

func (r *readerScreen) View() string {
	if !r.loaded {
		if r.err != "" {
			return r.styles.Error.Render(wrapWords(r.err, r.width))
		}
		return "Opening…"
	}
	lines := r.lines()
	var b strings.Builder
	left := r.styles.Title.Render("Reading · " + vault.Escape(r.pseudonym))
	right := r.position(len(lines))
	gap := max(r.width-lipgloss.Width(left)-lipgloss.Width(right), 1)
	b.WriteString(left + strings.Repeat(" ", gap) + r.styles.Dim.Render(right) + "\n")
	var body strings.Builder
	for row := r.top; row < r.top+r.page(); row++ {
		if row < len(lines) {
			l := lines[row]
			if l.tl >= 0 {
				r.renderTestimony(&body, l.tl)
			} else {
				body.WriteString(l.text)
			}
		}
		body.WriteString("\n")
	}
	if r.dlg != nil {
		b.WriteString(lipgloss.NewStyle().Height(r.page()).MaxHeight(r.page()).Render(r.dlg.View(body.String())) + "\n")
	} else {
		b.WriteString(body.String())
	}
	b.WriteString(r.statusLine())
	return b.String()
}

// position says which lines show: "12–33 of 80 · 41%".
func (r *readerScreen) position(n int) string {
	if n <= r.page() {
		return "all"
	}
	last := min(r.top+r.page(), n)
	return fmt.Sprintf("%d–%d of %d · %d%%", r.top+1, last, n, last*100/n)
}

func (r *readerScreen) statusLine() string {
	var s string
	switch {
	case r.err != "":
		return r.styles.Error.Render(truncateCells(r.err, r.width))
	case r.status != "":
		// In a selection too: why q did not mark it (cleared at the next
		// key).
		return r.styles.OK.Render(truncateCells(r.status, r.width))
	case r.selecting:
		lo, hi := r.selection()
		s = fmt.Sprintf("Selected %s · q marks it as a quote · esc cancels", plural(hi-lo, "character"))
	case r.view != nil && len(r.text.buf) > 0:
		s = "v selects a passage to mark as a quote"
	}
	return r.styles.Dim.Render(truncateCells(s, r.width))
}

// truncateCells cuts s to w cells, with an ellipsis.
func truncateCells(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && lipgloss.Width(string(rs))+1 > w {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// renderTestimony draws the testimony's visual line tl: its gutter, spans
// underlined, quotes and the selection highlighted, and, in a selection,
// the cursor.
func (r *readerScreen) renderTestimony(b *strings.Builder, tl int) {
	e := r.text
	l := e.lines[tl]
	lo, hi := -1, -1
	if r.selecting {
		lo, hi = r.selection()
	}
	in := func(i int, ranges [][2]int) bool {
		for _, s := range ranges {
			if s[0] <= i && i < s[1] {
				return true
			}
		}
		return false
	}
	overlaps := func(a, z int) bool { return a < l.end && z > l.start || (a == z && a == l.start) }
	gutter := gutterPlain
	switch {
	case r.selecting && overlaps(lo, hi):
		gutter = gutterSelected
	default:
		for _, m := range r.marks {
			if overlaps(m[0], m[1]) {
				gutter = gutterQuote
			}
		}
	}
	b.WriteString(r.styles.Dim.Render(gutter))
	const (
		plain = iota
		span
		quoted
		selected
		cursor
	)
	kind := func(i int) int {
		switch {
		case r.selecting && i == e.cur:
			return cursor
		case i >= lo && i < hi:
			return selected
		case in(i, r.spans):
			return span
		case in(i, r.marks):
			return quoted
		}
		return plain
	}
	ascii := lipgloss.ColorProfile() == termenv.Ascii
	flush := func(k int, s string) {
		if s == "" {
			return
		}
		s = vault.Escape(s)
		switch k {
		case span:
			b.WriteString(r.styles.Span.Render(s))
		case quoted:
			b.WriteString(r.styles.Quote.Render(s))
		case selected:
			b.WriteString(r.styles.Selected.Render(s))
		case cursor:
			if ascii {
				// Reverse video is lost without colours: a bar before the
				// character, as the editor draws it.
				b.WriteString("│" + strings.TrimSuffix(s, " "))
				return
			}
			b.WriteString(r.styles.Cursor.Render(s))
		default:
			b.WriteString(s)
		}
	}
	eachRun(e.buf[l.start:l.end], l.start, kind, flush)
	if r.selecting && e.cur == l.end && e.lineOf(e.cur) == tl {
		flush(cursor, " ")
	}
}
