// Package tui is the terminal UI of tvault: a Bubble Tea program that
// carries the interviewer's whole workflow on top of package vault.
//
// # Screens
//
// The top [Model] keeps an explicit state: first-run setup, locked (the
// unlock screen), the list of interviews, one interview (details form,
// testimony editor, identity form), statistics, the team screen (roster,
// cards, export and import), a custodian reveal, and the versions of an
// interview in conflict side by side. Every screen embeds the shared common
// struct (size, styles, key map).
//
// # Security
//
//   - Locking (ctrl+l, or idle for Options.IdleLock) saves the open draft,
//     closes the vault, drops every decrypted value from the model and
//     clears the screen. The folder's lock stays held.
//   - Drafts are autosaved inside the encrypted vault, with the identity and
//     span secrets sealed to the custodian (see vault.SaveDraft).
//   - A custodian reveal is shown for Options.RevealTimeout, then dropped;
//     esc and locking drop it at once. The custodian key is opened for one
//     reveal and not kept; its passphrase is wiped once the key is open.
//   - Nothing here logs; errors shown come from vault and crypto, which never
//     put testimony, names or passphrases in an error.
package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/tui/keys"
	"github.com/tvault/tvault/tui/styles"
	"github.com/tvault/tvault/vault"
)

// state is what the top model shows.
type state int

const (
	stateSetup state = iota
	stateLocked
	stateList
	stateInterview
	stateStats
	stateReveal   // the custodian reveal, over the list or an interview
	stateTeam     // the roster, cards, export and import
	stateConflict // an interview's versions side by side
)

// Options configure the UI.
type Options struct {
	// Dir is the vault folder.
	Dir string
	// IdleLock locks the vault after this long without a key; default 5
	// minutes; negative never.
	IdleLock time.Duration
	// AutosaveDelay is how long after typing stops a draft is saved;
	// default 2 seconds.
	AutosaveDelay time.Duration
	// Tick is how often the idle time is checked; default 1 second.
	Tick time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time
	// NoColor draws without colours (NO_COLOR).
	NoColor bool
	// RevealTimeout is how long a custodian reveal stays on screen;
	// default DefaultRevealTimeout.
	RevealTimeout time.Duration
}

// DefaultIdleLock is the idle time after which the UI locks itself.
const DefaultIdleLock = 5 * time.Minute

// Model is the top model of the UI.
type Model struct {
	common
	opts  Options
	state state

	st   *store      // the open vault, nil while locked
	hold *vault.Hold // the folder's lock while locked

	setup  *setupScreen
	unlock *unlockScreen
	list   *listScreen
	iv     *interviewScreen
	stats  *statsScreen
	reveal *revealScreen
	team   *teamScreen
	cmp    *conflictScreen

	help        help.Model
	showHelp    bool
	confirmQuit bool
	lastKey     time.Time
	err         string
}

type tickMsg time.Time

// New returns the UI for the vault in opts.Dir. If a vault is there, it
// takes the folder's lock at once (and fails with an error wrapping
// vault.ErrInUse if another process has it); if not, the UI starts with the
// first-run setup. Call Close when the program has ended.
func New(opts Options) (*Model, error) {
	if opts.IdleLock == 0 {
		opts.IdleLock = DefaultIdleLock
	}
	if opts.AutosaveDelay <= 0 {
		opts.AutosaveDelay = 2 * time.Second
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RevealTimeout <= 0 {
		opts.RevealTimeout = DefaultRevealTimeout
	}
	c := common{styles: styles.New(opts.NoColor), keys: keys.Default(), width: 80, height: 24}
	m := &Model{common: c, opts: opts, help: help.New()}
	m.unlock = newUnlockScreen(c, opts.Dir)
	m.list = newListScreen(c)
	if vault.Exists(opts.Dir) {
		h, err := holdVault(opts.Dir)
		if err != nil {
			return nil, err
		}
		m.hold = h
		m.state = stateLocked
	} else {
		m.setup = newSetupScreen(c, opts.Dir)
		m.state = stateSetup
	}
	m.lastKey = opts.Now()
	return m, nil
}

// Close closes the vault, or lets its lock go.
func (m *Model) Close() {
	if m.st != nil {
		m.st.mu.Lock()
		if m.st.v != nil {
			m.st.v.Close()
			m.st.v = nil
		}
		m.st.mu.Unlock()
	}
	m.hold.Release()
	m.hold = nil
}

func (m *Model) tick() tea.Cmd {
	return tea.Tick(m.opts.Tick, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Init starts the idle clock and the first screen.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.tick()}
	if m.setup != nil {
		cmds = append(cmds, m.setup.form.Init())
	}
	return tea.Batch(cmds...)
}

func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	body := max(h-1, 1)
	m.unlock.SetSize(w, body)
	m.list.SetSize(w, body)
	if m.setup != nil {
		m.setup.SetSize(w, body)
	}
	if m.iv != nil {
		m.iv.SetSize(w, body)
	}
	if m.stats != nil {
		m.stats.SetSize(w, body)
	}
	if m.reveal != nil {
		m.reveal.SetSize(w, body)
	}
	if m.team != nil {
		m.team.SetSize(w, body)
	}
	if m.cmp != nil {
		m.cmp.SetSize(w, body)
	}
	m.help.Width = w
}

// lock drops everything decrypted and shows the unlock screen.
func (m *Model) lock(note string) tea.Cmd {
	if m.st == nil {
		return nil
	}
	if m.iv != nil {
		// The draft first, while the vault is open: nothing typed is lost.
		m.iv.saveDraftNow()
		m.iv.clear()
		m.iv = nil
	}
	m.list.clear()
	m.stats = nil
	// What a reveal showed goes first of all.
	if m.reveal != nil {
		m.reveal.clear()
		m.reveal = nil
	}
	if m.cmp != nil {
		m.cmp.clear()
		m.cmp = nil
	}
	m.team = nil
	m.setup = nil
	h, err := m.st.close()
	m.st = nil
	m.hold = h
	m.unlock.reset(note)
	if err != nil {
		m.unlock.err = "The vault's lock could not be kept: " + err.Error()
	}
	m.state = stateLocked
	m.showHelp, m.confirmQuit = false, false
	m.err = ""
	return tea.ClearScreen
}

func (m *Model) openInterview(id, draftKey string) tea.Cmd {
	m.iv = newInterviewScreen(m.common, m.st, m.opts.Now, m.opts.AutosaveDelay)
	m.iv.id, m.iv.draftKey = id, draftKey
	m.iv.SetSize(m.width, max(m.height-1, 1))
	m.state = stateInterview
	return loadInterview(m.st, id, draftKey)
}

func (m *Model) backToList() tea.Cmd {
	if m.iv != nil {
		// In the UI loop: a quit right after must not lose the draft.
		m.iv.saveDraftNow()
		m.iv.clear()
		m.iv = nil
	}
	m.state = stateList
	return loadRows(m.st)
}

// Update handles every message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		if m.iv != nil || m.setup != nil {
			break // the forms want it too
		}
		return m, nil
	case tickMsg:
		if m.reveal != nil {
			m.reveal.hideTimeout()
		}
		if m.st != nil && m.opts.IdleLock > 0 && m.opts.Now().Sub(m.lastKey) >= m.opts.IdleLock {
			return m, tea.Batch(m.lock("Locked after "+m.opts.IdleLock.String()+" without a key."), m.tick())
		}
		return m, m.tick()
	case ErrorMsg:
		if msg.Err != errLocked {
			m.err = msg.Err.Error()
		}
		return m, nil
	case unlockedMsg:
		if msg.err != nil {
			m.hold = msg.hold
			return m, m.unlock.Update(msg)
		}
		m.st = &store{v: msg.v}
		m.state = stateList
		m.lastKey = m.opts.Now()
		// Failed unlocks since the last one, a torn save dropped: the user
		// must see them (until the next key).
		if w := msg.v.Warnings(); len(w) > 0 {
			m.err = "Warning: " + strings.Join(w, "; ") + "."
		}
		return m, loadRows(m.st)
	case createdMsg:
		if msg.err == nil {
			// Open from now on: the idle lock applies on the last setup
			// screen too.
			m.st = &store{v: msg.v}
			m.lastKey = m.opts.Now()
		}
		cmd := m.setup.Update(msg)
		return m, cmd
	case tea.KeyMsg:
		m.lastKey = m.opts.Now()
		return m, m.key(msg)
	}
	// Messages that carry decrypted data are dropped once locked.
	if m.st == nil && m.state != stateSetup {
		if m.state == stateLocked {
			return m, m.unlock.Update(msg)
		}
		return m, nil
	}
	switch m.state {
	case stateSetup:
		return m, m.setup.Update(msg)
	case stateList:
		return m, m.list.Update(msg, m.st)
	case stateStats:
		if sm, ok := msg.(statsMsg); ok && m.stats != nil {
			m.stats.stats = sm.stats
		}
		return m, nil
	case stateInterview:
		if m.iv != nil {
			return m, m.iv.Update(msg)
		}
	case stateReveal:
		switch msg.(type) {
		case revealedMsg, spinner.TickMsg:
			return m, m.reveal.Update(msg)
		}
		if m.iv != nil {
			// The interview under the reveal keeps its autosave.
			return m, m.iv.Update(msg)
		}
		return m, nil
	case stateTeam:
		return m, m.team.Update(msg)
	case stateConflict:
		if _, ok := msg.(headsMsg); ok {
			return m, m.cmp.Update(msg)
		}
		if m.iv != nil {
			// The interview screen's own messages (a draft saved).
			return m, m.iv.Update(msg)
		}
	}
	if rm, ok := msg.(rowsMsg); ok {
		m.list.setRows(rm.rows)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if m.confirmQuit {
		switch msg.String() {
		case "y":
			if m.iv != nil {
				m.iv.saveDraftNow()
			}
			return tea.Quit
		case "n", "esc":
			m.confirmQuit = false
		}
		return nil
	}
	if key.Matches(msg, k.ForceQuit) {
		if m.iv != nil && m.iv.changed {
			m.confirmQuit = true
			return nil
		}
		return tea.Quit
	}
	if key.Matches(msg, k.Lock) {
		return m.lock("Locked.")
	}
	if m.showHelp {
		// Any key closes the full help.
		m.showHelp = false
		return nil
	}
	m.err = ""
	switch m.state {
	case stateSetup:
		if m.setup.done != nil && msg.Type == tea.KeyEnter {
			m.setup = nil
			m.state = stateList
			return loadRows(m.st)
		}
		return m.setup.Update(msg)
	case stateLocked:
		if msg.Type == tea.KeyEnter && !m.unlock.busy.Active() && m.unlock.input.Value() != "" {
			// The command owns the lock now; unlockedMsg hands it back.
			h := m.hold
			m.hold = nil
			return m.unlock.submit(h)
		}
		if msg.Type == tea.KeyEsc {
			return tea.Quit
		}
		return m.unlock.Update(msg)
	case stateList:
		if !m.list.filtering {
			switch {
			case key.Matches(msg, k.Help):
				m.showHelp = !m.showHelp
				return nil
			case key.Matches(msg, k.Quit):
				return tea.Quit
			case key.Matches(msg, k.New):
				return m.openInterview("", "")
			case key.Matches(msg, k.Open), key.Matches(msg, k.Edit):
				if r, ok := m.list.selected(); ok {
					cmd := m.openInterview(r.id, r.draftKey)
					m.iv.startInEditor = key.Matches(msg, k.Edit)
					return cmd
				}
				return nil
			case key.Matches(msg, k.Reveal):
				if r, ok := m.list.selected(); ok && r.id != "" {
					return m.openReveal(r.id, r.pseudonym)
				}
				return nil
			case key.Matches(msg, k.Team):
				m.team = newTeamScreen(m.common, m.st)
				m.team.SetSize(m.width, max(m.height-1, 1))
				m.state = stateTeam
				return loadRoster(m.st)
			case key.Matches(msg, k.Stats):
				m.stats = &statsScreen{common: m.common}
				m.stats.SetSize(m.width, max(m.height-1, 1))
				m.state = stateStats
				return loadStats(m.st)
			}
		}
		return m.list.Update(msg, m.st)
	case stateStats:
		switch {
		case key.Matches(msg, k.Back), key.Matches(msg, k.Quit):
			m.stats = nil
			m.state = stateList
		case key.Matches(msg, k.Help):
			m.showHelp = !m.showHelp
		}
		return nil
	case stateInterview:
		if m.iv.pane == paneView && m.iv.dlg == nil {
			switch {
			case key.Matches(msg, k.Back):
				return m.backToList()
			case key.Matches(msg, k.Help):
				m.showHelp = !m.showHelp
				return nil
			case key.Matches(msg, k.Reveal) && m.iv.id != "":
				return m.openReveal(m.iv.id, m.iv.meta.pseudonym)
			case key.Matches(msg, k.Compare) && m.iv.heads > 1:
				m.cmp = &conflictScreen{common: m.common, id: m.iv.id}
				m.cmp.SetSize(m.width, max(m.height-1, 1))
				m.state = stateConflict
				return loadHeads(m.st, m.iv.id)
			}
		}
		return m.iv.Update(msg)
	case stateReveal:
		if key.Matches(msg, k.Back) && m.reveal.step != revealOpening {
			// Hides what was shown, and goes back.
			m.reveal.clear()
			m.state = m.reveal.back
			m.reveal = nil
			if m.state == stateList {
				return loadRows(m.st)
			}
			return nil
		}
		return m.reveal.Update(msg)
	case stateTeam:
		if key.Matches(msg, k.Back) && m.team.atRoster() {
			m.team = nil
			m.state = stateList
			return loadRows(m.st)
		}
		if key.Matches(msg, k.Quit) && m.team.atRoster() {
			return tea.Quit
		}
		return m.team.Update(msg)
	case stateConflict:
		if key.Matches(msg, k.Back) {
			m.cmp.clear()
			m.cmp = nil
			m.state = stateInterview
			return nil
		}
		return m.cmp.Update(msg)
	}
	return nil
}

// openReveal shows the custodian reveal for an interview.
func (m *Model) openReveal(id, pseudonym string) tea.Cmd {
	m.reveal = newRevealScreen(m.common, m.st, m.opts.Now, m.opts.RevealTimeout, id, pseudonym, m.state)
	m.reveal.SetSize(m.width, max(m.height-1, 1))
	m.state = stateReveal
	return textinput.Blink
}

// View draws the screen: the current state's screen, and a help bar.
func (m *Model) View() string {
	var body string
	var bindings []key.Binding
	k := m.keys
	switch m.state {
	case stateSetup:
		body = m.setup.View()
		bindings = []key.Binding{k.ForceQuit}
	case stateLocked:
		body = m.unlock.View()
		bindings = []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "unlock")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "quit"))}
	case stateList:
		body = m.list.View()
		bindings = []key.Binding{k.New, k.Open, k.Edit, k.Search, k.Stats, k.Team, k.Reveal, k.Lock, k.Help, k.Quit}
		if m.list.filtering {
			bindings = []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "done")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))}
		}
	case stateStats:
		body = m.stats.View()
		bindings = []key.Binding{k.Back, k.Lock, k.Help}
	case stateInterview:
		body = m.iv.View()
		bindings = m.iv.helpKeys()
	case stateReveal:
		body = m.reveal.View()
		bindings = []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "reveal")), k.Back, k.Lock}
		if m.reveal.step == revealShown {
			bindings = []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "hide")), k.Lock}
		}
	case stateTeam:
		body = m.team.View()
		bindings = m.team.helpKeys()
	case stateConflict:
		body = m.cmp.View()
		bindings = []key.Binding{k.Up, k.Down, k.PageDown, k.Back, k.Lock}
	}
	if m.showHelp {
		body = m.fullHelp()
	}
	if m.confirmQuit {
		body = m.styles.Box.Render(m.styles.Warn.Render("Quit with unsaved changes?") + "\n\n" +
			"Your changes are kept in an encrypted draft, not yet saved as an\ninterview. Open it again from the list to save it.\n\n" +
			"  y  quit    n  stay")
		bindings = []key.Binding{k.Yes, k.No}
	}
	h := max(m.height-1, 1)
	if m.err != "" {
		body = strings.TrimRight(body, "\n") + "\n" + m.styles.Error.Render(m.err)
	}
	body = lipgloss.NewStyle().Height(h).MaxHeight(h).MaxWidth(m.width).Render(body)
	return body + "\n" + lipgloss.NewStyle().MaxWidth(m.width).Render(m.help.ShortHelpView(bindings))
}

func (m *Model) fullHelp() string {
	k := m.keys
	groups := [][]key.Binding{
		{k.New, k.Open, k.Edit, k.Search, k.Stats, k.Team, k.Reveal, k.Quit, k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Edit, k.Metadata, k.Identity, k.Save, k.Back, k.Span, k.Reveal, k.Compare},
		{k.Lock, k.Help, k.ForceQuit},
	}
	var cols []string
	for n, g := range groups {
		var c strings.Builder
		c.WriteString(m.styles.Header.Render([]string{"List", "Interview", "Anywhere"}[n]) + "\n")
		for _, kb := range g {
			h := kb.Help()
			c.WriteString(cell(h.Key, 8) + " " + h.Desc + "\n")
		}
		cols = append(cols, c.String(), "   ")
	}
	var b strings.Builder
	b.WriteString(m.styles.Title.Render("Keys") + "\n\n")
	b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, cols...) + "\n")
	b.WriteString("\nDrafts are saved, encrypted, a moment after you stop typing.\n")
	b.WriteString("The vault locks itself after " + m.opts.IdleLock.String() + " without a key.\n")
	return b.String()
}

// Run runs the UI on the terminal, in the alternate screen, until the
// person quits.
func Run(opts Options) error {
	m, err := New(opts)
	if err != nil {
		return err
	}
	defer m.Close()
	_, err = tea.NewProgram(m, tea.WithAltScreen()).Run()
	return err
}
