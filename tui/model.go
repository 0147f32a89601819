// Package tui is the terminal UI of tvault: a Bubble Tea program that
// carries the interviewer's whole workflow on top of package vault.
//
// # Screens
//
// The top [Model] keeps an explicit state: first-run setup, locked (the
// unlock screen), the list of interviews, one interview (details form,
// testimony editor, identity form), statistics, the team screen (roster,
// cards, export and import), a custodian reveal, and the versions of an
// interview in conflict side by side. Each is a [screen] kept in a map by
// state; every screen embeds the shared common struct (size, styles, key
// map, and the navigator through which it opens and closes screens).
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
	tea "github.com/charmbracelet/bubbletea"
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
	statePurge    // the typed confirmation of a purge, over an interview
	stateHistory  // an interview's revisions and their diffs
	stateRedact   // redaction of history, over an interview
	stateRead     // the reading view of an interview, and its quotes
	statePublish  // a report pack: choices, the disclosure review, writing
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
	// Passphrase, if set, unlocks the vault at start with no typing
	// (tvault --passphrase-file). The UI wipes it once used.
	Passphrase []byte
}

// DefaultIdleLock is the idle time after which the UI locks itself.
const DefaultIdleLock = 5 * time.Minute

// Model is the top model of the UI.
type Model struct {
	common
	opts  Options
	state state

	st   *store         // the open vault, nil while locked
	hold *vault.DirLock // the folder's lock while locked

	// screens holds a screen for each state open: the one of state shows,
	// the others wait under it (the list under an interview, an interview
	// under its reveal). The unlock screen and the list are always there.
	screens map[state]screen
	unlock  *unlockScreen
	list    *listScreen

	help        help.Model
	showHelp    bool
	confirmQuit bool
	// resume is the screen to return to after unlocking.
	resume *resumeAt
	// reserved is the lines under the screen: the message and the help
	// bar, as last drawn.
	reserved int
	lastKey  time.Time
	err      string
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
	m := &Model{opts: opts, help: help.New()}
	m.common = common{styles: styles.New(opts.NoColor), keys: keys.Default(), width: 80, height: 24, nav: m}
	m.unlock = newUnlockScreen(m.common, opts.Dir)
	m.list = newListScreen(m.common)
	m.screens = map[state]screen{stateLocked: m.unlock, stateList: m.list}
	if vault.Exists(opts.Dir) {
		h, err := holdVault(opts.Dir)
		if err != nil {
			return nil, err
		}
		m.hold = h
		m.state = stateLocked
	} else {
		m.screens[stateSetup] = newSetupScreen(m.common, opts.Dir)
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
		m.st.custodian = nil
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
	if s := m.setup(); s != nil {
		cmds = append(cmds, s.form.Init())
	}
	if p := m.opts.Passphrase; p != nil {
		m.opts.Passphrase = nil
		if m.state == stateLocked {
			cmds = append(cmds, m.unlock.busy.Start(), m.openVault(p))
		} else {
			clear(p)
		}
	}
	return tea.Batch(cmds...)
}

// opened takes the vault just opened or created.
func (m *Model) opened(v Store) {
	m.st = &store{v: v}
	m.list.st = m.st
	m.lastKey = m.opts.Now()
}

// maxBurst is the most runes of one key message that Update splits into
// keys: longer than any key's name ("backspace").
const maxBurst = 16

// Update handles every message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		if m.iv() == nil && m.setup() == nil {
			return m, nil
		}
		// The forms want it too.
	case tickMsg:
		if r := m.reveal(); r != nil {
			r.hideTimeout()
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
		m.opened(msg.v)
		m.state = stateList
		// Failed unlocks since the last one, a torn save dropped: the user
		// must see them (until the next key).
		if w := msg.v.Warnings(); len(w) > 0 {
			m.err = "Warning: " + strings.Join(w, "; ") + "."
		}
		cmd := loadRows(m.st)
		if r := m.resume; r != nil {
			// Back where the lock found the person.
			m.resume = nil
			cmd = tea.Batch(cmd, m.resumeScreen(r))
		}
		return m, cmd
	case createdMsg:
		if msg.err == nil {
			// Open from now on: the idle lock applies on the last setup
			// screen too.
			m.opened(msg.v)
		}
		return m, m.setup().Update(msg)
	case tea.KeyMsg:
		m.lastKey = m.opts.Now()
		if msg.Type == tea.KeyRunes && !msg.Paste && !msg.Alt && len(msg.Runes) > 1 && len(msg.Runes) <= maxBurst {
			// Keys typed faster than the terminal is read (a loaded machine,
			// a slow link) arrive as one message of several runes, and a
			// binding matches the message by its name: "home" typed in a
			// description read as the Home key and sent the cursor back.
			// Give them one at a time, as they were typed. A longer run is
			// text pasted without bracketed paste, which names no key.
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				k := msg
				k.Runes = []rune{r}
				cmds = append(cmds, m.key(k))
			}
			return m, tea.Batch(cmds...)
		}
		return m, m.key(msg)
	}
	// Messages that carry decrypted data are dropped once locked.
	if m.st == nil && m.state != stateSetup && m.state != stateLocked {
		return m, nil
	}
	if msg, ok := msg.(rowsMsg); ok {
		// The list's rows, whatever screen is in front (one resumed after
		// unlocking).
		return m, m.list.Update(msg)
	}
	if s, ok := m.screens[m.state]; ok {
		return m, s.Update(msg)
	}
	return m, nil
}

// key handles the keys that work on any screen, and hands the others to the
// screen in front.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if m.confirmQuit {
		switch msg.String() {
		case "y":
			if iv := m.iv(); iv != nil {
				iv.saveDraftNow()
			}
			return tea.Quit
		case "n", "esc":
			m.confirmQuit = false
		}
		return nil
	}
	if key.Matches(msg, k.ForceQuit) {
		if iv := m.iv(); iv != nil && iv.changed {
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
	s, ok := m.screens[m.state]
	if key.Matches(msg, helpAnywhere) || (key.Matches(msg, k.Help) && ok && !isTyping(s)) {
		m.showHelp = true
		return nil
	}
	if ok {
		return s.Update(msg)
	}
	return nil
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
