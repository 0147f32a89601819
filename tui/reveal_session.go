package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// The custodian's session over every interview: from the reveal panel, a
// reveals every interview with the key already open (each reveal audited),
// lists possible duplicates (vault.FindDuplicates: one person interviewed
// twice under two pseudonyms) and finds identities as text is typed
// (vault.MatchRevealed). All of it in this screen's memory only: it is
// dropped as the panel is (esc, the timeout, lock, quit).

// revealAllMsg is every interview revealed.
type revealAllMsg struct {
	seq int
	all []*vault.Revealed
	err error
}

// revealSession is what the session view holds.
type revealSession struct {
	all  []*vault.Revealed
	dups []vault.Duplicate
	find textinput.Model
}

// revealEvery reveals every interview with the session's key, in a command.
func (r *revealScreen) revealEvery() tea.Cmd {
	c := r.st.sessionKey()
	if c == nil {
		return nil
	}
	r.revealed = nil
	r.step = revealOpening
	r.seq++
	seq, st := r.seq, r.st
	return tea.Batch(r.busy.Start(), func() tea.Msg {
		var all []*vault.Revealed
		err := st.do(func(v Store) error {
			list, err := v.List(context.Background())
			if err != nil {
				return err
			}
			ids := make([]string, 0, len(list))
			for _, s := range list {
				ids = append(ids, s.ID)
			}
			all, err = v.RevealMany(context.Background(), ids, c)
			return err
		})
		return revealAllMsg{seq: seq, all: all, err: err}
	})
}

// revealedAll shows the session view.
func (r *revealScreen) revealedAll(msg revealAllMsg) {
	if msg.seq != r.seq || r.step != revealOpening {
		return
	}
	r.busy.Stop()
	if msg.err != nil {
		r.hide("")
		r.err = revealError(msg.err)
		return
	}
	find := textinput.New()
	find.Prompt = "Find: "
	find.Placeholder = "a name, alias, contact… (in memory only)"
	find.Width = max(r.width-10, 10)
	find.Focus()
	r.session = &revealSession{all: msg.all, dups: vault.FindDuplicates(msg.all), find: find}
	r.step = revealAll
	r.shownAt = r.clock()
}

// sessionKey handles a key of the session view: the find field.
func (r *revealScreen) sessionKey(msg tea.KeyMsg) tea.Cmd {
	var cmd tea.Cmd
	r.session.find, cmd = r.session.find.Update(msg)
	return cmd
}

// sessionView draws the duplicates and the identities found.
func (r *revealScreen) sessionView() string {
	s := r.session
	w := max(r.width, 20)
	var b strings.Builder
	b.WriteString(wrapWords(fmt.Sprintf("%d interviews revealed with the open custodian key; each reveal is in the audit log.", len(s.all)), w) + "\n\n")
	b.WriteString(r.styles.Header.Render("Possible duplicates") + "\n")
	if len(s.dups) == 0 {
		b.WriteString("None: no two identities share a name, alias or contact.\n")
	}
	for _, d := range s.dups {
		var names []string
		for _, x := range d.Interviews {
			names = append(names, vault.Escape(x.Pseudonym)+" ("+shortID(x.ID)+")")
		}
		b.WriteString(wrapWords(strings.Join(names, ", ")+": the same "+strings.Join(d.Shared, " and "), w) + "\n")
	}
	b.WriteString("\n" + s.find.View() + "\n")
	found := s.all
	if q := s.find.Value(); strings.TrimSpace(q) != "" {
		found = vault.MatchRevealed(s.all, q)
	}
	room := max(r.height-strings.Count(b.String(), "\n")-4, 1)
	for i, rv := range found {
		if i == room {
			fmt.Fprintf(&b, "… and %d more: type to narrow.\n", len(found)-room)
			break
		}
		b.WriteString(wrapWords(vault.Escape(rv.Pseudonym)+" ("+shortID(rv.ID)+"): "+identityLine(rv.Identity), w) + "\n")
	}
	if len(found) == 0 {
		b.WriteString("No revealed identity holds that.\n")
	}
	left := max(r.timeout-r.clock().Sub(r.shownAt), 0).Round(time.Second)
	b.WriteString(r.styles.Warn.Render(wrapWords(fmt.Sprintf("Hidden again in %s, or now with esc.", left), w)) + "\n")
	return b.String()
}

// identityLine is an identity on one line.
func identityLine(id *vault.Identity) string {
	if id == nil {
		return "no identity sealed"
	}
	parts := []string{id.Name}
	if len(id.Aliases) > 0 {
		parts = append(parts, strings.Join(id.Aliases, ", "))
	}
	if id.Contact != "" {
		parts = append(parts, id.Contact)
	}
	return vault.Escape(strings.Join(parts, " · "))
}

// shortID is the first 8 characters of an interview ID.
func shortID(id string) string { return id[:min(8, len(id))] }

// sessionHelp is the keys of the session view.
func (r *revealScreen) sessionHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "hide all")), r.keys.Lock}
}
