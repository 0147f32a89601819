package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// unlockAgain types the passphrase on the locked screen.
func (u *ui) unlockAgain() {
	u.t.Helper()
	u.waitFor("tvault — locked")
	u.typeText(testPassphrase)
	u.key(tea.KeyEnter)
}

// TestResumeAfterUnlock: after a lock, by hand or when idle, unlocking
// returns to the screen the person was on: the testimony editor with what
// was typed, the team screen, the statistics, the screen under a reveal.
func TestResumeAfterUnlock(t *testing.T) {
	dir, _ := mustVault(t, goldenInputs()...)
	clock := newFakeClock()
	u := startUI(t, Options{Dir: dir, Now: clock.Now, Tick: 5 * time.Millisecond})
	u.unlock()

	// The editor, mid-sentence, locked by hand.
	u.typeText("n")
	u.waitFor("Pseudonym (required)")
	u.typeText("Resumed Person")
	u.toEditor()
	u.typeText("Typed before the lock")
	u.waitFor("Typed before the lock")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlL})
	u.unlockAgain()
	u.waitFor("Interview · Resumed Person", "Typed before the lock", "Testimony ·")

	// The team screen, locked when idle.
	u.key(tea.KeyEsc)
	u.key(tea.KeyEsc)
	u.waitFor("/ to search")
	u.typeText("t")
	u.waitFor("Team ·")
	clock.Advance(DefaultIdleLock + time.Second)
	u.waitFor("Locked after")
	u.unlockAgain()
	u.waitFor("Team ·", "add member")

	// The statistics.
	u.key(tea.KeyEsc)
	u.waitFor("/ to search")
	u.typeText("s")
	u.waitFor("Statistics —")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlL})
	u.unlockAgain()
	u.waitFor("Statistics —")

	// A reveal over an interview: the interview comes back, not the reveal.
	u.key(tea.KeyEsc)
	u.waitFor("/ to search")
	u.typeText("j") // past the draft, to a saved interview
	u.key(tea.KeyEnter)
	u.waitFor("Interview · ")
	u.typeText("R")
	u.waitFor("Custodian reveal")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlL})
	u.unlockAgain()
	u.waitFor("Interview · ", "e edit testimony")
	u.quit()
	if u.m.reveal() != nil {
		t.Fatal("the reveal came back after unlocking")
	}
}
