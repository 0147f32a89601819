package vault_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// Attack (issue 10, review): a thief who kept Alice's old key hands it over
// to a key of their own and sends that to Bob before Alice's own rotation
// reaches him. Carol gets Alice's real rotation. Both vaults are refused
// loudly, as designed, and Bob then does what he is told: he asks Alice
// out loud, takes her off the roster and adds the card she reads out. But
// the thief's statement stays stored at Bob's and travels in every bundle
// he makes, and Alice's real one in every bundle Carol makes: Bob and Carol
// can never exchange a bundle again, and no command clears it.
func TestAttackKeyThiefSplitsTeamForever(t *testing.T) {
	ctx := context.Background()
	vs := crew(t, "alice", "bob", "carol")
	a, evil := stolenCopy(t, vs["alice"])
	b, c := vs["bob"], vs["carol"]
	if _, err := evil.RotateMemberKey(ctx); err != nil {
		t.Fatal(err)
	}
	mustImport(t, b, export(t, evil, vault.ExportOptions{To: []string{"bob"}}))
	if _, err := a.RotateMemberKey(ctx); err != nil {
		t.Fatal(err)
	}
	mustImport(t, c, export(t, a, vault.ExportOptions{To: []string{"carol"}}))

	// Bob compares out loud, and puts Alice's real card on his roster.
	if err := b.RemoveMember("alice"); err != nil {
		t.Fatal(err)
	}
	card, _, err := a.Card()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddMember(card); err != nil {
		t.Fatalf("bob adds the card alice read out: %v", err)
	}
	if _, err := c.Add(ctx, []vault.Input{shareable("Carol's", "carol's")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Import(ctx, strings.NewReader(string(export(t, c, vault.ExportOptions{To: []string{"bob"}})))); err != nil {
		t.Fatalf("after bob settled which key is alice's, carol's bundle is still refused: %v", err)
	}
}
