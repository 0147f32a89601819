package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/busy"
	"github.com/tvault/tvault/vault"
)

// Purge, when consent is withdrawn: from an interview's view (P), over it.
// Nothing is removed until the person types the interview's pseudonym, or
// the word purge; then vault.Purge removes the interview, its identity and
// its whole history, and leaves the tombstone that bundles carry. Edits not
// yet saved must be saved or discarded first: a draft written after the
// purge would bring testimony back.

// confirmPurge is the word that confirms a purge, besides the pseudonym.
const confirmPurge = "purge"

type purgeStep int

const (
	purgeAsk     purgeStep = iota // the typed confirmation
	purgeRunning                  // vault.Purge runs
	purgeDone                     // purged: enter goes to the list
)

// purgeScreen asks for the typed confirmation of a purge.
type purgeScreen struct {
	common
	st            *store
	id, pseudonym string
	step          purgeStep
	input         textinput.Model
	busy          busy.Spinner
	err           string
	result        string
}

type purgedMsg struct {
	id  string
	err error
}

func newPurgeScreen(c common, st *store, id, pseudonym string) *purgeScreen {
	in := textinput.New()
	in.Prompt = "Type the pseudonym, or " + confirmPurge + ": "
	in.Focus()
	p := &purgeScreen{common: c, st: st, id: id, pseudonym: pseudonym, input: in, busy: busy.New()}
	p.SetSize(c.width, c.height)
	return p
}

func (p *purgeScreen) SetSize(w, h int) {
	p.width, p.height = w, h
	p.input.Width = max(w-len(p.input.Prompt)-4, 10)
}

func (p *purgeScreen) clear() {
	p.input.Reset()
	p.pseudonym = ""
}

// confirmed reports whether what was typed confirms the purge.
func (p *purgeScreen) confirmed() bool {
	typed := strings.TrimSpace(p.input.Value())
	return typed == confirmPurge || (typed != "" && typed == strings.TrimSpace(p.pseudonym))
}

func (p *purgeScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return p.busy.Update(msg)
	case purgedMsg:
		p.busy.Stop()
		if msg.err != nil && msg.id == "" {
			p.step = purgeAsk
			p.err = "Nothing was purged: " + msg.err.Error()
			return nil
		}
		p.step = purgeDone
		p.result = "Purged " + msg.id + ". Export to your teammates so that their vaults purge it too."
		if msg.err != nil {
			// Purged, but the checkpoint that takes it off the disk failed.
			p.result += "\n" + msg.err.Error()
		}
		return nil
	case tea.KeyMsg:
		switch p.step {
		case purgeRunning:
			return nil
		case purgeDone:
			if msg.Type == tea.KeyEnter || key.Matches(msg, p.keys.Back) {
				// The interview under it is gone too: straight to the list.
				p.nav.close(stateInterview, false)
				return p.nav.close(stateList, true)
			}
			return nil
		}
		if key.Matches(msg, p.keys.Back) {
			return p.nav.close(stateInterview, false)
		}
		if msg.Type == tea.KeyEnter {
			if !p.confirmed() {
				p.err = "Type the pseudonym exactly, or " + confirmPurge + ", to purge; esc keeps the interview."
				return nil
			}
			p.err = ""
			p.step = purgeRunning
			st, id := p.st, p.id
			return tea.Batch(p.busy.Start(), func() tea.Msg {
				var purged string
				err := st.do(func(v Store) error {
					var err error
					purged, err = v.Purge(context.Background(), id)
					return err
				})
				return purgedMsg{id: purged, err: err}
			})
		}
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return cmd
	}
	return nil
}

func (p *purgeScreen) ShortHelp() []key.Binding {
	switch p.step {
	case purgeRunning:
		return nil
	case purgeDone:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "to the list"))}
	}
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "purge")), p.keys.Back}
}

func (p *purgeScreen) View() string {
	var b strings.Builder
	w := max(p.width, 20)
	b.WriteString(p.styles.Title.Render("Purge · "+vault.Escape(p.pseudonym)) + "\n\n")
	switch p.step {
	case purgeDone:
		b.WriteString(p.styles.OK.Render(wrapWords(p.result, w)) + "\n")
		return b.String()
	case purgeRunning:
		b.WriteString(p.busy.View("Purging, and rewriting the vault without it…") + "\n")
		return b.String()
	}
	b.WriteString(wrapWords("Consent withdrawn: this removes the interview, its sealed identity, its attachments and its whole history from this vault, and leaves a signed tombstone (its ID and the time only) that bundles carry, so that teammates' vaults purge it too and no old bundle brings it back.", w) + "\n\n")
	b.WriteString(p.styles.Warn.Render("It cannot be undone.") + "\n\n")
	b.WriteString(p.input.View() + "\n")
	if p.err != "" {
		b.WriteString("\n" + p.styles.Error.Render(wrapWords(p.err, w)) + "\n")
	}
	return b.String()
}
