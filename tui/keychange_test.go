package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// A teammate's member key rotation, learnt from a bundle, is said plainly
// in the import report, with the whole new fingerprint to compare out loud.
func TestImportKeyChange(t *testing.T) {
	a, b := teamOfTwo(t)
	fromBob := filepath.Join(t.TempDir(), "from-bob.tvb")
	var k *vault.KeyChange
	withVault(t, b, func(v *vault.Vault) {
		var err error
		if k, err = v.RotateMemberKey(context.Background()); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := v.Export(context.Background(), &buf, vault.ExportOptions{To: []string{"R1"}}); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(fromBob, buf.Bytes(), 0o600)
	})

	u := startUI(t, Options{Dir: a})
	u.unlock()
	u.typeText("t")
	u.waitFor("Team · 1 member", "bob")
	u.typeText("i")
	u.waitFor("Bundle file:")
	u.typeText(fromBob)
	u.key(tea.KeyEnter)
	u.waitFor("bob's member key changed.", "Old fingerprint:  "+k.OldFingerprint, "New fingerprint:  "+k.NewFingerprint,
		"Compare the new fingerprint with bob out loud")
	u.key(tea.KeyEnter)
	u.waitFor(k.NewFingerprint[:9]) // the roster shows the new key
	u.quit()
}

// K on the team screen replaces this member's key, after a confirmation; the
// screen shows the new fingerprint.
func TestRotateFromTeamScreen(t *testing.T) {
	a, _ := teamOfTwo(t)
	_, before := cardFile(t, a)
	u := startUI(t, Options{Dir: a})
	u.unlock()
	u.typeText("t")
	u.waitFor("Team · 1 member", "your fingerprint "+before)
	u.typeText("K")
	u.waitFor("Replace your member key?", "out loud")
	u.typeText("n")
	u.waitFor("your fingerprint " + before)
	u.typeText("K")
	u.waitFor("Replace your member key?")
	u.typeText("y")
	u.waitFor("Your member key changed. New fingerprint:")
	u.quit()
	_, after := cardFile(t, a)
	if after == before {
		t.Fatal("the member key did not change")
	}
}
