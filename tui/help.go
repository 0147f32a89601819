package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// The full help: ? (or f1 while typing) lists every key of the screen in
// front, in groups, and the keys that work anywhere.

// helpGroup is a titled group of keys in the full help.
type helpGroup struct {
	title string
	keys  []key.Binding
}

// fullHelper is a screen with a full help of its own; the others show
// their help bar's keys.
type fullHelper interface {
	FullHelp() []helpGroup
}

// typer is a screen that may be taking text, where ? is a character: f1
// opens the help there.
type typer interface {
	typing() bool
}

// bind is a binding for the help only: what a key does where the key map
// has no entry for it.
func bind(keys, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, desc))
}

// helpAnywhere opens the full help on any screen, text fields included.
var helpAnywhere = key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "help, while typing too"))

func (l *listScreen) typing() bool { return l.filtering }

func (l *listScreen) FullHelp() []helpGroup {
	k := l.keys
	return []helpGroup{
		{"List", []key.Binding{k.New, k.Open, k.Edit, k.Read, bind("d", "discard a draft"), k.Search, k.Publish, k.Stats, k.Team, k.Reveal, k.Quit}},
		{"Moving", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}},
		{"Search (/)", []key.Binding{bind("type", "pseudonym or words"), bind("tag:T", "with tag T"),
			bind("from:D to:D", "interviewed in dates"), bind("consent:C", "record, quote, share"),
			bind("enter", "done"), bind("esc", "clear")}},
	}
}

func (i *interviewScreen) typing() bool { return i.pane != paneView || i.dlg != nil }

func (i *interviewScreen) FullHelp() []helpGroup {
	k := i.keys
	return []helpGroup{
		{"Interview", []key.Binding{k.Edit, k.Read, k.Metadata, k.Identity, k.Save, k.Back, k.Attach, k.Reveal, k.Compare, k.Redact, k.Purge, keyHistory}},
		{"Testimony (e)", []key.Binding{bind("enter", "new line"), k.Span, bind("arrows", "move"),
			bind("home/end", "line start/end"), bind("pgup/pgdn", "page"), bind("ctrl+home/end", "start/end"), k.Save, k.Back}},
		{"Details, identity (m, i)", []key.Binding{bind("tab/enter", "next field"), bind("shift+tab", "previous field"),
			bind("alt+enter", "new line (Relatives, names, Notes)"), bind("ctrl+j", "new line, too"),
			bind("space/x", "select"), bind("/", "filter the tags"), k.Save, k.Back}},
	}
}

func (s *statsScreen) FullHelp() []helpGroup {
	return []helpGroup{{"Statistics", []key.Binding{s.keys.Back, bind("q", "back")}}}
}

func (t *teamScreen) typing() bool {
	switch t.step {
	case teamAddPath, teamCardPath, teamExportPath, teamImportPath:
		return true
	}
	return false
}

func (t *teamScreen) FullHelp() []helpGroup {
	k := t.keys
	return []helpGroup{
		{"Team", []key.Binding{k.AddMember, k.RemoveMember, k.Mark, k.Export, k.Import, k.Card, k.RotateKey, k.Up, k.Down, k.Back}},
		{"Questions", []key.Binding{bind("enter", "ok, done"), bind("esc", "back, cancel an export or import"),
			bind("y", "yes: the fingerprint matches"), bind("n", "no")}},
	}
}

// typing: the key file and passphrase fields, and the session's find.
func (r *revealScreen) typing() bool { return r.step == revealAsk || r.step == revealAll }

// typing: the purge's typed confirmation.
func (p *purgeScreen) typing() bool { return true }

func (u *unlockScreen) typing() bool { return true }

func (u *unlockScreen) FullHelp() []helpGroup {
	return []helpGroup{{"Locked", []key.Binding{bind("enter", "unlock"), bind("esc", "quit")}}}
}

func (s *setupScreen) typing() bool { return true }

func (s *setupScreen) FullHelp() []helpGroup {
	return []helpGroup{{"First run", []key.Binding{bind("enter", "next"), bind("shift+tab", "back"), s.keys.ForceQuit}}}
}

// isTyping reports whether the screen in front takes ? as a character.
func isTyping(sc screen) bool {
	t, ok := sc.(typer)
	return ok && t.typing()
}

// fullHelp draws every key of the screen in front, then the keys that work
// anywhere, in columns as many as fit.
func (m *Model) fullHelp() string {
	k := m.keys
	var groups []helpGroup
	if sc, ok := m.screens[m.state]; ok {
		if f, ok := sc.(fullHelper); ok {
			groups = f.FullHelp()
		} else {
			groups = []helpGroup{{"Keys", sc.ShortHelp()}}
		}
	}
	groups = append(groups, helpGroup{"Anywhere", []key.Binding{k.Lock, k.Help, helpAnywhere, k.ForceQuit}})
	var cols []string
	for _, g := range groups {
		var c strings.Builder
		c.WriteString(m.styles.Header.Render(g.title) + "\n")
		kw := 0
		for _, kb := range g.keys {
			kw = max(kw, lipgloss.Width(kb.Help().Key))
		}
		for _, kb := range g.keys {
			h := kb.Help()
			c.WriteString(cell(h.Key, kw) + "  " + h.Desc + "\n")
		}
		cols = append(cols, c.String())
	}
	// Columns side by side while they fit, then a new row of them.
	var rows []string
	var row []string
	rowW := 0
	for _, c := range cols {
		w := lipgloss.Width(c)
		if len(row) > 0 && rowW+3+w > m.width {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, rowW = nil, 0
		}
		if len(row) > 0 {
			row = append(row, "   ")
			rowW += 3
		}
		row = append(row, c)
		rowW += w
	}
	rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	var b strings.Builder
	b.WriteString(m.styles.Title.Render("Keys") + " " + m.styles.Dim.Render("(any key closes this)") + "\n\n")
	b.WriteString(strings.Join(rows, "\n") + "\n")
	b.WriteString(wrapWords("Drafts are saved, encrypted, a moment after you stop typing. The vault locks itself after "+
		m.opts.IdleLock.String()+" without a key.", m.width) + "\n")
	return b.String()
}
