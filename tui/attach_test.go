package tui

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/internal/media/mediatest"
	"github.com/tvault/tvault/vault"
)

// TestAttachFile attaches a photo from the interview screen: the path
// expands ~ and is checked at the field, the file streams into the vault,
// the screen lists it and warns of the metadata it carries, and the file
// name is sealed to the custodian.
func TestAttachFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.WriteFile(filepath.Join(home, "photo-Zhou.jpg"), mediatest.JPEGWithEXIF(), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, c := mustVault(t, vault.Input{Interview: vault.Interview{Pseudonym: "Pseudo", Testimony: "They searched the house."}})
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.key(tea.KeyEnter)
	u.waitFor("Attachments: none (a attaches a file)")
	u.typeText("a")
	u.waitFor("Attach a file")
	// A file that is not there is refused at the field.
	u.typeText("~/not-there.jpg")
	u.key(tea.KeyEnter)
	u.waitFor("there is no such file")
	for range len("not-there.jpg") {
		u.key(tea.KeyBackspace)
	}
	u.typeText("photo-Zhou.jpg")
	u.next("Description")
	u.typeText("the house after the search")
	u.key(tea.KeyEnter)
	u.waitFor("Seal it to the custodian?")
	u.key(tea.KeyEnter) // keep readable
	u.waitFor("attached", "Attachments: 1", "GPS position")
	u.quit()

	v := mustOpen(t, dir)
	defer v.Close()
	list, _ := v.List(context.Background())
	atts, err := v.Attachments(context.Background(), list[0].ID)
	if err != nil || len(atts) != 1 {
		t.Fatalf("%d attachments, %v", len(atts), err)
	}
	if atts[0].Description != "the house after the search" || atts[0].Size != int64(len(mediatest.JPEGWithEXIF())) {
		t.Fatalf("attachment %+v", atts[0].Attachment)
	}
	r, err := v.Reveal(context.Background(), list[0].ID, c)
	if err != nil {
		t.Fatal(err)
	}
	if r.Files[atts[0].ID] != "photo-Zhou.jpg" {
		t.Fatalf("the sealed file name is %q", r.Files[atts[0].ID])
	}
}
