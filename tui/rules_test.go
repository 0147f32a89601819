package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// TestFirstRunSamePassphrase: the first run refuses a custodian passphrase
// that is the vault passphrase, as init does (vault.CheckPassphrasesDiffer),
// and writes nothing until another is typed.
func TestFirstRunSamePassphrase(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "vault")
	u := startUI(t, Options{Dir: dir})
	u.waitFor("Welcome to tvault", "┃ Your name")
	u.next("Vault passphrase")
	u.typeText("vault pass phrase one")
	u.next("The vault passphrase again")
	u.typeText("vault pass phrase one")
	u.next("Real identities are sealed to a custodian")
	u.next("Where to write the custodian key file")
	u.waitFor("Keep the custodian key OFF this laptop")
	keyFile := filepath.Join(root, "tvault-custodian.age")
	u.typeText(keyFile)
	u.next("Custodian passphrase")
	u.typeText("vault pass phrase one")
	u.key(tea.KeyEnter)
	u.waitFor("must differ from the custodian passphrase")
	if _, err := os.Stat(keyFile); !os.IsNotExist(err) {
		t.Fatalf("a custodian key file before the passphrases differ: %v", err)
	}
	// Another custodian passphrase: the vault is created.
	for range len("vault pass phrase one") {
		u.key(tea.KeyBackspace)
	}
	u.typeText("custodian pass phrase")
	u.next("The custodian passphrase again")
	u.typeText("custodian pass phrase")
	u.key(tea.KeyEnter)
	u.waitFor("Created a vault")
	u.key(tea.KeyEnter)
	u.waitFor("tvault — 0 interviews")
	u.quit()
	if _, err := os.Stat(keyFile); err != nil {
		t.Fatal(err)
	}
}

// TestPseudonymTooLong: a pseudonym longer than vault.MaxPseudonym is not
// saved, as add refuses it.
func TestPseudonymTooLong(t *testing.T) {
	dir, _ := mustVault(t)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.typeText("n")
	u.waitFor("Pseudonym (required)")
	// Wider than the field: the screen shows its end only.
	u.typeText(strings.Repeat("长", vault.MaxPseudonym+1))
	u.waitFor("长长长长")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("at most 80")
	u.quit()
	if n, _ := mustOpen(t, dir).Count(); n != 0 {
		t.Fatalf("%d interviews saved", n)
	}
}
