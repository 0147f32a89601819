package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// TestFirstRunKeepsAnswers: a custodian key path in a folder that does not
// exist (the USB stick is not mounted) is refused at its field, and a first
// run that fails after the last answer (the stick was pulled out) comes back
// to that field: no passphrase is ever typed twice.
func TestFirstRunKeepsAnswers(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "vault")
	stick := filepath.Join(root, "stick")
	keyFile := filepath.Join(stick, "tvault-custodian.age")
	u := startUI(t, Options{Dir: dir})
	u.waitFor("Welcome to tvault", "┃ Your name")
	u.next("Vault passphrase")
	u.typeText("vault pass phrase one")
	u.next("The vault passphrase again")
	u.typeText("vault pass phrase one")
	u.next("Real identities are sealed to a custodian")
	u.next("Where to write the custodian key file")
	u.waitFor("tvault suggests no path on this laptop")
	u.typeText(keyFile)
	u.key(tea.KeyEnter)
	u.waitFor("that folder does not exist")

	// The stick is mounted: the same path now passes.
	if err := os.Mkdir(stick, 0o700); err != nil {
		t.Fatal(err)
	}
	u.next("Custodian passphrase")
	u.typeText("custodian pass phrase")
	u.next("The custodian passphrase again")
	u.typeText("custodian pass phrase")

	// Pulled out before the last enter: the vault is not created, and the
	// form comes back at the key file's path.
	if err := os.Remove(stick); err != nil {
		t.Fatal(err)
	}
	u.key(tea.KeyEnter)
	u.waitFor("The vault was not created", "your other answers are kept", "┃ Where to write the custodian key file")
	if vault.Exists(dir) {
		t.Fatal("a vault was created without its custodian key")
	}
	if err := os.Mkdir(stick, 0o700); err != nil {
		t.Fatal(err)
	}
	u.next("Custodian passphrase") // kept, as is the path
	u.next("The custodian passphrase again")
	u.key(tea.KeyEnter)
	u.waitFor("Created a vault", "Move it off this laptop", "tvault custodian recipient")
	u.key(tea.KeyEnter)
	u.waitFor("tvault — 0 interviews")
	u.quit()

	data, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := crypto.OpenCustodianKey(data, []byte("custodian pass phrase"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte("vault pass phrase one")))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if v.Custodian().String() != c.Recipient().String() {
		t.Fatal("the vault seals to another custodian than the key file's")
	}
}

// TestFirstRunKeyOnLaptop: tvault suggests no path for the custodian key,
// and says so when the path typed is on the laptop's own disk.
func TestFirstRunKeyOnLaptop(t *testing.T) {
	root := t.TempDir()
	s := newSetupScreen(common{}, filepath.Join(root, "vault"))
	if s.keyOut != "" {
		t.Fatalf("suggested custodian key path %q", s.keyOut)
	}
	if got := keyPlacement(filepath.Join(root, "key.age"), filepath.Join(root, "vault")); !strings.Contains(got, "this laptop's own disk") {
		t.Fatalf("a key beside the vault: %q", got)
	}
}
