package tui

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// R with the custodian key opens a restored draft's sealed part: the
// identity and span secret typed before a lock, which the draft keeps
// sealed to the custodian (issue 12). From the draft's screen and from its
// row in the list; each reveal is in the audit log.
func TestRevealDraft(t *testing.T) {
	dir, c := mustVault(t)
	keyFile := writeCustodianKey(t, c)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.newInterview("Kept Person")
	u.toEditor()
	u.typeText("Officers came to ")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlK})
	u.waitFor("Secret (sealed to the custodian)")
	u.typeText("CanaryVillage")
	u.waitFor("CanaryVillage")
	u.next("Public description")
	u.typeText("a village")
	u.key(tea.KeyEnter)
	u.waitFor("{{CanaryVillage|a village}}")
	u.key(tea.KeyEsc)
	u.fillIdentity("CanaryKeptName", "CanaryKeptContact")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlL})
	u.waitFor("tvault — locked")
	// Unlocking returns to the interview, restored from its draft.
	u.unlockAgain()
	u.waitFor("Restored from the draft", "identity sealed in the draft (kept)")

	u.reveal(keyFile, custodianPassphrase)
	u.waitFor("Sealed in the draft (unsaved)", "CanaryKeptName", "CanaryKeptContact", "{{CanaryVillage|a village}}")
	u.key(tea.KeyEsc)
	u.waitFor("Restored from the draft")
	u.key(tea.KeyEsc)
	u.waitFor("Kept Person", "new/draft")

	// From the list row of the draft: the key is open for the session.
	u.typeText("R")
	u.waitFor("Sealed in the draft (unsaved)", "CanaryKeptName")
	u.key(tea.KeyEsc)
	u.quit()

	if n := reveals(t, dir); n != 2 {
		t.Errorf("%d reveal events, want 2", n)
	}
	v := mustOpen(t, dir)
	defer v.Close()
	events, _ := v.Audit(context.Background())
	for _, e := range events {
		if e.Kind == vault.EventReveal && e.Subject != "draft" {
			t.Errorf("reveal event of %q, want the draft", e.Subject)
		}
	}
}
