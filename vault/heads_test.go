package vault_test

import (
	"context"
	"testing"

	"github.com/tvault/tvault/vault"
)

func TestHeads(t *testing.T) {
	a, b, _ := team(t)
	ids, err := a.Add(context.Background(), []vault.Input{shareable("P", "original")})
	if err != nil {
		t.Fatal(err)
	}
	heads, err := a.Heads(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(heads), 1; got != want {
		t.Fatalf("heads=%d, want %d", got, want)
	}
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	ea, eb := shareable("P", "edited by {{Alice|a name}}"), shareable("P", "edited by bob")
	ea.ID, eb.ID = ids[0], ids[0]
	a.Add(context.Background(), []vault.Input{ea})
	b.Add(context.Background(), []vault.Input{eb})
	mustImport(t, a, export(t, b, vault.ExportOptions{To: []string{"alice"}}))

	heads, err = a.Heads(ids[0][:8])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(heads), 2; got != want {
		t.Fatalf("heads=%d, want %d", got, want)
	}
	view, _ := a.Get(ids[0])
	testimonies := map[string]bool{}
	for _, h := range heads {
		if h.ID != ids[0] || h.Heads != 2 || len(h.Revisions) != 1 {
			t.Fatalf("head %+v", h)
		}
		testimonies[h.Testimony] = true
		if h.Revisions[0].Author == "alice" && !h.Sealed {
			t.Fatal("alice's head has a sealed span, but Sealed is false")
		}
	}
	if !testimonies["edited by [a name]"] || !testimonies["edited by bob"] {
		t.Fatalf("testimonies %v: want both edits, spans as [description]", testimonies)
	}
	// Newest first, as Get shows it.
	if heads[0].Testimony != view.Testimony {
		t.Fatalf("first head %q, Get shows %q", heads[0].Testimony, view.Testimony)
	}
	if _, err := a.Heads("ffffffff"); err == nil {
		t.Fatal("Heads of an unknown ID succeeded")
	}
}
