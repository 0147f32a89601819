package tui

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/tvault/tvault/vault"
)

// The publish screen (publish.go): the disclosure review always comes
// before anything is written; y writes the pack through package pack.

// Canaries in every sealed field of the publish tests' interviews: no file
// of a pack may hold one.
var publishCanaries = []string{"CANARY-SPAN-9931", "CANARY-NAME-5520", "CANARY-CONTACT-1187"}

// publishVault makes a vault of three interviews, with quotes: one
// publishable, one whose quote consent is refused, one whose record
// consent is refused.
func publishVault(t *testing.T) string {
	t.Helper()
	mk := func(p, date, where string, c vault.Consent, testimony string) vault.Input {
		var in vault.Input
		in.Pseudonym, in.InterviewedOn, in.Location, in.Mode = p, date, where, "phone"
		in.Consent, in.Testimony, in.AnonymityRequested = c, testimony, true
		in.Tags = []string{"exit-ban"}
		in.Relatives = []vault.Relative{{Relation: "sister", Harms: []string{"detained"}}}
		in.Identity = &vault.Identity{Name: publishCanaries[1], Contact: publishCanaries[2]}
		return in
	}
	dir, _ := mustVault(t,
		mk("Lin Qiao", "2018-04-02", "Vancouver, Canada", vault.Consent{Record: true, Quote: true},
			"My family lives in {{"+publishCanaries[0]+"|the home province}}. They asked my mother when I would come back."),
		mk("River", "2019-11-20", "Toronto, Canada", vault.Consent{Record: true},
			"The officers came to the school where my brother teaches."),
		mk("Stone", "2020-06-15", "Paris, France", vault.Consent{},
			"My employer received a letter about me."),
	)
	withVault(t, dir, func(v *vault.Vault) {
		ctx := context.Background()
		list, err := v.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		texts := map[string]string{
			"Lin Qiao": "My family lives in [the home province]. They asked my mother",
			"River":    "the school where my brother teaches",
			"Stone":    "My employer received a letter",
		}
		for _, s := range list {
			if _, err := v.AddQuote(ctx, s.ID, texts[s.Pseudonym], "", nil); err != nil {
				t.Fatal(err)
			}
		}
	})
	return dir
}

// testdata is the folder of golden files, found before a test moves to a
// folder of its own.
var testdata string

// publishToReview opens the publish screen, checks the folder at its
// field, and asks for the review of a pack to ./pack.
func publishToReview(t *testing.T) *ui {
	t.Helper()
	dir := publishVault(t)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	testdata = filepath.Join(wd, "testdata")
	// Paths on screen are relative, the same in every run.
	t.Chdir(t.TempDir())
	if err := os.Mkdir("exists", 0o700); err != nil {
		t.Fatal(err)
	}
	m, err := New(Options{Dir: dir, Now: newFakeClock().Now, AutosaveDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	u := &ui{t: t, m: m, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))}
	u.unlock()
	u.typeText("p")
	u.waitFor("Publish a report pack", "‹country›", "‹month›")
	for range 4 {
		u.key(tea.KeyTab)
	}
	// The folder is checked at its field: it must be new.
	u.typeText("exists")
	u.key(tea.KeyEnter)
	u.waitFor("exists already exists: the pack goes into a new folder")
	for range len("exists") {
		u.key(tea.KeyBackspace)
	}
	u.typeText("pack")
	u.key(tea.KeyEnter)
	u.waitFor("Disclosure review · nothing is written yet", "y writes the pack to pack")
	return u
}

// TestPublishReviewFirst: the disclosure review shows before any file of
// the pack exists.
func TestPublishReviewFirst(t *testing.T) {
	u := publishToReview(t)
	screen := u.finalScreen()
	goldenFile(t, filepath.Join(testdata, "publish-review-80x24"), screen)
	for _, want := range []string{"Lin Qiao: 1 quote", "discloses place: Canada", "discloses date: April 2018",
		"Left out of River: 1 quote (quote consent refused)", "Left out of Stone: the whole interview (record consent refused)"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the review does not say %q:\n%s", want, screen)
		}
	}
	if _, err := os.Lstat("pack"); err == nil {
		t.Fatal("the pack's folder exists before the review was confirmed")
	}
	if entries, _ := os.ReadDir("."); len(entries) != 1 {
		t.Fatalf("the folder holds %d entries before confirming, want only exists/", len(entries))
	}
}

// TestPublishWrites: y writes the pack; the screen says what was written
// and what was left out and why; no file of the pack holds a canary of a
// sealed field.
func TestPublishWrites(t *testing.T) {
	u := publishToReview(t)
	u.typeText("y")
	u.waitFor("Pack written · pack", "pack.md")
	screen := u.finalScreen()
	goldenFile(t, filepath.Join(testdata, "publish-done-80x24"), screen)
	for _, want := range []string{"Wrote pack: 2 interviews, 1 quote", "River: 1 quote (quote consent refused)", "quotes.csv"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the report does not say %q:\n%s", want, screen)
		}
	}
	md, err := os.ReadFile(filepath.Join("pack", "pack.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "My family lives in \\[the home province\\]") {
		t.Errorf("pack.md does not hold the quote, span as [description]:\n%s", md)
	}
	err = filepath.WalkDir("pack", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, c := range publishCanaries {
			if bytes.Contains(data, []byte(c)) {
				t.Errorf("%s holds the canary %s", path, c)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCheckPackDir: ~ is the home folder; the folder must be new, in a
// folder that exists.
func TestCheckPackDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.Mkdir(filepath.Join(home, "old"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{"~/new-pack", ""},
		{"~/old", "already exists: the pack goes into a new folder"},
		{"~/no/such/pack", "There is no folder"},
		{"  ", "Type the folder"},
	} {
		got := checkPackDir(c.path)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("checkPackDir(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}

// TestPublishSmallScreen: at 60×15, the smallest size the TUI draws, the
// choices, the folder's error and the line that says nothing is written yet
// all show.
func TestPublishSmallScreen(t *testing.T) {
	dir := publishVault(t)
	m, err := New(Options{Dir: dir, Now: newFakeClock().Now, AutosaveDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	u := &ui{t: t, m: m, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(60, 15))}
	u.unlock()
	u.typeText("p")
	u.waitFor("Publish a report pack", "‹country›")
	// With the folder's error under its field too.
	for range 4 {
		u.key(tea.KeyTab)
	}
	u.typeText("/nonexistent-parent/pack")
	u.key(tea.KeyEnter)
	u.waitFor("There is no folder")
	screen := u.finalScreen()
	for _, want := range []string{"Publish a report pack", "Places:", "Dates:", "There is no folder", "nothing is"} {
		if !strings.Contains(screen, want) {
			t.Errorf("at 60×15 the publish screen does not show %q:\n%s", want, screen)
		}
	}
}
