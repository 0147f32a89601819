package vault_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/vault"
)

// TestAttackPublishConflictConsent: an interview in conflict whose older
// version recorded that quote consent was withdrawn publishes no quote,
// whatever the newer version says. Before, publish read the newest head
// alone: bob's refusal, recorded before alice marked a quote on her own
// version, was not seen, and the quote was published.
func TestAttackPublishConflictConsent(t *testing.T) {
	ctx := context.Background()
	a, b, _ := team(t)
	first := shareable("Lin Qiao", "They asked my mother when I would come back. Then they left.")
	first.Consent.Record, first.Consent.Quote = true, true
	ids, err := a.Add(ctx, []vault.Input{first})
	if err != nil {
		t.Fatal(err)
	}
	id := ids[0]
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	// Bob hears that the interviewee withdrew quote consent, and records it.
	view, err := b.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	in := vault.Input{Interview: view.Interview}
	in.Testimony = view.Marked
	in.Consent.Quote = false
	if _, err := b.Add(ctx, []vault.Input{in}); err != nil {
		t.Fatal(err)
	}
	// Alice, later, marks a quote on her version.
	time.Sleep(10 * time.Millisecond)
	if _, err := a.AddQuote(ctx, id, "They asked my mother when I would come back.", "", nil); err != nil {
		t.Fatal(err)
	}
	if rep := mustImport(t, a, export(t, b, vault.ExportOptions{To: []string{"alice"}})); rep.Conflicts != 1 {
		t.Fatalf("import: %+v, want a conflict", rep)
	}
	p, err := a.Publish(ctx, vault.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := p.QuoteCount(); n != 0 {
		t.Errorf("the pack publishes %d quotes of an interview whose other version refused quote consent", n)
	}
	if len(p.LeftOut) == 0 {
		t.Error("the pack does not say what it left out of the interview in conflict")
	}
	t.Logf("left out: %+v", p.LeftOut)
}

// TestPublishConflictOtherHeadQuote: a quote marked on the version of an
// interview in conflict that is not the newest is not published (the pack
// shows the newest version), and the pack says so; before, it was dropped
// without a word.
func TestPublishConflictOtherHeadQuote(t *testing.T) {
	ctx := context.Background()
	a, b, _ := team(t)
	first := shareable("Lin Qiao", "They asked my mother when I would come back. Then they left.")
	first.Consent.Record, first.Consent.Quote = true, true
	ids, err := a.Add(ctx, []vault.Input{first})
	if err != nil {
		t.Fatal(err)
	}
	id := ids[0]
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	if _, err := b.AddQuote(ctx, id, "They asked my mother when I would come back.", "", nil); err != nil {
		t.Fatal(err)
	}
	// Alice, later, edits her version: hers is the newest head.
	time.Sleep(10 * time.Millisecond)
	view, err := a.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	in := vault.Input{Interview: view.Interview}
	in.Testimony = view.Marked + " Alice's note."
	if _, err := a.Add(ctx, []vault.Input{in}); err != nil {
		t.Fatal(err)
	}
	if rep := mustImport(t, a, export(t, b, vault.ExportOptions{To: []string{"alice"}})); rep.Conflicts != 1 {
		t.Fatalf("import: %+v, want a conflict", rep)
	}
	p, err := a.Publish(ctx, vault.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range p.LeftOut {
		found = found || (l.What == "1 quote" && strings.Contains(l.Why, "conflict"))
	}
	if p.QuoteCount() != 0 || !found {
		t.Fatalf("%d quotes published, left out %+v; want bob's quote listed as left out", p.QuoteCount(), p.LeftOut)
	}
}
