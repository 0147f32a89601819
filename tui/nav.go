package tui

import (
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// The top model's moves between screens: the navigator its screens call,
// locking, and resizing.

// screenOf returns the screen of state s if it is open and of type T, or
// T's zero value.
func screenOf[T screen](m *Model, s state) T {
	sc, _ := m.screens[s].(T)
	return sc
}

func (m *Model) setup() *setupScreen   { return screenOf[*setupScreen](m, stateSetup) }
func (m *Model) iv() *interviewScreen  { return screenOf[*interviewScreen](m, stateInterview) }
func (m *Model) reveal() *revealScreen { return screenOf[*revealScreen](m, stateReveal) }
func (m *Model) team() *teamScreen     { return screenOf[*teamScreen](m, stateTeam) }
func (m *Model) cmp() *conflictScreen  { return screenOf[*conflictScreen](m, stateConflict) }
func (m *Model) bodySize() (width, height int) {
	return m.width, max(m.height-max(m.reserved, 1), 1)
}

func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	for _, s := range m.screens {
		s.SetSize(m.bodySize())
	}
	m.help.Width = w
}

// show opens screen sc for state s, in front.
func (m *Model) show(s state, sc screen) {
	sc.SetSize(m.bodySize())
	m.screens[s] = sc
	m.state = s
}

// lock drops everything decrypted and shows the unlock screen.
func (m *Model) lock(note string) tea.Cmd {
	if m.st == nil {
		return nil
	}
	if iv := m.iv(); iv != nil {
		// The draft first, while the vault is open: nothing typed is lost.
		iv.saveDraftNow()
	}
	m.resume = m.resumePoint()
	_, reading := m.screens[stateRead]
	for s, sc := range m.screens {
		sc.clear()
		if s != stateLocked && s != stateList {
			delete(m.screens, s)
		}
	}
	m.st.do(func(v Store) error {
		m.unlock.custodian = v.CustodianFingerprint()
		return nil
	})
	h, err := m.st.close()
	m.st = nil
	m.list.st = nil
	m.hold = h
	m.unlock.reset(note)
	if err != nil {
		m.unlock.err = "The vault's lock could not be kept: " + err.Error()
	}
	m.state = stateLocked
	m.showHelp, m.confirmQuit = false, false
	m.err = ""
	if reading {
		return tea.Batch(tea.ClearScreen, tea.DisableMouse)
	}
	return tea.ClearScreen
}

// openVault opens the vault; the command owns the folder's lock until
// unlockedMsg hands it back.
func (m *Model) openVault(passphrase []byte) tea.Cmd {
	h, dir := m.hold, m.opts.Dir
	m.hold = nil
	return func() tea.Msg {
		defer clear(passphrase)
		v, h, err := unlockVault(dir, h, passphrase)
		return unlockedMsg{v: v, hold: h, err: err}
	}
}

func (m *Model) openInterview(id, draftKey string, inEditor bool) tea.Cmd {
	iv := newInterviewScreen(m.common, m.st, m.opts.Now, m.opts.AutosaveDelay)
	iv.id, iv.draftKey = id, draftKey
	iv.startInEditor = inEditor
	m.show(stateInterview, iv)
	return loadInterview(m.st, id, draftKey)
}

// openReveal shows the custodian reveal for an interview, over the screen
// in front.
func (m *Model) openReveal(id, draftKey, pseudonym string) tea.Cmd {
	r := newRevealScreen(m.common, m.st, m.opts.Now, m.opts.RevealTimeout, id, pseudonym, m.state)
	r.draftKey = draftKey
	if m.state == stateInterview {
		// The interview under the reveal keeps its autosave.
		r.under = m.iv()
	}
	m.show(stateReveal, r)
	return r.start()
}

// openPurge asks for the typed confirmation of a purge of the interview in
// front.
func (m *Model) openPurge(id, pseudonym string) tea.Cmd {
	m.show(statePurge, newPurgeScreen(m.common, m.st, id, pseudonym))
	return textinput.Blink
}

// openRedact shows the redaction of history of the interview in front.
func (m *Model) openRedact(id, pseudonym string) tea.Cmd {
	m.show(stateRedact, newRedactScreen(m.common, m.st, id, pseudonym))
	return textinput.Blink
}

// openConflict shows the versions of the interview in front side by side.
func (m *Model) openConflict(id string) tea.Cmd {
	m.show(stateConflict, &conflictScreen{common: m.common, st: m.st, id: id, under: m.iv()})
	return loadHeads(m.st, id)
}

// openHistory shows the revisions of the interview in front.
func (m *Model) openHistory(id, pseudonym string) tea.Cmd {
	m.show(stateHistory, &historyScreen{common: m.common, id: id, pseudonym: pseudonym, under: m.iv()})
	return loadHistory(m.st, id)
}

// openReader shows the reading view of an interview over the list or the
// interview in front. The mouse wheel scrolls it while it shows.
func (m *Model) openReader(id, pseudonym, note string) tea.Cmd {
	r := newReaderScreen(m.common, m.st, id, pseudonym, m.state)
	r.status = note
	if m.state == stateInterview {
		// The interview under the reader keeps its autosave.
		r.under = m.iv()
	}
	m.show(stateRead, r)
	return tea.Batch(loadReading(m.st, id), tea.EnableMouseCellMotion)
}

// openPublish shows the publish screen over the list.
func (m *Model) openPublish() tea.Cmd {
	p := newPublishScreen(m.common, m.st)
	m.show(statePublish, p)
	return p.focusOn(p.focus)
}

func (m *Model) openTeam() tea.Cmd {
	m.show(stateTeam, newTeamScreen(m.common, m.st))
	return loadRoster(m.st)
}

func (m *Model) openStats() tea.Cmd {
	m.show(stateStats, &statsScreen{common: m.common})
	return loadStats(m.st)
}

func (m *Model) close(back state, reload bool) tea.Cmd {
	if s, ok := m.screens[m.state]; ok && m.state != stateLocked && m.state != stateList {
		s.clear()
		delete(m.screens, m.state)
	}
	cmd := tea.Cmd(nil)
	if m.state == stateRead {
		// The wheel was the reader's: the terminal's own selection comes back.
		cmd = tea.DisableMouse
	}
	m.state = back
	if reload {
		return tea.Batch(cmd, loadRows(m.st))
	}
	return cmd
}

func (m *Model) toggleHelp() { m.showHelp = !m.showHelp }

// resumeAt is the screen to return to after unlocking: what lock closed.
// It holds no decrypted value: an interview's ID and its draft's key.
type resumeAt struct {
	state        state
	id, draftKey string
	pane         pane
}

// resumePoint is where the person is, for unlocking to return there. A
// custodian reveal is not resumed (its key is asked for again), nor a
// side-by-side view: the screen under them is.
func (m *Model) resumePoint() *resumeAt {
	s := m.state
	if r := m.reveal(); s == stateReveal && r != nil {
		s = r.back
	}
	if s == stateConflict {
		s = stateInterview
	}
	switch s {
	case stateInterview:
		iv := m.iv()
		if iv == nil || !iv.loaded {
			return nil
		}
		return &resumeAt{state: s, id: iv.id, draftKey: iv.draftKey, pane: iv.pane}
	case stateRead:
		if r := screenOf[*readerScreen](m, stateRead); r != nil {
			return &resumeAt{state: s, id: r.id}
		}
	case stateStats, stateTeam, statePublish:
		return &resumeAt{state: s}
	}
	return nil
}

// resumeScreen opens again the screen lock closed.
func (m *Model) resumeScreen(r *resumeAt) tea.Cmd {
	switch r.state {
	case stateInterview:
		cmd := m.openInterview(r.id, r.draftKey, r.pane == paneEditor)
		m.iv().startPane = r.pane
		return cmd
	case stateStats:
		return m.openStats()
	case stateTeam:
		return m.openTeam()
	case stateRead:
		return m.openReader(r.id, "", "")
	case statePublish:
		return m.openPublish()
	}
	return nil
}
