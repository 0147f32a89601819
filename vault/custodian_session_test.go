package vault_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/tvault/tvault/vault"
)

func revealed(id, pseudonym string, ident *vault.Identity) *vault.Revealed {
	return &vault.Revealed{ID: id, Pseudonym: pseudonym, Identity: ident}
}

func TestFindDuplicates(t *testing.T) {
	rs := []*vault.Revealed{
		revealed("a", "Lin Qiao", &vault.Identity{Name: "Tang Meilin", Contact: "+1 604 555 0199"}),
		revealed("b", "Xiao He", &vault.Identity{Name: "王小明"}),
		// The same person: name written the other way round, full width.
		revealed("c", "Spring", &vault.Identity{Name: "ＭＥＩＬＩＮ　ＴＡＮＧ"}),
		// Linked to b by an alias, and to nobody else.
		revealed("d", "River", &vault.Identity{Name: "Wang Xiaoming", Aliases: []string{"王 小明"}}),
		// The same phone number, written otherwise: linked to a.
		revealed("e", "Autumn", &vault.Identity{Name: "Someone Else", Contact: "(604) 555-0199"}),
		revealed("f", "Winter", &vault.Identity{Name: "Other", Contact: "16045550199"}),
		// Another number.
		revealed("h", "Summer", &vault.Identity{Name: "Third", Contact: "+1 604 555 0198"}),
		revealed("g", "No identity", nil),
	}
	got := vault.FindDuplicates(rs)
	want := []vault.Duplicate{
		{Interviews: []vault.DuplicateInterview{{ID: "a", Pseudonym: "Lin Qiao"}, {ID: "c", Pseudonym: "Spring"}, {ID: "e", Pseudonym: "Autumn"}, {ID: "f", Pseudonym: "Winter"}}, Shared: []string{"name", "contact"}},
		{Interviews: []vault.DuplicateInterview{{ID: "b", Pseudonym: "Xiao He"}, {ID: "d", Pseudonym: "River"}}, Shared: []string{"name"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("duplicates:\n%+v\nwant\n%+v", got, want)
	}
	if got := vault.MatchRevealed(rs, "meilin"); len(got) != 2 {
		t.Fatalf("%d matches of meilin, want 2", len(got))
	}
	if got := vault.MatchRevealed(rs, "小明"); len(got) != 2 {
		t.Fatalf("%d matches of 小明, want 2", len(got))
	}
}

// TestRevealMany: one reveal event per interview, all in the log.
func TestRevealMany(t *testing.T) {
	v, c := MustCreate(t)
	var ins []vault.Input
	for _, n := range []string{"Tang Meilin", "Meilin TANG", "Other"} {
		in := input("P "+n, "x")
		in.Identity = &vault.Identity{Name: n}
		ins = append(ins, in)
	}
	ids, err := v.Add(context.Background(), ins)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := v.RevealMany(context.Background(), ids, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[1].Identity.Name != "Meilin TANG" {
		t.Fatalf("revealed %+v", rs)
	}
	if d := vault.FindDuplicates(rs); len(d) != 1 || len(d[0].Interviews) != 2 {
		t.Fatalf("duplicates %+v", d)
	}
	v = MustReopen(t, v)
	events, err := v.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Kind == vault.EventReveal {
			if e.Subject != ids[n] {
				t.Fatalf("reveal event %d of %s, want %s", n, e.Subject, ids[n])
			}
			n++
		}
	}
	if n != 3 {
		t.Fatalf("%d reveal events, want 3", n)
	}
}
