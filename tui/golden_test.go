package tui

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// updateGolden reports whether -update was given: the flag is teatest's
// (its golden package defines it), and rewrites these golden files too.
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// goldenInputs are the interviews the golden screens show.
func goldenInputs() []vault.Input {
	var out []vault.Input
	add := func(p, date, testimony string, tags []string, rel []vault.Relative) {
		var in vault.Input
		in.Pseudonym, in.InterviewedOn, in.Testimony, in.Tags, in.Relatives = p, date, testimony, tags, rel
		in.Location, in.Mode, in.Language, in.Interviewer = "Vancouver, Canada", "phone", "zh", "R1"
		in.Consent = vault.Consent{Record: true, Quote: true}
		out = append(out, in)
	}
	add("Lin Qiao", "2018-04-02", "Officers came to {{Jiangxi|the home province}} twice a week.\nThey asked my mother when I would come back. Zhou said nothing.",
		[]string{"exit-ban", "asset-freeze"}, []vault.Relative{{Relation: "sister", Harms: []string{"summoned", "exit-ban"}}})
	add("小河", "2019-11-20", "警察每周来两次，问我什么时候回国。我妹妹的护照被没收了。", []string{"summoned", "passport-confiscated"},
		[]vault.Relative{{Relation: "妹妹", Harms: []string{"passport-confiscated"}}, {Relation: "father", Harms: []string{"summoned"}}})
	add("Teacher K", "2020-06-15", "My employer received a letter.", []string{"job-loss"}, nil)
	return out
}

// driver drives a model synchronously: Update, and the commands that load
// data, without a program.
type driver struct {
	t *testing.T
	m *Model
}

func (s *driver) send(msg tea.Msg) tea.Cmd {
	_, cmd := s.m.Update(msg)
	return cmd
}

func (s *driver) key(k tea.KeyMsg) tea.Cmd { return s.send(k) }

// run runs cmd and sends the model what it returns; of a batch, what each
// of its commands returns.
func (s *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if c != nil {
				s.send(c())
			}
		}
		return
	}
	s.send(msg)
}

func runes(r string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(r)} }

// golden compares the screen with testdata/NAME-WxH.golden.
func (s *driver) golden(name string) {
	s.t.Helper()
	got := s.m.View()
	path := filepath.Join(goldenDir, name+"-"+sizeName(s.m.width, s.m.height)+".golden")
	if updateGolden() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			s.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		s.t.Fatalf("%v (run go test ./tui -run Golden -update)", err)
	}
	if got != string(want) {
		s.t.Errorf("%s differs from %s (rerun with -update if the change is meant):\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
	if n := strings.Count(got, "\n") + 1; n > s.m.height {
		s.t.Errorf("%s: %d lines on a screen of %d", name, n, s.m.height)
	}
	// A fingerprint is read aloud group by group: it may wrap between
	// groups, never be cut.
	flat := strings.Join(strings.Fields(got), "")
	for _, fp := range goldenFingerprints {
		if first := fp[:4]; strings.Contains(got, first) && !strings.Contains(flat, strings.ReplaceAll(fp, " ", "")) {
			s.t.Errorf("%s: fingerprint %s is cut", name, fp)
		}
	}
	for n, line := range strings.Split(got, "\n") {
		if lw := lipgloss.Width(line); lw > s.m.width {
			s.t.Errorf("%s: line %d is %d cells wide on a screen of %d", name, n+1, lw, s.m.width)
		}
	}
}

var goldenDir string

// goldenFingerprints are the fingerprints the golden screens show.
var goldenFingerprints = []string{
	"ABB0 4710 9039 DD4D B41A 7572 95F4 65BA", // the golden vault's custodian
	"0A1B 2C3D 4E5F 6071 8293 A4B5 C6D7 E8F9",
	"1111 2222 3333 4444 5555 6666 7777 8888",
	"9999 AAAA BBBB CCCC DDDD EEEE FFFF 0000",
}

func sizeName(w, h int) string { return fmt.Sprintf("%dx%d", w, h) }

func TestGolden(t *testing.T) {
	wd, _ := os.Getwd()
	goldenDir = filepath.Join(wd, "testdata")
	if err := os.MkdirAll(goldenDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(sizeName(size[0], size[1]), func(t *testing.T) {
			// A relative folder, so that screens naming it do not depend on
			// where the test runs.
			t.Chdir(t.TempDir())
			t.Setenv("USER", "member")
			goldenScreens(t, size[0], size[1])
		})
	}
}

func goldenScreens(t *testing.T, w, h int) {
	clock := newFakeClock()

	// First run.
	setup, err := New(Options{Dir: "vault", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	s := &driver{t: t, m: setup}
	s.send(tea.WindowSizeMsg{Width: w, Height: h})
	s.golden("setup")

	// A vault with three interviews, locked.
	// Its custodian is a fixed key, so that its fingerprint is the same in
	// every run.
	// (The test vector of crypto/testdata/identities/hybrid.txt.)
	c, err := crypto.ParseIdentity([]byte("AGE-SECRET-KEY-PQ-17MYT3AJCX6636PE9S8CN8MHR93SQHKRD2LPLS6PC0XJPN8N7CFZQ9ZANAL\n"))
	if err != nil {
		t.Fatal(err)
	}
	src, _ := mustVaultFor(t, c, goldenInputs()...)
	if err := os.Rename(src, "vault"); err != nil {
		t.Fatal(err)
	}
	m, err := New(Options{Dir: "vault", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s = &driver{t: t, m: m}
	s.send(tea.WindowSizeMsg{Width: w, Height: h})
	s.golden("unlock")

	m.hold.Release()
	m.hold = nil
	v, err := vault.Open(context.Background(), "vault", vault.OpenOptions{}, vault.PassphraseIdentity([]byte(testPassphrase)))
	if err != nil {
		t.Fatal(err)
	}
	v.Now = clock.Now
	s.send(s.send(unlockedMsg{v: v})())
	s.golden("list")

	// A long message wraps above the help bar; the list is drawn in the
	// lines left.
	s.send(ErrorMsg{errors.New("Warning: 2 failed unlocks since the last one (2026-03-01 09:30, 2026-03-01 09:31); a torn save at the end of the journal was dropped: the interviews saved before it are whole")})
	s.golden("message")
	s.key(tea.KeyMsg{Type: tea.KeyDown})
	s.key(tea.KeyMsg{Type: tea.KeyUp})

	s.key(runes("/"))
	s.key(runes("lin"))
	s.golden("search")
	s.key(tea.KeyMsg{Type: tea.KeyEsc})

	// Where the testimony matches, under the selected row; and a filter.
	s.key(runes("/"))
	s.key(runes("asked tag:exit-ban from:2018"))
	s.send(s.send(searchDelayMsg{seq: m.list.seq})())
	s.golden("search-where")
	s.key(tea.KeyMsg{Type: tea.KeyEsc})

	s.send(s.key(runes("s"))())
	s.golden("stats")
	s.key(tea.KeyMsg{Type: tea.KeyEsc})

	s.key(runes("?"))
	s.golden("help")
	s.key(runes("?"))

	goldenTeam(s)

	s.send(s.key(tea.KeyMsg{Type: tea.KeyEnter})())
	s.golden("interview")
	s.key(runes("?"))
	s.golden("help-interview")
	s.key(runes("?"))

	goldenReveal(s)
	// Purge: nothing happens until the pseudonym (or purge) is typed.
	s.key(runes("P"))
	s.key(runes("Lin"))
	s.key(tea.KeyMsg{Type: tea.KeyEnter})
	s.golden("purge")
	s.key(tea.KeyMsg{Type: tea.KeyEsc})
	goldenConflict(s)

	s.key(runes("e"))
	s.golden("editor")

	s.key(tea.KeyMsg{Type: tea.KeyCtrlK})
	s.golden("span")
	s.key(tea.KeyMsg{Type: tea.KeyEsc})
	s.key(tea.KeyMsg{Type: tea.KeyEsc})

	s.key(runes("m"))
	s.golden("form")
	s.key(tea.KeyMsg{Type: tea.KeyEsc})

	s.key(runes("i"))
	s.golden("identity")
	s.key(tea.KeyMsg{Type: tea.KeyEsc})

	m.iv().ident.name = "Zhou"
	s.key(tea.KeyMsg{Type: tea.KeyCtrlS})
	s.golden("reid")
	s.key(tea.KeyMsg{Type: tea.KeyEsc})

	s.key(tea.KeyMsg{Type: tea.KeyCtrlL})
	s.golden("locked")

	// Too small: said, not drawn in pieces.
	if w != 80 {
		return
	}
	s.send(tea.WindowSizeMsg{Width: MinWidth - 1, Height: h})
	s.golden("too-small")
	s.send(tea.WindowSizeMsg{Width: w, Height: MinHeight - 1})
	s.golden("too-small")
	s.send(tea.WindowSizeMsg{Width: w, Height: h})
}

// TestResize: every screen fits the terminal, whatever its size, after a
// resize.
func TestResize(t *testing.T) {
	dir, _ := mustVault(t, goldenInputs()...)
	m, err := New(Options{Dir: dir, Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s := &driver{t: t, m: m}
	m.hold.Release()
	m.hold = nil
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte(testPassphrase)))
	if err != nil {
		t.Fatal(err)
	}
	s.send(s.send(unlockedMsg{v: v})())
	fits := func(what string) {
		t.Helper()
		view := m.View()
		lines := strings.Split(view, "\n")
		if len(lines) > m.height {
			t.Errorf("%s at %dx%d: %d lines", what, m.width, m.height, len(lines))
		}
		for n, l := range lines {
			if w := lipgloss.Width(l); w > m.width {
				t.Errorf("%s at %dx%d: line %d is %d cells", what, m.width, m.height, n+1, w)
			}
		}
		small := m.width < MinWidth || m.height < MinHeight
		if says := strings.Contains(strings.Join(strings.Fields(view), " "), "The terminal is too small"); says != small {
			t.Errorf("%s at %dx%d: says too small: %v\n%s", what, m.width, m.height, says, view)
		}
	}
	for _, size := range [][2]int{{120, 40}, {80, 24}, {50, 16}, {200, 60}, {81, 25}, {MinWidth, MinHeight}, {MinWidth - 1, 30}, {100, MinHeight - 1}, {20, 3}} {
		s.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		fits("list")
		s.send(s.key(tea.KeyMsg{Type: tea.KeyEnter})())
		fits("interview")
		s.key(runes("e"))
		fits("editor")
		s.key(tea.KeyMsg{Type: tea.KeyEsc})
		s.key(runes("m"))
		fits("form")
		s.key(tea.KeyMsg{Type: tea.KeyEsc})
		s.key(tea.KeyMsg{Type: tea.KeyEsc})
		s.send(s.key(runes("s"))())
		fits("stats")
		s.key(tea.KeyMsg{Type: tea.KeyEsc})
		s.run(s.key(runes("r")))
		if m.state != stateRead || !m.screens[stateRead].(*readerScreen).loaded {
			t.Fatalf("at %dx%d: r did not open the reading view", size[0], size[1])
		}
		fits("reader")
		s.key(runes("v"))
		fits("selection")
		s.key(runes("q"))
		fits("quote")
		for range 3 {
			s.key(tea.KeyMsg{Type: tea.KeyEsc}) // the dialog, the selection, the reader
		}
		s.key(runes("p"))
		fits("publish")
		s.key(tea.KeyMsg{Type: tea.KeyEsc})
		if m.state != stateList {
			t.Fatalf("at %dx%d: esc did not return to the list", size[0], size[1])
		}
	}
}

// goldenTeam draws the team screen with a fixed roster: real cards hold
// random keys, and so fingerprints that would change at every run.
func goldenTeam(s *driver) {
	m := s.m
	s.key(runes("t"))
	// A long name (a member name is up to 64 characters) pushes the
	// fingerprint past 80 columns: it wraps.
	s.send(rosterMsg{myName: "R1, interviewer for the Vancouver office", myPrint: "0A1B 2C3D 4E5F 6071 8293 A4B5 C6D7 E8F9",
		members: []vault.Member{
			{Name: "bob", Fingerprint: "1111 2222 3333 4444 5555 6666 7777 8888", AddedAt: "2026-02-27T10:00:00Z"},
			{Name: "陈静", Fingerprint: "9999 AAAA BBBB CCCC DDDD EEEE FFFF 0000", AddedAt: "2026-02-28T11:00:00Z"},
		}})
	s.key(tea.KeyMsg{Type: tea.KeySpace})
	s.golden("team")
	s.key(runes("?"))
	s.golden("help-team")
	s.key(runes("?"))

	s.key(runes("a"))
	m.team().seq++
	s.send(cardParsedMsg{seq: m.team().seq, data: []byte("card"), card: &crypto.Card{Name: "carol",
		Recipient: "age1pq1example", SigningKey: make([]byte, 32)}})
	s.golden("team-add")
	s.key(runes("n"))

	s.key(runes("x"))
	s.key(runes("bundle.tvb"))
	s.golden("export-path")
	// The export's choices: by tag or ID, and the unshareable only after a
	// typed confirmation.
	s.key(tea.KeyMsg{Type: tea.KeyTab})
	s.key(runes("exit-ban 3f2a9c0e"))
	s.key(tea.KeyMsg{Type: tea.KeyTab})
	s.key(tea.KeyMsg{Type: tea.KeySpace})
	s.key(tea.KeyMsg{Type: tea.KeyTab})
	s.key(tea.KeyMsg{Type: tea.KeySpace})
	s.golden("export-choices")
	m.team().step = teamExporting
	m.team().done, m.team().total = 1, 3
	s.golden("export")
	m.team().seq++
	s.send(importDoneMsg{seq: m.team().seq, path: "from-bob.tvb", rep: &vault.ImportReport{Signer: "bob",
		Fingerprint: "1111 2222 3333 4444 5555 6666 7777 8888", Revisions: 4, NewRevisions: 3, Interviews: 1, Purged: 1, Conflicts: 1}})
	s.golden("import")
	s.key(tea.KeyMsg{Type: tea.KeyEnter})
	s.key(tea.KeyMsg{Type: tea.KeyEsc})
}

// goldenReveal draws the reveal's questions, then a revealed identity
// (a fixed one: no custodian key file is opened here).
func goldenReveal(s *driver) {
	m := s.m
	s.key(runes("R"))
	s.key(runes("custodian.age"))
	s.golden("reveal")
	m.reveal().step = revealOpening
	s.send(revealedMsg{seq: m.reveal().seq, r: &vault.Revealed{Pseudonym: "Lin Qiao",
		Identity: &vault.Identity{Name: "Synthetic Name", Aliases: []string{"合成"}, Contact: "+1 555 0100",
			Relatives: []vault.RelativeByName{{Relation: "sister", Name: "Synthetic Sister"}}},
		Spans: []vault.RevealedSpan{{N: 1, Description: "the home province", Secret: "Jiangxi"}}}})
	s.golden("revealed")
	// Every interview revealed: one person under two pseudonyms.
	m.reveal().step = revealOpening
	s.send(revealAllMsg{seq: m.reveal().seq, all: []*vault.Revealed{
		{ID: "3f2a9c0e5b7d1a24", Pseudonym: "Lin Qiao", Identity: &vault.Identity{Name: "Synthetic Name", Contact: "+1 555 0100"}},
		{ID: "9b1c77d02e4f6a13", Pseudonym: "春", Identity: &vault.Identity{Name: "NAME SYNTHETIC", Aliases: []string{"合成"}}},
		{ID: "c0ffee0123456789", Pseudonym: "River", Identity: &vault.Identity{Name: "Another Person"}},
	}})
	s.golden("reveal-session")
	s.key(tea.KeyMsg{Type: tea.KeyEsc})
}

// goldenConflict draws two versions side by side.
func goldenConflict(s *driver) {
	m := s.m
	m.iv().heads = 2
	s.golden("interview-conflict")
	s.key(runes("v"))
	a, b := vault.View{Heads: 2}, vault.View{Heads: 2}
	a.Pseudonym, b.Pseudonym = "Lin Qiao", "Lin Qiao"
	a.InterviewedOn, b.InterviewedOn = "2018-04-02", "2018-04-03"
	a.Tags, b.Tags = []string{"exit-ban"}, []string{"exit-ban", "asset-freeze"}
	a.Testimony = "Officers came to [the home province] twice a week.\nThey asked my mother when I would come back."
	b.Testimony = "Officers came to [the home province] twice a week.\n警察问我妈妈我什么时候回国。\nZhou said nothing."
	a.Revisions = []vault.RevisionInfo{{Author: "R1", CreatedAt: "2026-03-01T09:30:00Z"}}
	b.Revisions = []vault.RevisionInfo{{Author: "bob", CreatedAt: "2026-02-28T18:05:00Z"}}
	s.send(headsMsg{id: m.cmp().id, heads: []vault.View{a, b}})
	s.golden("conflict")
	s.key(tea.KeyMsg{Type: tea.KeyEsc})
	m.iv().heads = 1
}
