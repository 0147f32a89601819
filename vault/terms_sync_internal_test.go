package vault

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/internal/bundlefmt"
)

// clock makes every vault's Now read one shared clock that the test moves.
func clock(vs ...*Vault) *time.Time {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range vs {
		v.Now = func() time.Time { return now }
	}
	return &now
}

func wantTerms(t *testing.T, who string, v *Vault, want ...string) {
	t.Helper()
	got, err := v.Terms()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s's terms: %q, want %q", who, got, want)
	}
}

// The team's sensitive terms travel in bundles: additions and removals
// both, whatever the order the bundles arrive in; an old bundle does not
// bring a removed term back.
func TestTermsTravel(t *testing.T) {
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	now := clock(alice, bob)
	if err := alice.AddTerms("青松村", "Red Star Mine"); err != nil {
		t.Fatal(err)
	}
	old := bundleTo(t, alice, "bob")
	if rep := importInto(t, bob, old); rep.Terms != 2 {
		t.Errorf("import took %d term entries, want 2", rep.Terms)
	}
	wantTerms(t, "bob", bob, "Red Star Mine", "青松村")

	*now = now.Add(time.Hour)
	if err := bob.RemoveTerm("青松村"); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Hour)
	if err := alice.AddTerms("Li Village"); err != nil {
		t.Fatal(err)
	}
	importInto(t, alice, bundleTo(t, bob, "alice"))
	importInto(t, bob, bundleTo(t, alice, "bob"))
	wantTerms(t, "alice", alice, "Li Village", "Red Star Mine")
	wantTerms(t, "bob", bob, "Li Village", "Red Star Mine")

	// The old bundle, again: the removal is newer.
	if rep, err := bob.Import(context.Background(), bytes.NewReader(old)); err != nil || rep.Terms != 0 {
		t.Errorf("old bundle: %+v, %v", rep, err)
	}
	wantTerms(t, "bob", bob, "Li Village", "Red Star Mine")

	// Added again after the removal: the addition is newer.
	*now = now.Add(time.Hour)
	if err := alice.AddTerms("青松村"); err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundleTo(t, alice, "bob"))
	wantTerms(t, "bob", bob, "Li Village", "Red Star Mine", "青松村")
}

func TestTermMergeTie(t *testing.T) {
	at := "2026-01-01T00:00:00Z"
	add, rm := termEntry{At: at}, termEntry{At: at, Removed: true}
	if !add.newer(rm) || rm.newer(add) {
		t.Error("on equal times the addition must win")
	}
	if (termEntry{}).newer(add) || !add.newer(termEntry{}) {
		t.Error("an entry of the old form (no time) must lose to any timed one")
	}
}

// A bundle whose term list is malformed is refused and changes nothing.
func TestTermsMalformed(t *testing.T) {
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	_, c, _ := bob.Card()
	r, err := age.ParseHybridRecipient(c.Recipient)
	if err != nil {
		t.Fatal(err)
	}
	for _, terms := range [][]bundlefmt.Term{
		{{Term: "x", At: "2026-01-01T00:00:00Z"}},
		{{Term: "a {{b}}", At: "2026-01-01T00:00:00Z"}},
		{{Term: "ok term", At: "yesterday"}},
		{{Term: "ok term", At: "2026-01-01T00:00:00Z"}, {Term: "ok term", At: "2026-01-02T00:00:00Z"}},
		{{Term: "bell\a", At: "2026-01-01T00:00:00Z"}},
	} {
		h, err := alice.bundleHeader(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		h.Terms = terms
		var buf bytes.Buffer
		if err := bundlefmt.Encrypt(&buf, h, alice.member.SigningKey, r); err != nil {
			t.Fatal(err)
		}
		before := vaultDigest(t, bob)
		if _, err := bob.Import(context.Background(), &buf); !errors.Is(err, ErrDamaged) {
			t.Errorf("%+v: %v, want damaged", terms, err)
		}
		if vaultDigest(t, bob) != before {
			t.Errorf("%+v: the refused bundle changed the vault", terms)
		}
	}
}
