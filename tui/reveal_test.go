package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

const custodianPassphrase = "custodian pass phrase"

// sealedVault makes a vault with one interview whose identity and one span
// are sealed, and writes its custodian key file; it returns the vault's
// folder and the key file's path.
func sealedVault(t *testing.T) (dir, keyFile string) {
	t.Helper()
	in := vault.Input{Identity: &vault.Identity{Name: "CanaryName 金丝雀", Contact: "CanaryContact"}}
	in.Pseudonym = "Lin Qiao"
	in.Testimony = "Officers came to {{CanarySpan|the home province}} twice a week."
	dir, c := mustVault(t, in)
	return dir, writeCustodianKey(t, c)
}

func writeCustodianKey(t *testing.T, c *age.HybridIdentity) string {
	t.Helper()
	data, err := crypto.SealCustodianKey(c, []byte(custodianPassphrase), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "custodian.age")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// reveal asks for a reveal of the selected interview with a key file and
// passphrase.
func (u *ui) reveal(keyFile, passphrase string) {
	u.t.Helper()
	u.typeText("R")
	u.waitFor("Custodian key file:")
	u.typeText(keyFile)
	u.key(tea.KeyTab)
	u.typeText(passphrase)
	u.key(tea.KeyEnter)
}

// reveals counts the reveal events in the audit log.
func reveals(t *testing.T, dir string) int {
	t.Helper()
	return len(auditEvents(t, dir, vault.EventReveal))
}

// auditEvents returns the audit log's events of kind.
func auditEvents(t *testing.T, dir, kind string) []vault.Event {
	t.Helper()
	v := mustOpen(t, dir)
	defer v.Close()
	events, err := v.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []vault.Event
	for _, e := range events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// oneFailedReveal fails unless the audit log holds one failed reveal, of
// the interview, saying why, and never the passphrase typed.
func oneFailedReveal(t *testing.T, dir, why, typed string) {
	t.Helper()
	ev := auditEvents(t, dir, vault.EventRevealFailed)
	if len(ev) != 1 {
		t.Fatalf("%d reveal-failed events in the audit log, want 1", len(ev))
	}
	if ev[0].Subject == "" || !strings.Contains(ev[0].Details, why) || strings.Contains(ev[0].Details, typed) {
		t.Fatalf("reveal-failed event %+v", ev[0])
	}
}

var canaries = []string{"CanaryName", "金丝雀", "CanaryContact", "CanarySpan"}

// noCanary fails if the model still holds or shows a revealed value.
func noCanary(t *testing.T, m *Model) {
	t.Helper()
	if m.reveal() != nil && m.reveal().revealed != nil {
		t.Fatal("the revealed identity is still held")
	}
	view := m.View()
	for _, c := range canaries {
		if strings.Contains(view, c) {
			t.Fatalf("the screen still shows %q", c)
		}
	}
}

func TestReveal(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir, keyFile := sealedVault(t)
		clock := newFakeClock()
		u := startUI(t, Options{Dir: dir, Now: clock.Now, Tick: 5 * time.Millisecond})
		u.unlock()
		u.waitFor("Lin Qiao")
		u.key(tea.KeyEnter)
		u.waitFor("Identity: sealed to the custodian")
		u.reveal(keyFile, custodianPassphrase)
		u.waitFor("CanaryName 金丝雀", "CanaryContact", "[the home province] CanarySpan", "Hidden again in 1m0s")
		clock.Advance(30 * time.Second)
		u.waitFor("Hidden again in 30s")
		clock.Advance(31 * time.Second)
		u.waitFor("Hidden again after 1m0s.")
		u.key(tea.KeyEsc)
		u.waitFor("Interview · Lin Qiao")
		u.key(tea.KeyEsc)
		u.waitFor("/ to search")
		u.typeText("q")
		fm := u.tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
		noCanary(t, fm)
		fm.Close()
		if n := reveals(t, dir); n != 1 {
			t.Fatalf("%d reveal events in the audit log, want 1", n)
		}
	})

	t.Run("ErrWrongPassphrase", func(t *testing.T) {
		dir, keyFile := sealedVault(t)
		u := startUI(t, Options{Dir: dir})
		u.unlock()
		u.waitFor("Lin Qiao")
		u.reveal(keyFile, "not the custodian passphrase")
		u.waitFor("Wrong custodian passphrase")
		u.key(tea.KeyEsc)
		u.waitFor("/ to search")
		u.typeText("q")
		fm := u.tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
		noCanary(t, fm)
		fm.Close()
		if n := reveals(t, dir); n != 0 {
			t.Fatalf("%d reveal events after a wrong passphrase", n)
		}
		oneFailedReveal(t, dir, "wrong custodian passphrase", "not the custodian passphrase")
	})

	t.Run("ErrWrongCustodianKey", func(t *testing.T) {
		dir, _ := sealedVault(t)
		other, err := crypto.NewIdentity()
		if err != nil {
			t.Fatal(err)
		}
		u := startUI(t, Options{Dir: dir})
		u.unlock()
		u.waitFor("Lin Qiao")
		u.reveal(writeCustodianKey(t, other), custodianPassphrase)
		u.waitFor("another custodian's key")
		u.quit()
		if n := reveals(t, dir); n != 0 {
			t.Fatalf("%d reveal events with the wrong key", n)
		}
		oneFailedReveal(t, dir, "another custodian's key", custodianPassphrase)
	})

	t.Run("MissingKeyFile", func(t *testing.T) {
		dir, _ := sealedVault(t)
		u := startUI(t, Options{Dir: dir})
		u.unlock()
		u.waitFor("Lin Qiao")
		u.reveal(filepath.Join(t.TempDir(), "none.age"), custodianPassphrase)
		u.waitFor("cannot read the custodian key file")
		u.quit()
	})

	t.Run("HiddenOnEsc", func(t *testing.T) {
		dir, keyFile := sealedVault(t)
		u := startUI(t, Options{Dir: dir})
		u.unlock()
		u.waitFor("Lin Qiao")
		u.reveal(keyFile, custodianPassphrase)
		u.waitFor("CanaryName")
		u.key(tea.KeyEsc)
		u.waitFor("/ to search")
		u.typeText("q")
		fm := u.tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
		if fm.reveal() != nil {
			t.Fatal("the reveal screen is kept after esc")
		}
		noCanary(t, fm)
		fm.Close()
	})

	t.Run("HiddenOnLock", func(t *testing.T) {
		dir, keyFile := sealedVault(t)
		u := startUI(t, Options{Dir: dir})
		u.unlock()
		u.waitFor("Lin Qiao")
		u.reveal(keyFile, custodianPassphrase)
		u.waitFor("CanaryName")
		u.send(tea.KeyMsg{Type: tea.KeyCtrlL})
		u.waitFor("tvault — locked")
		u.key(tea.KeyEsc)
		fm := u.tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
		if fm.reveal() != nil {
			t.Fatal("the reveal screen survived the lock")
		}
		noCanary(t, fm)
		fm.Close()
	})
}

// TestRevealSession: the custodian key is opened once for the session: the
// next reveal shows at once, and is audited too; after a lock it is asked
// for again.
func TestRevealSession(t *testing.T) {
	dir, keyFile := sealedVault(t)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.waitFor("Lin Qiao")
	u.reveal(keyFile, custodianPassphrase)
	u.waitFor("CanaryName", "stays open for this session")
	u.key(tea.KeyEsc)
	u.waitFor("/ to search")
	u.typeText("R") // no key file, no passphrase
	u.waitFor("CanaryName")
	u.key(tea.KeyEsc)
	u.waitFor("/ to search")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlL})
	u.waitFor("tvault — locked")
	u.unlock()
	u.typeText("R")
	u.waitFor("Custodian key file:")
	u.key(tea.KeyEsc)
	u.waitFor("/ to search")
	u.typeText("q")
	fm := u.tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
	fm.Close()
	if fm.st == nil || fm.st.custodian != nil {
		t.Fatal("the custodian key is kept after tvault quit")
	}
	if n := reveals(t, dir); n != 2 {
		t.Fatalf("%d reveal events in the audit log, want 2", n)
	}
}

// TestRevealSessionDuplicates: with the key open, a reveals every
// interview (each audited), lists one person interviewed twice under two
// pseudonyms, and finds identities as text is typed; esc drops it all.
func TestRevealSessionDuplicates(t *testing.T) {
	person := func(pseudonym, name, contact string) vault.Input {
		in := vault.Input{Identity: &vault.Identity{Name: name, Contact: contact}}
		in.Pseudonym, in.Testimony = pseudonym, "testimony of "+pseudonym
		return in
	}
	dir, c := mustVault(t, person("Lin Qiao", "Tang Meilin", "+1 555 0142 7781"),
		person("Spring", "ＭＥＩＬＩＮ　ＴＡＮＧ", ""), person("River", "Zhou Wen", "zhou@example.org"))
	keyFile := writeCustodianKey(t, c)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.reveal(keyFile, custodianPassphrase)
	u.waitFor("a reveals every interview")
	u.typeText("a")
	u.waitFor("3 interviews revealed", "Possible duplicates", "the same name")
	u.typeText("zhou")
	u.waitFor("Find: zhou", "River (")
	if screen := u.finalScreen(); strings.Contains(screen, "Tang Meilin") || !strings.Contains(screen, "Zhou Wen") {
		t.Fatalf("find zhou shows:\n%s", screen)
	}
	if n := reveals(t, dir); n != 4 {
		t.Fatalf("%d reveal events, want 4 (one, then all three)", n)
	}
}
