package tui

import (
	"context"
	"errors"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// TestPurgeFromTUI: purge is reachable from an interview (P), and removes
// nothing until the pseudonym, or purge, is typed; then the interview and
// its history are gone, and the purge is audited.
func TestPurgeFromTUI(t *testing.T) {
	keep := vault.Input{}
	keep.Pseudonym, keep.Testimony = "Keep Me", "stays"
	gone := vault.Input{Identity: &vault.Identity{Name: "CanaryName"}}
	gone.Pseudonym, gone.Testimony = "Withdrawn", "consent withdrawn"
	dir, _ := mustVault(t, keep, gone)
	var id string
	withVault(t, dir, func(v *vault.Vault) {
		list, err := v.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			if s.Pseudonym == "Withdrawn" {
				id = s.ID
			}
		}
	})

	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.typeText("/")
	u.typeText("Withdrawn")
	u.waitFor("1 of 2")
	u.key(tea.KeyEnter)
	u.key(tea.KeyEnter)
	u.waitFor("Interview · Withdrawn")
	u.typeText("P")
	u.waitFor("Purge · Withdrawn", "It cannot be undone")
	u.typeText("Withdraw")
	u.key(tea.KeyEnter)
	u.waitFor("Type the pseudonym exactly")
	u.key(tea.KeyEsc) // esc keeps it
	u.waitFor("Interview · Withdrawn")
	u.typeText("P")
	u.waitFor("Purge · Withdrawn")
	u.typeText("Withdrawn")
	u.key(tea.KeyEnter)
	u.waitFor("Purged "+id, "Export to your teammates")
	u.key(tea.KeyEnter)
	u.waitFor("0 of 1 interview") // the list, with the search kept
	u.quit()

	v := mustOpen(t, dir)
	if _, err := v.Get(id); !errors.Is(err, vault.ErrNotFound) {
		t.Fatalf("the purged interview: %v", err)
	}
	events, err := v.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	purges := 0
	for _, e := range events {
		if e.Kind == vault.EventPurge && e.Subject == id {
			purges++
		}
	}
	if purges != 1 {
		t.Fatalf("%d purge events, want 1", purges)
	}
}
