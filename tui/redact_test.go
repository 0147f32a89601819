package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// X on a saved interview redacts a passage from its whole history: asked,
// shown what it would change, confirmed with y; afterwards neither the
// interview nor what the passphrase opens holds the passage.
func TestRedactFromInterview(t *testing.T) {
	in := vault.Input{}
	in.Pseudonym = "River"
	in.Testimony = "Officers took CanaryZhou away. CanaryZhou came back."
	in.Location = "near CanaryZhou's house"
	dir, _ := mustVault(t, in)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.waitFor("River")
	u.key(tea.KeyEnter)
	u.waitFor("Officers took CanaryZhou away")
	u.typeText("X")
	u.waitFor("Passage to redact:")
	// A passage that is not there: refused, nothing changes.
	u.typeText("Nobody")
	u.key(tea.KeyEnter)
	u.waitFor("No field of this interview holds that passage")
	for range len("Nobody") {
		u.key(tea.KeyBackspace)
	}
	u.typeText("CanaryZhou")
	u.key(tea.KeyTab)
	u.typeText("a relative's name")
	u.key(tea.KeyEnter)
	u.waitFor("This replaces 3 places in 1 revisions by [a relative's name]", "cannot be undone")
	u.typeText("y")
	u.waitFor("Redacted 3 places in 1 revisions")
	u.key(tea.KeyEsc)
	u.waitFor("Officers took [a relative's name] away")
	u.quit()

	if img := plaintextImage(t, dir); bytes.Contains(img, []byte("CanaryZhou")) || !bytes.Contains(img, []byte("River")) {
		t.Error("the vault passphrase still opens the redacted passage (or opens nothing)")
	}
	v := mustOpen(t, dir)
	defer v.Close()
	list, _ := v.List(context.Background())
	got, err := v.Get(list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.Testimony+got.Location, "CanaryZhou") {
		t.Errorf("testimony %q, location %q", got.Testimony, got.Location)
	}
	res, err := v.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.OK {
			t.Errorf("check %s: %s", r.What, r.Details)
		}
	}
}
