package tui

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// TestTeamExportChoices: the TUI's export offers what tvault export does:
// interviews by tag or ID, only what is new since the last exchange, and
// interviews whose consent forbids sharing only after typing a
// confirmation. A word that is neither a tag nor an ID is refused at its
// field, with the other choices kept.
func TestTeamExportChoices(t *testing.T) {
	a, b := teamOfTwo(t)
	var ids []string
	withVault(t, a, func(v *vault.Vault) {
		ban := shareableInput("Ban Shared", "may travel", true)
		ban.Tags = []string{"exit-ban"}
		private := shareableInput("Ban Private", "must stay", false)
		private.Tags = []string{"exit-ban"}
		other := shareableInput("Other Shared", "another", true)
		byID := shareableInput("By ID", "chosen by its ID", true)
		var err error
		if ids, err = v.Add(context.Background(), []vault.Input{ban, private, other, byID}); err != nil {
			t.Fatal(err)
		}
	})
	out := t.TempDir()
	first, second := filepath.Join(out, "first.tvb"), filepath.Join(out, "second.tvb")

	u := startUI(t, Options{Dir: a})
	u.unlock()
	u.waitFor("4 interviews")
	u.typeText("t")
	u.waitFor("Team · 1 member", "bob")
	u.typeText("x")
	u.waitFor("Export a bundle for: bob", "Only these tags or IDs")
	u.typeText(first)
	u.key(tea.KeyTab)
	u.typeText("exit-ban nosuchtag")
	u.key(tea.KeyTab)
	u.key(tea.KeyTab)
	u.key(tea.KeySpace) // include the unshareable
	u.waitFor("Type share to confirm")
	u.key(tea.KeyEnter) // not typed yet
	u.waitFor("Type share to include interviews whose consent forbids sharing")
	u.typeText("share")
	u.key(tea.KeyEnter)
	u.waitFor(`"nosuchtag" is neither a tag of the codebook nor an interview ID`)
	for range len(" nosuchtag") {
		u.key(tea.KeyBackspace)
	}
	u.typeText(" " + ids[3][:8])
	u.key(tea.KeyEnter)
	u.waitFor("Wrote", "Interviews:      3")
	u.key(tea.KeyEnter)

	// Since the last exchange: a selection does not count as sent (as in
	// tvault export), so every shareable interview goes; then nothing new,
	// and no bundle.
	sinceLast := func(path string) {
		u.typeText("x")
		u.waitFor("Only these tags or IDs")
		u.typeText(path)
		u.key(tea.KeyTab)
		u.key(tea.KeyTab)
		u.key(tea.KeySpace)
		u.waitFor("[x] only what is new")
		u.key(tea.KeyEnter)
	}
	sinceLast(second)
	u.waitFor("Wrote", "Interviews:      3", "Left out 1 interviews whose consent forbids sharing")
	u.key(tea.KeyEnter)
	third := filepath.Join(out, "third.tvb")
	sinceLast(third)
	u.waitFor("nothing new to send")
	u.quit()
	if _, err := os.Stat(third); !os.IsNotExist(err) {
		t.Fatalf("a bundle with nothing new: %v", err)
	}

	withVault(t, b, func(v *vault.Vault) {
		f, err := os.Open(first)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := v.Import(context.Background(), f); err != nil {
			t.Fatal(err)
		}
		list, err := v.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range list {
			got = append(got, s.Pseudonym)
		}
		sort.Strings(got)
		if want := "Ban Private, Ban Shared, By ID"; strings.Join(got, ", ") != want {
			t.Fatalf("bundle holds %q, want %s", got, want)
		}
	})
}
