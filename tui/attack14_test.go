package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/tvault/tvault/vault"
)

// Attacks on the reading view and quote marking (issue 14), each a test
// that failed before its fix.

// TestAttackReaderRedactedQuote: a name redacted from the testimony does
// not come back in the reading view through a quote of the passage that
// held it. Before, the redaction changed the testimony only: the quote kept
// the name in the clear in every revision, and the reading view listed it
// (as a stale quote), as did tvault quote list and every bundle.
func TestAttackReaderRedactedQuote(t *testing.T) {
	const name = "Wang Wei"
	var in vault.Input
	in.Pseudonym, in.InterviewedOn, in.Mode = "River", "2019-05-01", "video"
	in.Consent = vault.Consent{Record: true, Quote: true}
	in.Testimony = "My neighbour " + name + " told the police where I lived. Then they came."
	dir, _ := mustVault(t, in)
	var view *vault.View
	var quotes []vault.QuoteInfo
	withVault(t, dir, func(v *vault.Vault) {
		ctx := context.Background()
		list, err := v.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		id := list[0].ID
		if _, err := v.AddQuote(ctx, id, "My neighbour "+name+" told the police where I lived.", "", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Redact(ctx, id, vault.RedactOptions{Text: name, Field: "testimony", With: "a neighbour's name"}); err != nil {
			t.Fatal(err)
		}
		if view, err = v.Get(id); err != nil {
			t.Fatal(err)
		}
		if quotes, err = v.Quotes(ctx, id); err != nil {
			t.Fatal(err)
		}
	})
	for _, q := range quotes {
		if strings.Contains(q.Text, name) {
			t.Errorf("the vault's quote still holds the redacted name: %q", q.Text)
		}
		if !q.Current {
			t.Errorf("the quote is stale after the redaction: %q", q.Text)
		}
	}
	r := testReader(t, 80, 24, view, quotes)
	if screen := r.View(); strings.Contains(screen, name) {
		t.Errorf("the reading view shows the redacted name:\n%s", screen)
	}
}

// TestAttackQuoteConflict: in an interview in conflict, the reading view
// (which shows the newest version) marks no quote, and the vault (the call
// behind tvault quote add too) refuses one. Before, the quote was saved
// over both versions with the newest one's text alone: bob's paragraph
// and tag left the interview, and the conflict was gone without a merge.
func TestAttackQuoteConflict(t *testing.T) {
	a, id := conflictTeam(t, nil)
	m, err := New(Options{Dir: a, Now: newFakeClock().Now, AutosaveDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	u := &ui{t: t, m: m, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))}
	u.unlock()
	u.waitFor("Lin Qiao")
	u.typeText("r")
	u.waitFor("Reading · Lin Qiao", "Conflict: 2 versions")
	u.typeText("v")
	u.waitFor("In conflict: merge its versions first")
	if strings.Contains(u.finalScreen(), "Selected") {
		t.Error("a selection started in an interview in conflict")
	}
	withVault(t, a, func(v *vault.Vault) {
		ctx := context.Background()
		_, qerr := v.AddQuote(ctx, id, "They asked my mother when I would come back.", "", nil)
		if !errors.Is(qerr, vault.ErrInConflict) {
			t.Errorf("a quote in an interview in conflict: %v, want ErrInConflict", qerr)
		} else if got := quoteError(qerr); !strings.Contains(got, "merge them first") {
			t.Errorf("the dialog would say %q", got)
		}
		view, err := v.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if view.Heads != 2 {
			t.Errorf("the interview has %d heads after the quote, want the 2 of the conflict", view.Heads)
		}
	})
}

// TestAttackHugeSelection: a selection longer than a quote may be is
// refused at q, as the vault would refuse it, before the dialog opens.
// Before, the dialog opened and wrapped the whole passage at every key
// (120 ms a frame for a testimony of a million characters), for a quote
// the vault then refused.
func TestAttackHugeSelection(t *testing.T) {
	var view vault.View
	view.Pseudonym = "River"
	view.Marked = strings.Repeat("They came again and asked where I was. ", 400)
	view.Testimony = view.Marked
	r := testReader(t, 80, 24, &view, nil)
	r.startSelection()
	r.selectKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("G")})
	r.selectKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	if r.dlg != nil {
		t.Fatal("the quote dialog opened for a selection longer than a quote may be")
	}
	if !strings.Contains(r.View(), "a quote is at most 5000") {
		t.Errorf("the reading view does not say why:\n%s", r.View())
	}
}
