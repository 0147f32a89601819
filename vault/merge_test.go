package vault_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// diverge makes an interview on a, sends it to b, then saves edit on a and
// edit on b, and brings b's version back to a: two heads on a.
func diverge(t *testing.T, a, b *vault.Vault, first vault.Input, onA, onB func(*vault.Input)) string {
	t.Helper()
	ctx := context.Background()
	ids, err := a.Add(ctx, []vault.Input{first})
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	for _, side := range []struct {
		v    *vault.Vault
		edit func(*vault.Input)
	}{{b, onB}, {a, onA}} {
		view, err := side.v.Get(ids[0])
		if err != nil {
			t.Fatal(err)
		}
		in := vault.Input{Interview: view.Interview}
		in.Testimony = view.Marked
		side.edit(&in)
		if _, err := side.v.Add(ctx, []vault.Input{in}); err != nil {
			t.Fatal(err)
		}
	}
	if rep := mustImport(t, a, export(t, b, vault.ExportOptions{To: []string{"alice"}})); rep.Conflicts != 1 {
		t.Fatalf("import: %+v, want a conflict", rep)
	}
	return ids[0]
}

func TestMergeKeepsBothSides(t *testing.T) {
	a, b, c := team(t)
	first := shareable("Lin Qiao", "Officers came to {{Jiangxi|the home province}}.\n警察来了。")
	first.Tags = []string{"summoned", "exit-ban"}
	first.Location = "Vancouver"
	id := diverge(t, a, b, first, func(in *vault.Input) {
		in.Testimony += "\nAlice added: they asked about {{Uncle Wei|a name}}."
		in.Tags = []string{"summoned", "asset-freeze"} // exit-ban removed
	}, func(in *vault.Input) {
		in.Testimony = strings.Replace(in.Testimony, "警察来了。", "警察来了两次。", 1) + "\nBob added: {{Shenzhen|a city}} office."
		in.Tags = append(in.Tags, "fired")
		in.Location = "Toronto"
	})
	m, err := a.Merge(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Conflicts) != 0 {
		t.Fatalf("conflicts %+v, want none", m.Conflicts)
	}
	if err := a.SaveMerge(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	view, err := a.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	want := "Officers came to [the home province].\n警察来了两次。\nAlice added: they asked about [a name].\nBob added: [a city] office."
	if view.Heads != 1 || view.Testimony != want {
		t.Fatalf("heads %d, testimony:\n%s\nwant:\n%s", view.Heads, view.Testimony, want)
	}
	if got := len(view.Revisions[len(view.Revisions)-1].Parents); got != 2 {
		t.Fatalf("merge revision has %d parents, want 2", got)
	}
	if got, want := strings.Join(view.Tags, ","), "summoned,asset-freeze,fired"; got != want {
		t.Fatalf("tags %s, want %s", got, want)
	}
	if view.Location != "Toronto" {
		t.Fatalf("location %q: bob's change lost", view.Location)
	}
	// Both sides numbered their new span #2: each marker still reveals its
	// own secret.
	rev, err := a.Reveal(context.Background(), id, c)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range rev.Spans {
		got[s.Description] = s.Secret
	}
	if len(rev.Spans) != 3 || got["the home province"] != "Jiangxi" || got["a name"] != "Uncle Wei" || got["a city"] != "Shenzhen" {
		t.Fatalf("revealed %+v", rev.Spans)
	}
	// The history: three revisions and the merge, diffs readable, no secret.
	h, err := a.History(context.Background(), id, -1)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 4 || !h[3].Merge || h[0].Merge {
		t.Fatalf("history of %d revisions, merges %v %v", len(h), h[0].Merge, h[len(h)-1].Merge)
	}
	js, _ := json.Marshal(h)
	if strings.Contains(string(js), "Uncle Wei") || strings.Contains(string(js), "Shenzhen") || !strings.Contains(string(js), "[a city]") {
		t.Fatalf("history shows a secret, or no span: %s", js)
	}
	// A later edit keeps the numbers, and bob gets the merge.
	view.Testimony = view.Marked + "\nLater."
	if _, err := a.Add(context.Background(), []vault.Input{{Interview: view.Interview}}); err != nil {
		t.Fatal(err)
	}
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	for _, v := range []*vault.Vault{a, b} {
		rev, err := v.Reveal(context.Background(), id, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rev.Spans {
			got[s.Description] = s.Secret
		}
		if len(rev.Spans) != 3 || got["a name"] != "Uncle Wei" || got["a city"] != "Shenzhen" {
			t.Fatalf("after a later edit: revealed %+v", rev.Spans)
		}
	}
	// A custodian rotation reseals the secrets under the numbers the merge
	// gave them.
	next, _ := crypto.NewIdentity()
	if _, err := a.RotateCustodian(context.Background(), c, next.Recipient(), nil); err != nil {
		t.Fatal(err)
	}
	rev, err = a.Reveal(context.Background(), id, next)
	if err != nil {
		t.Fatal(err)
	}
	got = map[string]string{}
	for _, s := range rev.Spans {
		got[s.Description] = s.Secret
	}
	if len(rev.Spans) != 3 || got["the home province"] != "Jiangxi" || got["a name"] != "Uncle Wei" || got["a city"] != "Shenzhen" {
		t.Fatalf("after rotation: revealed %+v", rev.Spans)
	}
}

func TestMergeConflicts(t *testing.T) {
	a, b, _ := team(t)
	first := shareable("P", "one\ntwo\nthree")
	id := diverge(t, a, b, first, func(in *vault.Input) {
		in.Testimony = "one\nTWO by alice\nthree"
		in.Location = "Paris"
	}, func(in *vault.Input) {
		in.Testimony = "one\nthree" // two deleted
		in.Location = "Berlin"
	})
	m, err := a.Merge(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Conflicts) != 2 || m.Conflicts[0].Field != "location" || m.Conflicts[1].Field != "testimony" || m.Conflicts[1].Paragraph != 2 {
		t.Fatalf("conflicts %+v", m.Conflicts)
	}
	if err := a.SaveMerge(context.Background(), m); !errors.Is(err, vault.ErrInvalid) {
		t.Fatalf("save with conflicts left: %v", err)
	}
	if err := m.Choose(0, vault.TakeBoth); err == nil {
		t.Fatal("both versions of a field were accepted")
	}
	m.Choose(0, vault.TakeRight)
	m.Choose(1, vault.TakeLeft)
	if got := m.Result(); got.Location != "Berlin" || got.Testimony != "one\nTWO by alice\nthree" {
		t.Fatalf("result %q %q", got.Location, got.Testimony)
	}
	// A save between preparing and saving the merge makes it stale.
	view, _ := a.Get(id)
	in := vault.Input{Interview: view.Interview}
	if _, err := a.Add(context.Background(), []vault.Input{in}); err != nil {
		t.Fatal(err)
	}
	if err := a.SaveMerge(context.Background(), m); !errors.Is(err, vault.ErrInvalid) {
		t.Fatalf("stale merge saved: %v", err)
	}
	if _, err := a.Merge(id); !errors.Is(err, vault.ErrInvalid) {
		t.Fatalf("merge of one head: %v", err)
	}
}

// TestSaveOverHeadsSpans: saving over two heads that each numbered a new
// span #2 keeps the newest head's #2 (the text the save is made from).
// Before span sources, the other head's sealed item came later and its
// secret was revealed under the newest head's description.
func TestSaveOverHeadsSpans(t *testing.T) {
	a, b, c := team(t)
	id := diverge(t, a, b, shareable("P", "x"), func(in *vault.Input) {
		in.Testimony += " {{alice secret|alice's}}"
	}, func(in *vault.Input) {
		in.Testimony += " {{bob secret|bob's}}"
	})
	view, _ := a.Get(id)
	in := vault.Input{Interview: view.Interview}
	in.Testimony = view.Marked
	if _, err := a.Add(context.Background(), []vault.Input{in}); err != nil {
		t.Fatal(err)
	}
	rev, err := a.Reveal(context.Background(), id, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Spans) != 1 || rev.Spans[0].Secret != "alice secret" {
		t.Fatalf("revealed %+v, want alice's secret under alice's description", rev.Spans)
	}
}

// TestMergeAfterMerge: alice merges her version with bob's (bob's new span
// renumbered), while bob adds another span on his version; merging that
// with alice's merge must still give every marker its own secret, though
// the two sides number bob's first span differently.
func TestMergeAfterMerge(t *testing.T) {
	a, b, c := team(t)
	ctx := context.Background()
	id := diverge(t, a, b, shareable("P", "base {{s0|d0}}"), func(in *vault.Input) {
		in.Testimony += "\nalice {{sa|da}}"
	}, func(in *vault.Input) {
		in.Testimony += "\nbob {{sb|db}}"
	})
	m, err := a.Merge(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SaveMerge(ctx, m); err != nil {
		t.Fatal(err)
	}
	// Bob, without alice's merge, adds a span to his own version.
	view, _ := b.Get(id)
	in := vault.Input{Interview: view.Interview}
	in.Testimony = view.Marked + "\nbob again {{sz|dz}}"
	if _, err := b.Add(ctx, []vault.Input{in}); err != nil {
		t.Fatal(err)
	}
	mustImport(t, a, export(t, b, vault.ExportOptions{To: []string{"alice"}}))
	if m, err = a.Merge(id); err != nil {
		t.Fatal(err)
	}
	if len(m.Conflicts) != 0 {
		t.Fatalf("conflicts %+v", m.Conflicts)
	}
	if err := a.SaveMerge(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, _ := a.Get(id)
	if got.Heads != 1 || strings.Count(got.Testimony, "[db]") != 1 {
		t.Fatalf("heads %d, testimony:\n%s", got.Heads, got.Testimony)
	}
	rev, err := a.Reveal(ctx, id, c)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{}
	for _, s := range rev.Spans {
		secrets[s.Description] = s.Secret
	}
	want := map[string]string{"d0": "s0", "da": "sa", "db": "sb", "dz": "sz"}
	if len(rev.Spans) != 4 {
		t.Fatalf("revealed %+v", rev.Spans)
	}
	for d, s := range want {
		if secrets[d] != s {
			t.Fatalf("revealed %+v: [%s] is %q, want %q", rev.Spans, d, secrets[d], s)
		}
	}
}
