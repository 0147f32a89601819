package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/busy"
	"github.com/tvault/tvault/vault"
)

// Custodian reveal. The custodian types the path of the custodian key file
// and the custodian passphrase; the key is opened off the UI loop (scrypt is
// slow on purpose), vault.Reveal opens the sealed identity and span secrets
// and records the reveal in the audit log, and the panel shows them until
// RevealTimeout passes, esc, or the vault locks. Nothing revealed is ever
// written anywhere: it lives in this screen only, and is dropped when the
// panel hides.
//
// The custodian key, once open, is kept for the session (store.custodian):
// the next reveal, of this interview or another, opens at once, and each is
// still recorded in the audit log. It is dropped when the vault locks
// (ctrl+l, or the idle lock) and when tvault quits. age keeps the key's
// secret in its own types, which cannot be wiped: dropping the last
// reference is what Go allows.

// DefaultRevealTimeout is how long revealed identities stay on screen.
const DefaultRevealTimeout = 60 * time.Second

// revealStep is where the reveal screen is.
type revealStep int

const (
	revealAsk     revealStep = iota // the key file and passphrase fields
	revealOpening                   // the key is being opened
	revealShown                     // the panel shows the identity
	revealAll                       // every interview revealed (reveal_session.go)
)

// revealScreen asks for the custodian key and shows what it reveals.
type revealScreen struct {
	common
	st      *store
	clock   Clock
	timeout time.Duration

	id, pseudonym string
	draftKey      string           // a draft whose sealed part to reveal too, or ""
	back          state            // the screen to return to
	under         *interviewScreen // the interview under the reveal, if any

	step     revealStep
	path     textinput.Model
	pass     textinput.Model
	busy     busy.Spinner // while revealOpening
	seq      int
	err      string
	note     string
	revealed *vault.Revealed
	session  *revealSession      // while revealAll
	draft    *vault.DraftSecrets // the draft's sealed part, if draftKey
	shownAt  time.Time
}

// revealedMsg is the result of opening the custodian key and revealing.
type revealedMsg struct {
	seq   int
	r     *vault.Revealed
	draft *vault.DraftSecrets
	err   error
}

func newRevealScreen(c common, st *store, clock Clock, timeout time.Duration, id, pseudonym string, back state) *revealScreen {
	path := textinput.New()
	path.Prompt = "Custodian key file: "
	path.Placeholder = "the path of the key file, e.g. on a USB stick"
	path.Focus()
	pass := textinput.New()
	pass.Prompt = "Custodian passphrase: "
	pass.EchoMode = textinput.EchoPassword
	pass.EchoCharacter = '•'
	r := &revealScreen{common: c, st: st, clock: clock, timeout: timeout, id: id, pseudonym: pseudonym, back: back,
		path: path, pass: pass, busy: busy.New()}
	r.SetSize(c.width, c.height)
	return r
}

func (r *revealScreen) SetSize(w, h int) {
	r.width, r.height = w, h
	r.path.Width = max(w-26, 10)
	r.pass.Width = max(w-26, 10)
}

// hide drops what was revealed. note says why.
func (r *revealScreen) hide(note string) {
	r.revealed, r.session, r.draft = nil, nil, nil
	r.step = revealAsk
	r.busy.Stop()
	r.note = note
	r.pass.Reset()
	r.seq++ // a reveal still in flight is dropped when it arrives
	r.focus(&r.pass)
}

// clear drops every secret the screen holds, for locking.
func (r *revealScreen) clear() {
	r.hide("")
	r.path.Reset()
}

func (r *revealScreen) focus(in *textinput.Model) {
	r.path.Blur()
	r.pass.Blur()
	in.Focus()
}

// expired reports whether the panel has been shown for the timeout.
func (r *revealScreen) expired() bool {
	return (r.step == revealShown || r.step == revealAll) && r.clock().Sub(r.shownAt) >= r.timeout
}

// sessionKey is the custodian key kept for this session, or nil.
func (s *store) sessionKey() *vault.CustodianKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v == nil {
		return nil
	}
	return s.custodian
}

// keepKey keeps c for the session's other reveals.
func (s *store) keepKey(c *vault.CustodianKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v != nil {
		s.custodian = c
	}
}

// start begins the screen: at once with the session's custodian key, if
// one is open, or with the key file's field.
func (r *revealScreen) start() tea.Cmd {
	c := r.st.sessionKey()
	if c == nil {
		return textinput.Blink
	}
	r.step = revealOpening
	r.seq++
	return tea.Batch(r.busy.Start(), revealWith(r.seq, r.st, r.id, r.draftKey, c))
}

// revealWith reveals interview id with the open custodian key c, and the
// sealed part of draft draftKey if it is not "" (id may then be "").
func revealWith(seq int, st *store, id, draftKey string, c *vault.CustodianKey) tea.Cmd {
	return func() tea.Msg {
		var out *vault.Revealed
		var draft *vault.DraftSecrets
		err := st.do(func(v Store) error {
			var err error
			if id != "" {
				if out, err = v.Reveal(context.Background(), id, c); err != nil {
					return err
				}
			} else {
				out = &vault.Revealed{}
			}
			if draftKey != "" {
				draft, err = v.RevealDraft(draftKey, c)
			}
			return err
		})
		if err == nil {
			st.keepKey(c)
		}
		return revealedMsg{seq: seq, r: out, draft: draft, err: err}
	}
}

// submit opens the key and reveals, in a command.
func (r *revealScreen) submit() tea.Cmd {
	path := cleanPath(r.path.Value())
	if path == "" {
		r.err = "Type the path of the custodian key file."
		r.focus(&r.path)
		return nil
	}
	if r.pass.Value() == "" {
		r.err = "Type the custodian passphrase."
		r.focus(&r.pass)
		return nil
	}
	// textinput keeps the passphrase as runes and hands it out as a string,
	// neither of which can be wiped; the []byte copy is wiped once the key
	// is open, and the field reset now.
	p := []byte(r.pass.Value())
	r.pass.Reset()
	r.err, r.note = "", ""
	r.step = revealOpening
	r.seq++
	seq, st, id, draftKey := r.seq, r.st, r.id, r.draftKey
	open := func() tea.Msg {
		data, err := os.ReadFile(path)
		if err != nil {
			clear(p)
			return revealedMsg{seq: seq, err: fmt.Errorf("cannot read the custodian key file: %w", err)}
		}
		// Opened outside the store's lock (scrypt is slow on purpose); a
		// key refused is then recorded in the audit log.
		c, err := vault.OpenCustodianKey(data, p)
		clear(p)
		if err != nil {
			err = st.do(func(v Store) error { return v.RecordRevealFailure(err, id) })
			return revealedMsg{seq: seq, err: err}
		}
		// Kept for the session if it opens this vault's identities.
		return revealWith(seq, st, id, draftKey, c)()
	}
	return tea.Batch(r.busy.Start(), open)
}

// cleanPath trims what a terminal adds to a dropped file's path (spaces
// and quotes) and expands a leading ~, as every path field of the UI reads
// its path.
func cleanPath(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	return vault.ExpandHome(s)
}

// revealError says what went wrong, never with the passphrase.
func revealError(err error) string {
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		return "Wrong custodian passphrase (or not a custodian key file). Nothing was revealed."
	case errors.Is(err, vault.ErrWrongCustodianKey):
		return "This custodian key does not open this vault's identities: it is another custodian's key. Nothing was revealed."
	case errors.Is(err, vault.ErrDamaged):
		return "This file is not a custodian key file, or it is damaged. Nothing was revealed."
	}
	return "Nothing was revealed: " + err.Error()
}

// Update handles a message for the reveal screen: esc goes back (except
// while the key opens); what is not the reveal's goes to the interview
// under it.
func (r *revealScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return r.busy.Update(msg)
	case revealedMsg:
		if msg.seq != r.seq || r.step != revealOpening {
			return nil
		}
		r.busy.Stop()
		if msg.err != nil {
			r.step = revealAsk
			r.err = revealError(msg.err)
			if errors.Is(msg.err, vault.ErrWrongPassphrase) {
				r.focus(&r.pass)
			} else {
				r.focus(&r.path)
			}
			return nil
		}
		r.revealed, r.draft = msg.r, msg.draft
		r.step = revealShown
		r.shownAt = r.clock()
		return nil
	case revealAllMsg:
		r.revealedAll(msg)
		return nil
	case tea.KeyMsg:
		if key.Matches(msg, r.keys.Back) && r.step != revealOpening {
			// Hides what was shown, and goes back.
			return r.nav.close(r.back, r.back == stateList)
		}
		switch r.step {
		case revealShown:
			if msg.String() == "a" {
				return r.revealEvery()
			}
			return nil
		case revealAll:
			return r.sessionKey(msg)
		case revealOpening:
			return nil
		}
		switch msg.Type {
		case tea.KeyTab, tea.KeyShiftTab, tea.KeyUp, tea.KeyDown:
			if r.path.Focused() {
				r.focus(&r.pass)
			} else {
				r.focus(&r.path)
			}
			return nil
		case tea.KeyEnter:
			if r.path.Focused() && r.pass.Value() == "" {
				r.focus(&r.pass)
				return nil
			}
			return r.submit()
		}
		var cmd tea.Cmd
		if r.path.Focused() {
			r.path, cmd = r.path.Update(msg)
		} else {
			r.pass, cmd = r.pass.Update(msg)
		}
		return cmd
	}
	if r.under != nil {
		// The interview under the reveal keeps its autosave.
		return r.under.Update(msg)
	}
	return nil
}

// ShortHelp is enter, esc and ctrl+l; esc alone while the panel shows.
func (r *revealScreen) ShortHelp() []key.Binding {
	switch r.step {
	case revealShown:
		return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "hide")),
			key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "reveal all, find duplicates")), r.keys.Lock}
	case revealAll:
		return r.sessionHelp()
	}
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "reveal")), r.keys.Back, r.keys.Lock}
}

func (r *revealScreen) View() string {
	var b strings.Builder
	if r.step == revealAll && r.session != nil {
		b.WriteString(r.styles.Title.Render("Custodian session · every interview") + "\n\n")
		b.WriteString(r.sessionView())
		return b.String()
	}
	b.WriteString(r.styles.Title.Render("Custodian reveal · "+r.pseudonym) + "\n\n")
	if r.step == revealShown && r.revealed != nil {
		b.WriteString(r.panel())
		return b.String()
	}
	b.WriteString("Opens the sealed identity and span secrets with the custodian key.\n")
	b.WriteString("The reveal is recorded in the audit log. Nothing is written anywhere.\n\n")
	if r.note != "" {
		b.WriteString(r.styles.OK.Render(r.note) + "\n\n")
	}
	b.WriteString(r.path.View() + "\n")
	b.WriteString(r.pass.View() + "\n\n")
	switch {
	case r.step == revealOpening:
		b.WriteString(r.busy.View("Opening the custodian key…") + "\n")
	case r.err != "":
		b.WriteString(r.styles.Error.Render(r.err) + "\n")
	default:
		b.WriteString(r.styles.Dim.Render("tab moves between the fields; enter reveals; esc goes back.") + "\n")
	}
	return b.String()
}

// panel draws what was revealed. On screen only.
func (r *revealScreen) panel() string {
	var b strings.Builder
	rv := r.revealed
	line := func(label, v string) {
		if strings.TrimSpace(v) == "" {
			return
		}
		fmt.Fprintf(&b, "%-11s %s\n", label+":", v)
	}
	identity := func(id *vault.Identity) {
		line("Name", id.Name)
		line("Aliases", strings.Join(id.Aliases, ", "))
		line("Contact", id.Contact)
		var rel []string
		for _, x := range id.Relatives {
			rel = append(rel, x.Relation+": "+x.Name)
		}
		line("Relatives", strings.Join(rel, "; "))
		line("Notes", id.Notes)
	}
	if r.id != "" {
		b.WriteString(r.styles.Header.Render("Identity") + "\n")
		if rv.Identity == nil {
			b.WriteString("No identity is sealed for this interview.\n")
		} else {
			identity(rv.Identity)
		}
		b.WriteString("\n" + r.styles.Header.Render("Sensitive spans") + "\n")
		if len(rv.Spans) == 0 {
			b.WriteString("None.\n")
		}
		for _, s := range rv.Spans {
			secret := s.Secret
			if secret == "" {
				secret = "(not sealed here)"
			}
			fmt.Fprintf(&b, "[%s] %s\n", s.Description, secret)
		}
	}
	if r.draftKey != "" {
		r.draftPanel(&b, identity)
	}
	left := max(r.timeout-r.clock().Sub(r.shownAt), 0).Round(time.Second)
	box := r.styles.Box.Width(max(min(r.width-4, 90), 20)).Render(strings.TrimRight(b.String(), "\n"))
	w := max(r.width, 20)
	return box + "\n" + r.styles.Warn.Render(wrapWords(fmt.Sprintf("Hidden again in %s, or now with esc. The reveal is in the audit log.", left), w)) + "\n" +
		r.styles.Dim.Render(wrapWords("The custodian key stays open for this session's reveals, until the vault locks (ctrl+l) or tvault quits. a reveals every interview and lists possible duplicates.", w)) + "\n"
}

// hideTimeout hides the panel if its time is up.
func (r *revealScreen) hideTimeout() {
	if r.expired() {
		r.hide(fmt.Sprintf("Hidden again after %s.", r.timeout))
	}
}

// draftPanel draws the sealed part of the draft: what was typed before a
// lock or a quit and sealed to the custodian in the draft. On screen only.
func (r *revealScreen) draftPanel(b *strings.Builder, identity func(*vault.Identity)) {
	if r.id != "" {
		b.WriteString("\n")
	}
	b.WriteString(r.styles.Header.Render("Sealed in the draft (unsaved)") + "\n")
	d := r.draft
	if d == nil || (d.Identity == nil && len(d.Spans) == 0 && len(d.Fields) == 0) {
		b.WriteString("The draft sealed nothing.\n")
		return
	}
	if d.Identity != nil {
		identity(d.Identity)
	}
	for _, s := range d.Spans {
		fmt.Fprintf(b, "Span:       %s\n", s)
	}
	fields := make([]string, 0, len(d.Fields))
	for f := range d.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		fmt.Fprintf(b, "%-11s %s\n", f+":", d.Fields[f])
	}
}
