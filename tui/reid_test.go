package tui

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// TestFlagsWhileTyping: the editor counts the check's hits in the status
// line as the interviewer types (the vault's sensitive terms and place
// names included), without a dialog; the save's dialog lists them, and p
// turns them into spans.
func TestFlagsWhileTyping(t *testing.T) {
	dir, _ := mustVault(t)
	v := mustOpen(t, dir)
	if err := v.AddTerms("红星煤矿"); err != nil {
		t.Fatal(err)
	}
	v.Close()

	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.newInterview("小河")
	u.toEditor()
	u.typeText("我在红星煤矿工作。")
	u.waitFor("⚠ 1 identifying (ctrl+s reviews)")
	u.typeText("老家在黄陂区。")
	u.waitFor("⚠ 1 identifying, 1 place name (ctrl+s reviews)")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("could identify the interviewee", "红星煤矿 (a sensitive term)", "黄陂区 (a place)")
	u.typeText("p")
	u.waitFor("Saved")
	u.quit()

	v = mustOpen(t, dir)
	list, err := v.List(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("list=%+v, %v", list, err)
	}
	got, err := v.Get(list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "我在[a sensitive term]工作。老家在[a place]。"; got.Testimony != want {
		t.Fatalf("testimony=%q, want %q", got.Testimony, want)
	}
}

// TestFlagsClean: a testimony with nothing to flag shows no marker, and the
// save asks nothing.
func TestFlagsClean(t *testing.T) {
	dir, _ := mustVault(t)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.newInterview("Pseudo")
	u.toEditor()
	u.typeText("警察每周来两次。")
	u.waitFor("警察每周来两次")
	time.Sleep(2 * flagDelay) // the check after the pause
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("Saved")
	io.Copy(&u.out, u.tm.Output())
	if bytes.Contains(u.out.Bytes(), []byte("⚠")) {
		t.Fatal("a marker on a clean testimony")
	}
	u.quit()
}
