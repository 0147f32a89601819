package tui

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/synth"
	"github.com/tvault/tvault/vault"
)

// Benchmarks of one keypress, Update and View together, which is what a
// person waits for. The target is under 16 ms (a frame at 60 Hz). Run with
// a small -benchtime on a small machine:
//
//	go test ./tui -run '^$' -bench . -benchtime 200x

var benchListDir string

// benchList returns a vault of 10,000 interviews, made once per run of the
// test binary. The identities are left out: sealing 10,000 of them costs
// minutes and the list never shows them.
func benchList(b *testing.B) string {
	if benchListDir != "" {
		return benchListDir
	}
	tmp, err := os.MkdirTemp("", "tvault-tui-bench-")
	if err != nil {
		b.Fatal(err)
	}
	benchCleanup = append(benchCleanup, tmp)
	c, _ := crypto.NewIdentity()
	dir := filepath.Join(tmp, "vault")
	v, err := vault.Create(dir, vault.CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte(testPassphrase)})
	if err != nil {
		b.Fatal(err)
	}
	ins := synth.Interviews(1, 10000, 1000)
	for i := range ins {
		ins[i].Identity = nil
		ins[i].Testimony = vault.RenderPublic(ins[i].Testimony)
	}
	if _, err := v.Add(context.Background(), ins); err != nil {
		b.Fatal(err)
	}
	v.Close()
	benchListDir = dir
	return dir
}

// benchCleanup are folders TestMain removes after the run.
var benchCleanup []string

// openModel returns a model unlocked on dir, showing the list, w×h.
func openModel(b *testing.B, dir string, w, h int) *Model {
	m, err := New(Options{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(m.Close)
	m.hold.Release()
	m.hold = nil
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte(testPassphrase)))
	if err != nil {
		b.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	_, cmd := m.Update(unlockedMsg{v: v})
	m.Update(cmd())
	return m
}

func BenchmarkListKeypress(b *testing.B) {
	dir := benchList(b)
	m := openModel(b, dir, 120, 40)
	if n := len(m.list.all); n != 10000 {
		b.Fatalf("%d rows, want 10000", n)
	}
	b.Run("down", func(b *testing.B) {
		down := tea.KeyMsg{Type: tea.KeyDown}
		for b.Loop() {
			m.Update(down)
			_ = m.View()
		}
	})
	b.Run("filter", func(b *testing.B) {
		// Typing into the filter: pseudonym filter over every row, in the
		// UI loop (the full-text search runs in a command).
		m.Update(runes("/"))
		keys := []tea.KeyMsg{runes("a"), {Type: tea.KeyBackspace}}
		n := 0
		for b.Loop() {
			m.Update(keys[n%2])
			_ = m.View()
			n++
		}
		m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	})
}

// BenchmarkEditorKeypress types into, and moves through, 150 KB of
// testimony: 100 KB of Chinese and 50 KB of English.
func BenchmarkEditorKeypress(b *testing.B) {
	in := synth.Interview(1, 1, 100_000) // Chinese
	en := synth.Interview(1, 2, 50_000)
	in.Testimony += "\n" + en.Testimony
	in.Identity = nil
	dir, _ := mustVault(b, in)
	m := openModel(b, dir, 120, 40)
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	m.Update(cmd())
	m.Update(runes("e"))
	if m.iv() == nil || m.iv().pane != paneEditor {
		b.Fatal("not in the editor")
	}
	// The cursor in the middle of the text.
	m.iv().editor.cur = m.iv().editor.Len() / 2
	b.Run("type", func(b *testing.B) {
		for b.Loop() {
			m.Update(runes("字"))
			_ = m.View()
		}
	})
	b.Run("down", func(b *testing.B) {
		for b.Loop() {
			m.Update(tea.KeyMsg{Type: tea.KeyDown})
			_ = m.View()
		}
	})
	b.Run("check", func(b *testing.B) {
		// The re-identification check after a pause in typing: the part in
		// the UI loop (flagNow) and the command, which runs off it.
		iv := m.iv()
		for b.Loop() {
			if cmd := iv.flagNow(iv.editSeq); cmd != nil {
				iv.flagged(cmd().(flagsMsg))
			}
		}
	})
}
