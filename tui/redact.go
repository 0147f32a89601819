package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/busy"
	"github.com/tvault/tvault/vault"
)

// Redaction of history, over the interview screen: the passage typed by
// mistake and the description to show instead, what that would change, a
// y to go ahead, and the redaction (vault.Redact). The passage lives in the
// field only, which is cleared when the screen closes or the vault locks.

type redactStep int

const (
	redactAsk     redactStep = iota // the passage and description fields
	redactConfirm                   // what it would change; y or esc
	redactRunning                   // the redaction and its checkpoint
	redactDone                      // done, or failed
)

type redactScreen struct {
	common
	st            *store
	id, pseudonym string

	step    redactStep
	passage textinput.Model
	with    textinput.Model
	busy    busy.Spinner
	plan    *vault.RedactReport
	err     string
	done    string
}

// redactPlanMsg and redactDoneMsg carry the plan and the result.
type redactPlanMsg struct {
	plan *vault.RedactReport
	err  error
}

type redactDoneMsg struct {
	rep *vault.RedactReport
	err error
}

func newRedactScreen(c common, st *store, id, pseudonym string) *redactScreen {
	passage := textinput.New()
	passage.Prompt = "Passage to redact: "
	passage.Placeholder = "exactly as it stands in the interview"
	passage.Focus()
	with := textinput.New()
	with.Prompt = "Show instead:      "
	with.Placeholder = "a relative's name"
	r := &redactScreen{common: c, st: st, id: id, pseudonym: pseudonym, passage: passage, with: with, busy: busy.New()}
	r.SetSize(c.width, c.height)
	return r
}

func (r *redactScreen) SetSize(w, h int) {
	r.width, r.height = w, h
	r.passage.Width = max(w-24, 10)
	r.with.Width = max(w-24, 10)
}

func (r *redactScreen) clear() {
	r.passage.Reset()
	r.with.Reset()
	r.plan = nil
	r.busy.Stop()
}

func (r *redactScreen) opts() vault.RedactOptions {
	return vault.RedactOptions{Text: r.passage.Value(), With: r.with.Value()}
}

// redactError says what went wrong, never with the passage.
func redactError(err error) string {
	switch {
	case errors.Is(err, vault.ErrNoSuchPassage):
		return "No field of this interview holds that passage; it must match exactly, case included. Nothing was changed."
	case errors.Is(err, vault.ErrInvalid):
		return err.Error() + ". Nothing was changed."
	}
	return "Not redacted: " + err.Error()
}

func (r *redactScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return r.busy.Update(msg)
	case redactPlanMsg:
		if msg.err != nil {
			r.err = redactError(msg.err)
			return nil
		}
		r.plan, r.err = msg.plan, ""
		r.step = redactConfirm
		return nil
	case redactDoneMsg:
		r.busy.Stop()
		r.step = redactDone
		r.passage.Reset()
		if msg.err != nil {
			r.err = redactError(msg.err)
			if msg.rep == nil {
				return nil
			}
		}
		r.done = fmt.Sprintf("Redacted %d places in %d revisions. Export to your teammates so that their vaults redact it too.", msg.rep.Places, msg.rep.Revisions)
		return nil
	case tea.KeyMsg:
		return r.key(msg)
	}
	return nil
}

func (r *redactScreen) key(msg tea.KeyMsg) tea.Cmd {
	if r.step == redactRunning {
		return nil // the redaction finishes
	}
	if key.Matches(msg, r.keys.Back) {
		if r.step == redactConfirm {
			r.step, r.plan = redactAsk, nil
			return nil
		}
		id := r.id
		// Back to the interview, read again: it may have changed.
		return tea.Batch(r.nav.close(stateInterview, false), r.nav.openInterview(id, "", false))
	}
	switch r.step {
	case redactConfirm:
		if key.Matches(msg, r.keys.Yes) {
			r.step = redactRunning
			st, id, opts := r.st, r.id, r.opts()
			run := func() tea.Msg {
				var rep *vault.RedactReport
				err := st.do(func(v Store) error {
					var err error
					rep, err = v.Redact(context.Background(), id, opts)
					return err
				})
				return redactDoneMsg{rep: rep, err: err}
			}
			return tea.Batch(r.busy.Start(), run)
		}
		return nil
	case redactAsk:
		switch msg.Type {
		case tea.KeyTab, tea.KeyShiftTab, tea.KeyUp, tea.KeyDown:
			if r.passage.Focused() {
				r.passage.Blur()
				r.with.Focus()
			} else {
				r.with.Blur()
				r.passage.Focus()
			}
			return nil
		case tea.KeyEnter:
			if r.passage.Value() == "" {
				r.err = "Type the passage to redact."
				return nil
			}
			st, id, opts := r.st, r.id, r.opts()
			return func() tea.Msg {
				var plan *vault.RedactReport
				err := st.do(func(v Store) error {
					var err error
					plan, err = v.PlanRedaction(context.Background(), id, opts)
					return err
				})
				return redactPlanMsg{plan: plan, err: err}
			}
		}
		var cmd tea.Cmd
		if r.passage.Focused() {
			r.passage, cmd = r.passage.Update(msg)
		} else {
			r.with, cmd = r.with.Update(msg)
		}
		return cmd
	}
	return nil
}

func (r *redactScreen) ShortHelp() []key.Binding {
	switch r.step {
	case redactConfirm:
		return []key.Binding{r.keys.Yes, r.keys.Back, r.keys.Lock}
	case redactAsk:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "find")), r.keys.Back, r.keys.Lock}
	}
	return []key.Binding{r.keys.Back, r.keys.Lock}
}

func (r *redactScreen) View() string {
	var b strings.Builder
	b.WriteString(r.styles.Title.Render("Redact history · "+vault.Escape(r.pseudonym)) + "\n\n")
	switch r.step {
	case redactAsk:
		b.WriteString("Replaces a passage typed by mistake (a name, a place) in every revision of\n")
		b.WriteString("this interview, here and in every vault a bundle carries the redaction to.\n\n")
		b.WriteString(r.passage.View() + "\n")
		b.WriteString(r.with.View() + "\n\n")
		if r.err != "" {
			b.WriteString(r.styles.Error.Render(r.err) + "\n")
		} else {
			b.WriteString(r.styles.Dim.Render("tab moves between the fields; enter shows what it would change; esc goes back.") + "\n")
		}
	case redactConfirm:
		with := strings.Trim(strings.TrimSpace(r.with.Value()), "[]")
		if with == "" {
			with = "redacted"
		}
		fmt.Fprintf(&b, "This replaces %d places in %d revisions by [%s].\n", r.plan.Places, r.plan.Revisions, vault.Escape(with))
		b.WriteString(r.styles.Warn.Render("It cannot be undone. Bundles already handed over keep the passage.") + "\n\n")
		b.WriteString("Press y to redact, esc to go back.\n")
	case redactRunning:
		b.WriteString(r.busy.View("Redacting, and rewriting the vault without the passage…") + "\n")
	case redactDone:
		if r.done != "" {
			b.WriteString(r.styles.OK.Render(r.done) + "\n")
		}
		if r.err != "" {
			b.WriteString(r.styles.Error.Render(r.err) + "\n")
		}
		b.WriteString("\n" + r.styles.Dim.Render("esc goes back to the interview.") + "\n")
	}
	return b.String()
}
