package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/tvault/tvault/vault"
)

// conflictTeam makes an interview that R1 and bob each edited after an
// exchange: R1 added a paragraph, bob added another and a tag. R1's vault
// (a) has both versions. edit, if set, changes each version further.
func conflictTeam(t *testing.T, edit func(who string, in *vault.Input)) (a, id string) {
	t.Helper()
	a, b := teamOfTwo(t)
	clock := newFakeClock()
	bundle := func(from *vault.Vault, to string) []byte {
		var buf bytes.Buffer
		if _, err := from.Export(context.Background(), &buf, vault.ExportOptions{To: []string{to}}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	save := func(v *vault.Vault, in vault.Input) string {
		t.Helper()
		clock.Advance(time.Hour)
		v.Now = clock.Now
		ids, err := v.Add(context.Background(), []vault.Input{in})
		if err != nil {
			t.Fatal(err)
		}
		return ids[0]
	}
	var toB, toA []byte
	first := shareableInput("Lin Qiao", "Officers came to {{Jiangxi|the home province}} twice a week.\nThey asked my mother when I would come back.", true)
	first.Tags = []string{"exit-ban"}
	withVault(t, a, func(v *vault.Vault) {
		id = save(v, first)
		toB = bundle(v, "bob")
	})
	withVault(t, b, func(v *vault.Vault) {
		if _, err := v.Import(context.Background(), bytes.NewReader(toB)); err != nil {
			t.Fatal(err)
		}
		e := first
		e.ID = id
		e.Testimony = "Officers came to {{#1|the home province}} twice a week.\nThey asked my mother when I would come back.\n警察又来了，问我妹妹的事。"
		e.Tags = []string{"exit-ban", "summoned"}
		if edit != nil {
			edit("bob", &e)
		}
		save(v, e)
		toA = bundle(v, "R1")
	})
	withVault(t, a, func(v *vault.Vault) {
		e := first
		e.ID = id
		e.Testimony = "Officers came to {{#1|the home province}} twice a week.\nThey asked my mother when I would come back.\nEdited by R1: the officers wore plain clothes."
		if edit != nil {
			edit("R1", &e)
		}
		save(v, e)
		if rep, err := v.Import(context.Background(), bytes.NewReader(toA)); err != nil || rep.Conflicts != 1 {
			t.Fatalf("import: %+v %v", rep, err)
		}
	})
	return a, id
}

// TestConflictMergeKeepsBoth: in the conflict view, ctrl+s with no typing
// saves a merge that keeps both versions' added paragraphs and bob's tag.
// Before the three-way merge, the view had no merge to save, and saving
// the interview kept the newest version alone: bob's paragraph was lost.
func TestConflictMergeKeepsBoth(t *testing.T) {
	a, id := conflictTeam(t, nil)
	// At 80×24, the smallest screen every view must work on.
	m, err := New(Options{Dir: a, Now: newFakeClock().Now, AutosaveDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	u := &ui{t: t, m: m, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))}
	u.unlock()
	u.waitFor("!conflict")
	u.key(tea.KeyEnter)
	u.waitFor("Conflict: 2 versions")
	u.typeText("v")
	u.waitFor("Merge · Lin Qiao", "No conflicts: ctrl+s saves the merge.")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("Saved")
	// The interview after the merge, both paragraphs in it.
	screen := u.finalScreen()
	goldenFile(t, "merge-saved-80x24", screen)
	for _, want := range []string{"Edited by R1: the officers wore plain", "警察又来了，问我妹妹的事。"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the saved interview does not show %q", want)
		}
	}

	withVault(t, a, func(v *vault.Vault) {
		got, err := v.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		last := got.Revisions[len(got.Revisions)-1]
		if got.Heads != 1 || len(last.Parents) != 2 {
			t.Fatalf("after saving: heads=%d parents=%d", got.Heads, len(last.Parents))
		}
		for _, want := range []string{"Edited by R1: the officers wore plain clothes.", "警察又来了，问我妹妹的事。", "[the home province]"} {
			if !strings.Contains(got.Testimony, want) {
				t.Errorf("merged testimony lost %q:\n%s", want, got.Testimony)
			}
		}
		if strings.Join(got.Tags, ",") != "exit-ban,summoned" {
			t.Errorf("tags %v: bob's tag lost", got.Tags)
		}
	})
}

// goldenFile compares got with testdata/NAME.golden (-update rewrites it);
// NAME may be a path of its own.
func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	path := name + ".golden"
	if !filepath.IsAbs(name) {
		path = filepath.Join("testdata", path)
	}
	if updateGolden() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (rerun with -update if the change is meant):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestConflictMergeGolden draws the merge at 80×24: without conflicts, and
// with one to pick from side by side.
func TestConflictMergeGolden(t *testing.T) {
	if goldenDir == "" {
		wd, _ := os.Getwd()
		goldenDir = filepath.Join(wd, "testdata")
	}
	open := func(t *testing.T, dir string) *driver {
		clock := newFakeClock()
		clock.Advance(10 * time.Hour) // after the versions were saved
		m, err := New(Options{Dir: dir, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Close)
		s := &driver{t: t, m: m}
		s.send(tea.WindowSizeMsg{Width: 80, Height: 24})
		m.hold.Release()
		m.hold = nil
		v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte(testPassphrase)))
		if err != nil {
			t.Fatal(err)
		}
		v.Now = clock.Now
		s.send(s.send(unlockedMsg{v: v})())
		s.send(s.key(tea.KeyMsg{Type: tea.KeyEnter})())
		s.send(s.key(runes("v"))())
		return s
	}
	t.Run("Clean", func(t *testing.T) {
		a, _ := conflictTeam(t, nil)
		s := open(t, a)
		s.golden("merge")
		for _, c := range []tea.Cmd{s.key(tea.KeyMsg{Type: tea.KeyCtrlS})} {
			s.send(c())
		}
		if s.m.state != stateInterview || !strings.Contains(s.m.View(), "Saved") {
			t.Fatalf("after ctrl+s:\n%s", s.m.View())
		}
		// The history: three revisions and the merge, each against its
		// parent, spans as [description].
		s.send(s.key(runes("h"))())
		s.golden("history")
		if v := s.m.View(); strings.Contains(v, "Jiangxi") || !strings.Contains(v, "merge of 2 versions") {
			t.Fatalf("history:\n%s", v)
		}
		s.key(runes("g"))
		s.golden("history-top")
		s.key(tea.KeyMsg{Type: tea.KeyEsc})
		if s.m.state != stateInterview {
			t.Fatal("esc did not return to the interview")
		}
	})
	t.Run("OneSidedEdit", func(t *testing.T) {
		a, _ := conflictTeam(t, func(who string, in *vault.Input) {
			if who == "bob" {
				in.Testimony = strings.Replace(in.Testimony, "They asked my mother", "They asked my mother and my sister", 1)
			}
		})
		s := open(t, a)
		// R1 did not change that paragraph: bob's change is taken.
		s.golden("merge-onesided")
	})
	t.Run("Conflict", func(t *testing.T) {
		a, id := conflictTeam(t, func(who string, in *vault.Input) {
			in.Location = map[string]string{"bob": "Toronto, Canada", "R1": "Vancouver, Canada"}[who]
			in.Testimony = strings.Replace(in.Testimony, "They asked my mother", map[string]string{
				"bob": "They asked my mother and my sister", "R1": "他们问我母亲"}[who], 1)
		})
		s := open(t, a)
		s.golden("merge-conflicts")
		s.key(runes("2")) // Where: bob's
		s.key(runes("b")) // the paragraph: both
		s.golden("merge-settled")
		s.send(s.key(tea.KeyMsg{Type: tea.KeyCtrlS})())
		if s.m.state != stateInterview {
			t.Fatalf("after ctrl+s:\n%s", s.m.View())
		}
		s.m.Close()
		withVault(t, a, func(v *vault.Vault) {
			got, err := v.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Heads != 1 || got.Location != "Toronto, Canada" || !strings.Contains(got.Testimony, "他们问我母亲") || !strings.Contains(got.Testimony, "my mother and my sister") {
				t.Fatalf("merged: heads %d, location %q, testimony:\n%s", got.Heads, got.Location, got.Testimony)
			}
		})
	})
}
