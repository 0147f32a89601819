package tui

import (
	"errors"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// The team screen's messages and keys.

// Update handles a message for the team screen. esc at the roster goes
// back to the list.
func (t *teamScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case rosterMsg:
		if msg.err != nil {
			t.err = msg.err.Error()
			return nil
		}
		t.loaded = true
		t.members, t.myName, t.myPrint = msg.members, msg.myName, msg.myPrint
		t.cursor = min(t.cursor, max(len(t.members)-1, 0))
		for name := range t.marked {
			found := false
			for _, m := range t.members {
				found = found || m.Name == name
			}
			if !found {
				delete(t.marked, name)
			}
		}
		return nil
	case spinner.TickMsg:
		return t.busy.Update(msg)
	case cardParsedMsg:
		if msg.seq != t.seq || t.step != teamAddPath {
			return nil
		}
		if errors.Is(msg.err, vault.ErrAlreadyMember) && msg.card != nil {
			t.err = vault.AlreadyMember(vault.Escape(msg.card.Name))
			return nil
		}
		if msg.err != nil {
			t.err = cardError(msg.err)
			return nil
		}
		t.card, t.cardInfo = msg.data, msg.card
		t.step = teamAddConfirm
		t.input.Blur()
		return nil
	case teamDoneMsg:
		if msg.seq != t.seq {
			return nil
		}
		if msg.err != nil {
			t.err = msg.err.Error()
			return nil
		}
		t.toRoster()
		t.note = msg.note
		return loadRoster(t.st)
	case exportProgressMsg:
		if msg.seq != t.seq || t.step != teamExporting {
			return nil
		}
		t.done, t.total = msg.done, msg.total
		return waitProgress(t.seq, t.progress)
	case exportDoneMsg:
		if msg.seq != t.seq {
			return nil
		}
		t.exported(msg)
		return loadRoster(t.st)
	case importDoneMsg:
		if msg.seq != t.seq {
			return nil
		}
		t.imported(msg)
		// An import may change a member's key on the roster.
		return loadRoster(t.st)
	case tea.KeyMsg:
		return t.key(msg)
	}
	return nil
}

func (t *teamScreen) key(msg tea.KeyMsg) tea.Cmd {
	k := t.keys
	if t.atRoster() {
		switch {
		case key.Matches(msg, k.Back):
			return t.nav.close(stateList, true)
		case key.Matches(msg, k.Quit):
			return tea.Quit
		}
	}
	switch t.step {
	case teamExporting, teamImporting:
		// esc cancels: the vault stops before it writes anything, and an
		// export leaves no file. The result arrives as the usual message.
		if key.Matches(msg, k.Back) && t.cancel != nil {
			t.cancel()
			t.cancelling = true
		}
		return nil
	case teamResult:
		if msg.Type == tea.KeyEnter || key.Matches(msg, k.Back) {
			t.toRoster()
			t.result = ""
		}
		return nil
	case teamAddConfirm:
		switch {
		case key.Matches(msg, k.Yes):
			data, name := t.card, t.cardInfo.Name
			t.seq++
			seq, st := t.seq, t.st
			return func() tea.Msg {
				err := st.do(func(v Store) error { _, err := v.AddMember(data); return err })
				return teamDoneMsg{seq: seq, err: err,
					note: fmt.Sprintf("Added %s: their bundles are accepted, and you can export to them.", name)}
			}
		case key.Matches(msg, k.No):
			t.toRoster()
			t.note = "Not added: the fingerprints must match."
		}
		return nil
	case teamRemoveConfirm:
		switch {
		case key.Matches(msg, k.Yes):
			m, ok := t.selected()
			if !ok {
				t.toRoster()
				return nil
			}
			t.seq++
			seq, st := t.seq, t.st
			delete(t.marked, m.Name)
			return func() tea.Msg {
				err := st.do(func(v Store) error { return v.RemoveMember(m.Name) })
				return teamDoneMsg{seq: seq, err: err,
					note: fmt.Sprintf("Removed %s: their bundles are refused from now on.", m.Name)}
			}
		case key.Matches(msg, k.No):
			t.toRoster()
		}
		return nil
	case teamRotateConfirm:
		return t.rotateConfirm(msg)
	case teamExportPath:
		if key.Matches(msg, k.Back) {
			t.toRoster()
			return nil
		}
		return t.exportKey(msg)
	case teamAddPath, teamCardPath, teamImportPath:
		if key.Matches(msg, k.Back) {
			t.toRoster()
			return nil
		}
		if msg.Type == tea.KeyEnter {
			return t.submitPath()
		}
		var cmd tea.Cmd
		t.input, cmd = t.input.Update(msg)
		return cmd
	}

	// The roster.
	t.note = ""
	t.err = ""
	switch {
	case key.Matches(msg, k.Up):
		t.cursor = max(t.cursor-1, 0)
	case key.Matches(msg, k.Down):
		t.cursor = min(t.cursor+1, max(len(t.members)-1, 0))
	case key.Matches(msg, k.Mark):
		if m, ok := t.selected(); ok {
			t.marked[m.Name] = !t.marked[m.Name]
			if !t.marked[m.Name] {
				delete(t.marked, m.Name)
			}
		}
	case key.Matches(msg, k.AddMember):
		return t.ask(teamAddPath, "Card file: ", "the path of your teammate's card")
	case key.Matches(msg, k.RemoveMember):
		if _, ok := t.selected(); ok {
			t.step = teamRemoveConfirm
		}
	case key.Matches(msg, k.RotateKey):
		t.step = teamRotateConfirm
	case key.Matches(msg, k.Card):
		return t.ask(teamCardPath, "Write my card to: ", "a new file, e.g. on a USB stick")
	case key.Matches(msg, k.Export):
		t.exportTo = nil
		for _, m := range t.members {
			if t.marked[m.Name] {
				t.exportTo = append(t.exportTo, m.Name)
			}
		}
		if len(t.exportTo) == 0 {
			m, ok := t.selected()
			if !ok {
				t.err = "Add a teammate first (a): a bundle is encrypted to roster members."
				return nil
			}
			t.exportTo = []string{m.Name}
		}
		t.exp = newExportChoices(t.width)
		return t.ask(teamExportPath, "Write the bundle to: ", "a new file, e.g. on a USB stick")
	case key.Matches(msg, k.Import):
		return t.ask(teamImportPath, "Bundle file: ", "the path of a bundle from a teammate")
	}
	return nil
}
