package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// namedVault makes a closed vault of member name, sealing to custodian c.
func namedVault(t *testing.T, name string, c *age.HybridIdentity) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	v, err := vault.Create(dir, vault.CreateOptions{Name: name, Custodian: c.Recipient(), Passphrase: []byte(testPassphrase)})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	return dir
}

// withVault opens the vault in dir for fn, and closes it.
func withVault(t *testing.T, dir string, fn func(v *vault.Vault)) {
	t.Helper()
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte(testPassphrase)))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	fn(v)
}

// cardFile writes the card of the vault in dir to a file.
func cardFile(t *testing.T, dir string) (path, fingerprint string) {
	t.Helper()
	withVault(t, dir, func(v *vault.Vault) {
		data, c, err := v.Card()
		if err != nil {
			t.Fatal(err)
		}
		path = filepath.Join(t.TempDir(), "card.txt")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fingerprint = c.Fingerprint()
	})
	return path, fingerprint
}

// teamOfTwo makes two vaults, R1 and bob, each on the other's roster.
func teamOfTwo(t *testing.T) (a, b string) {
	t.Helper()
	c, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	a, b = namedVault(t, "R1", c), namedVault(t, "bob", c)
	ca, _ := cardFile(t, a)
	cb, _ := cardFile(t, b)
	for _, x := range [][2]string{{a, cb}, {b, ca}} {
		withVault(t, x[0], func(v *vault.Vault) {
			data, _ := os.ReadFile(x[1])
			if _, err := v.AddMember(data); err != nil {
				t.Fatal(err)
			}
		})
	}
	return a, b
}

func shareableInput(pseudonym, testimony string, share bool) vault.Input {
	var in vault.Input
	in.Pseudonym, in.Testimony = pseudonym, testimony
	in.Consent = vault.Consent{Record: true, Share: share}
	return in
}

func TestTeamAddRemove(t *testing.T) {
	c, _ := crypto.NewIdentity()
	a, b := namedVault(t, "R1", c), namedVault(t, "bob", c)
	card, fingerprint := cardFile(t, b)
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, []byte("not a card"), 0o600)
	mine := filepath.Join(t.TempDir(), "my-card.txt")

	u := startUI(t, Options{Dir: a})
	u.unlock()
	u.typeText("t")
	u.waitFor("Team · 0 members", "No teammates yet")

	// A card that fails is refused.
	u.typeText("a")
	u.waitFor("Card file:")
	u.typeText(bad)
	u.key(tea.KeyEnter)
	u.waitFor("Refused")
	u.key(tea.KeyEsc)
	u.waitFor("No teammates yet")

	// Cancelled when the fingerprints differ.
	u.typeText("a")
	u.waitFor("Card file:")
	u.typeText(card)
	u.key(tea.KeyEnter)
	u.waitFor("Member:      bob", "Fingerprint: "+fingerprint, "Does it match")
	u.typeText("n")
	u.waitFor("Not added")

	u.typeText("a")
	u.waitFor("Card file:")
	u.typeText(card)
	u.key(tea.KeyEnter)
	u.waitFor("Fingerprint: " + fingerprint)
	u.typeText("y")
	u.waitFor("Added bob", fingerprint)
	u.waitFor("Team · 1 member")

	// This member's card.
	u.typeText("c")
	u.waitFor("Write my card to:")
	u.typeText(mine)
	u.key(tea.KeyEnter)
	u.waitFor("Wrote your card")

	u.typeText("d")
	u.waitFor("Remove bob from the roster?")
	u.typeText("y")
	u.waitFor("Removed bob", "No teammates yet")
	u.key(tea.KeyEsc)
	u.waitFor("/ to search")
	u.quit()

	withVault(t, a, func(v *vault.Vault) {
		if m, err := v.Team(); err != nil || len(m) != 0 {
			t.Fatalf("roster %+v, %v after the removal", m, err)
		}
		_, own, _ := v.Card()
		data, err := os.ReadFile(mine)
		if err != nil {
			t.Fatal(err)
		}
		written, err := crypto.ParseCard(data)
		if err != nil {
			t.Fatal(err)
		}
		if written.Fingerprint() != own.Fingerprint() {
			t.Fatal("the card written is not this member's")
		}
	})
}

func TestTeamExportImport(t *testing.T) {
	a, b := teamOfTwo(t)
	withVault(t, a, func(v *vault.Vault) {
		if _, err := v.Add(context.Background(), []vault.Input{shareableInput("Shared One", "may travel", true),
			shareableInput("Private One", "must stay", false)}); err != nil {
			t.Fatal(err)
		}
	})
	toBob := filepath.Join(t.TempDir(), "to-bob.tvb")
	fromBob := filepath.Join(t.TempDir(), "from-bob.tvb")
	garbage := filepath.Join(t.TempDir(), "garbage.tvb")
	os.WriteFile(garbage, []byte("age-encryption.org/v1\nnot really"), 0o600)
	withVault(t, b, func(v *vault.Vault) {
		if _, err := v.Add(context.Background(), []vault.Input{shareableInput("Bob's Interview", "from bob", true)}); err != nil {
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
	u.waitFor("2 interviews")
	u.typeText("t")
	u.waitFor("Team · 1 member", "bob")
	u.key(tea.KeySpace)
	u.waitFor("[x] bob")
	u.typeText("x")
	u.waitFor("Export a bundle for: bob", "consent forbids sharing are left out")
	u.typeText(toBob)
	u.key(tea.KeyEnter)
	u.waitFor("Wrote", "Interviews:", "Left out 1 interviews whose consent forbids sharing")
	u.key(tea.KeyEnter)

	// A bundle that is not one: refused, nothing changes.
	u.typeText("i")
	u.waitFor("Bundle file:")
	u.typeText(garbage)
	u.key(tea.KeyEnter)
	u.waitFor("Refused", "The vault is unchanged.")
	u.key(tea.KeyEnter)

	u.typeText("i")
	u.waitFor("Bundle file:")
	u.typeText(fromBob)
	u.key(tea.KeyEnter)
	u.waitFor("Signer:          bob", "New interviews:  1", "Conflicts:       0")
	u.key(tea.KeyEnter)
	u.key(tea.KeyEsc)
	u.waitFor("3 interviews", "Bob's Interview")
	u.quit()

	withVault(t, b, func(v *vault.Vault) {
		f, err := os.Open(toBob)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rep, err := v.Import(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Signer != "R1" || rep.Interviews != 1 {
			t.Fatalf("report %+v", rep)
		}
		list, err := v.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			if s.Pseudonym == "Private One" {
				t.Fatal("an unshareable interview was exported")
			}
		}
	})
	if st, err := os.Stat(toBob); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("bundle: %v %v", st, err)
	}
	// No temporary file left beside the bundle.
	if entries, err := os.ReadDir(filepath.Dir(toBob)); err != nil || len(entries) != 1 {
		t.Fatalf("%d files beside the bundle, %v", len(entries), err)
	}
}

// TestExportProgress: the export reports its progress to the screen.
func TestExportProgress(t *testing.T) {
	a, _ := teamOfTwo(t)
	var ins []vault.Input
	for range 3 {
		ins = append(ins, shareableInput("P", "x", true))
	}
	withVault(t, a, func(v *vault.Vault) {
		v.Add(context.Background(), ins)
		st := &store{v: v}
		ch := make(chan [2]int, 1)
		path := filepath.Join(t.TempDir(), "b.tvb")
		msg := exportBundle(context.Background(), st, 1, path, []string{"bob"}, ch)().(exportDoneMsg)
		if msg.err != nil || msg.rep.Interviews != 3 {
			t.Fatalf("export: %+v %v", msg.rep, msg.err)
		}
		if p := <-ch; p != [2]int{3, 3} {
			t.Fatalf("last progress %v, want [3 3]", p)
		}
		// An existing file is never replaced.
		msg = exportBundle(context.Background(), st, 2, path, []string{"bob"}, make(chan [2]int, 1))().(exportDoneMsg)
		if msg.err == nil || !strings.Contains(msg.err.Error(), "already exists") {
			t.Fatalf("export over a file: %v", msg.err)
		}
	})
}

func TestConflictSideBySide(t *testing.T) {
	a, b := teamOfTwo(t)
	var id string
	bundle := func(from *vault.Vault, to string) []byte {
		var buf bytes.Buffer
		if _, err := from.Export(context.Background(), &buf, vault.ExportOptions{To: []string{to}}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	var toB []byte
	withVault(t, a, func(v *vault.Vault) {
		ids, err := v.Add(context.Background(), []vault.Input{shareableInput("Lin Qiao", "The original testimony.", true)})
		if err != nil {
			t.Fatal(err)
		}
		id = ids[0]
		toB = bundle(v, "bob")
		e := shareableInput("Lin Qiao", "The original testimony.\nEdited by R1.", true)
		e.ID = id
		if _, err := v.Add(context.Background(), []vault.Input{e}); err != nil {
			t.Fatal(err)
		}
	})
	var toA []byte
	withVault(t, b, func(v *vault.Vault) {
		if _, err := v.Import(context.Background(), bytes.NewReader(toB)); err != nil {
			t.Fatal(err)
		}
		e := shareableInput("Lin Qiao", "The original testimony.\n警察又来了。", true)
		e.ID = id
		e.Tags = []string{"summoned"}
		if _, err := v.Add(context.Background(), []vault.Input{e}); err != nil {
			t.Fatal(err)
		}
		toA = bundle(v, "R1")
	})
	withVault(t, a, func(v *vault.Vault) {
		rep, err := v.Import(context.Background(), bytes.NewReader(toA))
		if err != nil || rep.Conflicts != 1 {
			t.Fatalf("import: %+v %v", rep, err)
		}
	})

	u := startUI(t, Options{Dir: a})
	u.unlock()
	u.waitFor("!conflict")
	u.key(tea.KeyEnter)
	u.waitFor("Conflict: 2 versions")
	u.typeText("v")
	u.waitFor("Merge · Lin Qiao")
	// v again: the versions themselves, side by side.
	u.typeText("v")
	u.waitFor("Version 1 · by", "Version 2 · by", "+ Edited by R1.", "+ 警察又来了。", "≠ Tags")
	u.key(tea.KeyEsc)
	u.waitFor("Merge · Lin Qiao")
	u.key(tea.KeyEsc)
	u.waitFor("Interview · Lin Qiao")
	// ctrl+s with nothing typed opens the merge, and saves it there.
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("Merge · Lin Qiao", "No conflicts")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("Saved")
	u.quit()

	withVault(t, a, func(v *vault.Vault) {
		got, err := v.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		last := got.Revisions[len(got.Revisions)-1]
		if got.Heads != 1 || len(last.Parents) != 2 {
			t.Fatalf("after saving: heads=%d parents=%d", got.Heads, len(last.Parents))
		}
		heads, err := v.Heads(id)
		if err != nil || len(heads) != 1 {
			t.Fatalf("Heads: %d %v", len(heads), err)
		}
		if !strings.Contains(got.Testimony, "Edited by R1.") || !strings.Contains(got.Testimony, "警察又来了。") {
			t.Fatalf("the merge lost a paragraph:\n%s", got.Testimony)
		}
	})
}

// TestTeamFileKinds: a bundle given as a card, or a card as a bundle, is
// named for what it is; a member already on the roster is said to be; a
// bundle with nothing new says so as the CLI does.
func TestTeamFileKinds(t *testing.T) {
	a, b := teamOfTwo(t)
	bobCard, _ := cardFile(t, b)
	fromBob := filepath.Join(t.TempDir(), "from-bob.tvb")
	withVault(t, b, func(v *vault.Vault) {
		if _, err := v.Add(context.Background(), []vault.Input{shareableInput("Bob's Interview", "from bob", true)}); err != nil {
			t.Fatal(err)
		}
		if _, err := v.ExportFile(context.Background(), fromBob, vault.ExportOptions{To: []string{"R1"}}); err != nil {
			t.Fatal(err)
		}
	})

	u := startUI(t, Options{Dir: a})
	u.unlock()
	u.typeText("t")
	u.waitFor("Team · 1 member", "bob")

	u.typeText("a")
	u.waitFor("Card file:")
	u.typeText(bobCard)
	u.key(tea.KeyEnter)
	u.waitFor("bob is already on the roster with this card: nothing was changed.")
	u.key(tea.KeyEsc)

	u.typeText("a")
	u.waitFor("Card file:")
	u.typeText(fromBob)
	u.key(tea.KeyEnter)
	u.waitFor("is a bundle, not a member card")
	u.key(tea.KeyEsc)

	u.typeText("i")
	u.waitFor("Bundle file:")
	u.typeText(bobCard)
	u.key(tea.KeyEnter)
	u.waitFor("is a member card, not a bundle", "The vault is unchanged.")
	u.key(tea.KeyEnter)

	u.typeText("i")
	u.waitFor("Bundle file:")
	u.typeText(fromBob)
	u.key(tea.KeyEnter)
	u.waitFor("Signer:          bob")
	u.key(tea.KeyEnter)
	u.typeText("i")
	u.waitFor("Bundle file:")
	u.typeText(fromBob)
	u.key(tea.KeyEnter)
	u.waitFor("Nothing new from bob")
	u.key(tea.KeyEnter)
	u.quit()
}
