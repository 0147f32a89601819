package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/vault"
)

// The conflict screen's merge: the three-way merge of the two versions
// (vault.Merge), what it keeps from each, and the conflicts to settle.

// The merge's own keys.
var (
	keyTakeLeft  = key.NewBinding(key.WithKeys("1", "left"), key.WithHelp("1/←", "take version 1"))
	keyTakeRight = key.NewBinding(key.WithKeys("2", "right"), key.WithHelp("2/→", "take version 2"))
	keyTakeBoth  = key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "keep both"))
	keyNext      = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next conflict"))
	keyPrev      = key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous conflict"))
	keyVersions  = key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "versions side by side"))
)

// mergeSavedMsg says whether the merge was saved, with the interview after.
type mergeSavedMsg struct {
	id   string
	view *vault.View
	err  error
}

func saveMerge(st *store, m *vault.Merge) tea.Cmd {
	return func() tea.Msg {
		msg := mergeSavedMsg{id: m.ID}
		msg.err = st.do(func(v Store) error {
			if err := v.SaveMerge(context.Background(), m); err != nil {
				return err
			}
			var err error
			msg.view, err = v.Get(m.ID)
			return err
		})
		return msg
	}
}

// mergeKey handles a key of the merge view; ok is false for keys it leaves
// to the screen (scrolling, esc).
func (c *conflictScreen) mergeKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	m := c.merge
	choose := func(ch vault.Choice) {
		if len(m.Conflicts) == 0 {
			return
		}
		if err := m.Choose(c.cur, ch); err != nil {
			c.msg = "A field takes version 1 or version 2, not both."
			return
		}
		c.msg = ""
		// On to the next conflict still open.
		for k := 1; k <= len(m.Conflicts); k++ {
			if n := (c.cur + k) % len(m.Conflicts); m.Conflicts[n].Choice == vault.Unresolved {
				c.cur = n
				c.scrollToConflict()
				break
			}
		}
	}
	switch {
	case key.Matches(msg, c.keys.Save):
		return c.startMergeSave(), true
	case key.Matches(msg, keyVersions):
		c.versions = true
	case key.Matches(msg, keyTakeLeft):
		choose(vault.TakeLeft)
	case key.Matches(msg, keyTakeRight):
		choose(vault.TakeRight)
	case key.Matches(msg, keyTakeBoth):
		choose(vault.TakeBoth)
	case key.Matches(msg, keyNext) && len(m.Conflicts) > 0:
		c.cur = (c.cur + 1) % len(m.Conflicts)
		c.scrollToConflict()
	case key.Matches(msg, keyPrev) && len(m.Conflicts) > 0:
		c.cur = (c.cur + len(m.Conflicts) - 1) % len(m.Conflicts)
		c.scrollToConflict()
	default:
		return nil, false
	}
	return nil, true
}

func (c *conflictScreen) startMergeSave() tea.Cmd {
	if c.saving {
		return nil
	}
	if n := c.merge.Unresolved(); n > 0 {
		c.msg = fmt.Sprintf("%s to settle first: 1 or 2 takes a version, b keeps both.", plural(n, "conflict"))
		return nil
	}
	if c.under != nil && c.under.changed {
		c.msg = "The interview has changes not saved: save or discard them first (esc)."
		return nil
	}
	c.saving = true
	c.msg = "Saving the merge…"
	return saveMerge(c.st, c.merge)
}

func (c *conflictScreen) mergeSaved(msg mergeSavedMsg) tea.Cmd {
	c.saving = false
	if msg.err != nil {
		c.msg = "Not saved: " + msg.err.Error()
		return nil
	}
	cmd := c.nav.close(stateInterview, false)
	if c.under != nil {
		// The merge changed the fields too (tags, a field one side
		// changed): the interview screen shows the merged interview.
		c.under.setInterview(msg.view.Interview, msg.view.Marked)
		c.under.buildForms()
		return tea.Batch(cmd, c.under.Update(savedMsg{id: msg.id, view: msg.view}))
	}
	return cmd
}

func (c *conflictScreen) scrollToConflict() {
	_, at := c.mergeBody()
	if c.cur < len(at) {
		c.top = at[c.cur]
		c.clamp()
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// mergeIntro is the text above the merge.
func (c *conflictScreen) mergeIntro() string {
	m := c.merge
	w := max(c.width, 20)
	title := c.styles.Title.Render(fmt.Sprintf("Merge · %s · %d versions", vault.Escape(m.Result().Pseudonym), m.Heads))
	text := fmt.Sprintf("Version 1 by %s, %s; version 2 by %s, %s. Merged against the version both began from: what either added is kept. 1 and 2 mark what only that version has.",
		vault.Escape(m.Left.Author), when(m.Left.CreatedAt), vault.Escape(m.Right.Author), when(m.Right.CreatedAt))
	var status string
	switch n := m.Unresolved(); {
	case len(m.Conflicts) == 0:
		status = "No conflicts: ctrl+s saves the merge. v shows the versions side by side."
	case n == 0:
		status = "Every conflict settled: ctrl+s saves the merge."
	default:
		status = fmt.Sprintf("%s to settle: 1 or 2 takes that version, b keeps both, tab goes to the next; then ctrl+s.", plural(n, "conflict"))
	}
	out := title + "\n" + lipgloss.NewStyle().Width(w).Render(text) + "\n" + c.styles.Warn.Width(w).Render(status)
	if c.msg != "" {
		out += "\n" + c.styles.Error.Width(w).Render(c.msg)
	}
	return out
}

func when(ts string) string {
	if t, err := time.Parse(time.RFC3339, ts); err == nil {
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	return ts
}

// mergeBody lays out the merge, and where each conflict's block starts.
func (c *conflictScreen) mergeBody() ([]markedLine, []int) {
	m := c.merge
	w := max(c.width, 20)
	var out []markedLine
	at := make([]int, len(m.Conflicts))
	wrap := func(s string, prefix string, diff bool) {
		for k, l := range strings.Split(lipgloss.NewStyle().Width(max(w-2, 4)).Render(vault.Escape(s)), "\n") {
			p := prefix
			if k > 0 {
				p = "  "
			}
			out = append(out, markedLine{text: p + strings.TrimRight(l, " "), diff: diff})
		}
	}
	block := func(k int) {
		cf := m.Conflicts[k]
		at[k] = len(out)
		mark := "  "
		if k == c.cur {
			mark = "▶ "
		}
		what := "Testimony, paragraph " + fmt.Sprint(cf.Paragraph)
		if cf.Field != "testimony" {
			what = fieldTitle(cf.Field)
		}
		taking := map[vault.Choice]string{vault.Unresolved: "not settled", vault.TakeLeft: "version 1",
			vault.TakeRight: "version 2", vault.TakeBoth: "both"}[cf.Choice]
		out = append(out, markedLine{text: fmt.Sprintf("%sConflict %d · %s · taking: %s", mark, k+1, what, taking), head: true})
		out = append(out, sideBySide(w, cf.Left, cf.Right)...)
	}
	// Fields the versions differ in.
	l, r := c.heads[0], c.heads[1]
	res := m.Result()
	field := map[string][2]string{
		"pseudonym": {l.Pseudonym, r.Pseudonym}, "interviewed_on": {l.InterviewedOn, r.InterviewedOn},
		"location": {l.Location, r.Location}, "mode": {l.Mode, r.Mode}, "language": {l.Language, r.Language},
		"interviewer": {l.Interviewer, r.Interviewer},
	}
	merged := map[string]string{"pseudonym": res.Pseudonym, "interviewed_on": res.InterviewedOn, "location": res.Location,
		"mode": res.Mode, "language": res.Language, "interviewer": res.Interviewer}
	conflictOf := map[string]int{}
	for k, cf := range m.Conflicts {
		if cf.Field != "testimony" {
			conflictOf[cf.Field] = k
		}
	}
	for _, f := range []string{"pseudonym", "interviewed_on", "location", "mode", "language", "interviewer"} {
		if k, ok := conflictOf[f]; ok {
			block(k)
			continue
		}
		if v := field[f]; v[0] != v[1] {
			wrap(fmt.Sprintf("%s: %s", fieldTitle(f), orDash(merged[f])), "≠ ", true)
		}
	}
	if strings.Join(l.Tags, ",") != strings.Join(r.Tags, ",") {
		wrap("Tags: "+orDash(strings.Join(res.Tags, ", ")), "≠ ", true)
	}
	if relatives(l.Relatives) != relatives(r.Relatives) {
		wrap("Relatives: "+orDash(relatives(res.Relatives)), "≠ ", true)
	}
	if l.Consent != r.Consent || l.AnonymityRequested != r.AnonymityRequested {
		wrap("Consent: "+orDash(consentText(res.Consent)), "≠ ", true)
	}
	out = append(out, markedLine{}, markedLine{text: "Testimony, merged", head: true})
	done := map[int]bool{}
	for _, line := range m.Testimony() {
		if line.Conflict >= 0 {
			if !done[line.Conflict] {
				done[line.Conflict] = true
				block(line.Conflict)
			}
			continue
		}
		wrap(line.Text, [3]string{"  ", "1 ", "2 "}[line.From], line.From != 0)
	}
	// A conflict whose versions both removed every paragraph has no line.
	for k, cf := range m.Conflicts {
		if cf.Field == "testimony" && !done[k] {
			block(k)
		}
	}
	return out, at
}

// sideBySide lays out two versions of a conflict in two columns.
func sideBySide(w int, left, right []string) []markedLine {
	cw := max((w-5)/2, 8)
	col := func(title string, lines []string) []string {
		out := []string{title}
		if len(lines) == 0 {
			out = append(out, "(removed)")
		}
		for _, l := range lines {
			wrapped := lipgloss.NewStyle().Width(cw).Render(vault.Escape(orDash(l)))
			for _, s := range strings.Split(wrapped, "\n") {
				out = append(out, strings.TrimRight(s, " "))
			}
		}
		return out
	}
	a, b := col("Version 1", left), col("Version 2", right)
	var out []markedLine
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		out = append(out, markedLine{text: "  " + cell(x, cw) + " │ " + strings.TrimRight(y, " "), diff: i > 0})
	}
	return out
}

func fieldTitle(f string) string {
	return map[string]string{"pseudonym": "Pseudonym", "interviewed_on": "Date", "location": "Where", "mode": "Mode",
		"language": "Language", "interviewer": "Interviewer"}[f]
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func relatives(rs []vault.Relative) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Relation+": "+strings.Join(r.Harms, ", "))
	}
	return strings.Join(out, "; ")
}

func consentText(c vault.Consent) string {
	var out []string
	for _, x := range []struct {
		on   bool
		name string
	}{{c.Record, "record"}, {c.Quote, "quote"}, {c.Share, "share"}} {
		if x.on {
			out = append(out, x.name)
		}
	}
	return strings.Join(out, ", ")
}
