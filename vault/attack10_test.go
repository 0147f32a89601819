package vault_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// Attack (issue 10, review): a teammate who knows that Alice rotated her
// key away from A takes Alice off the roster and adds her again from the
// card file Alice handed over at the start, which holds A. The vault knows
// A is retired (it stores the statement), yet takes the card: the thief who
// kept A is trusted again, and Alice's real key is refused from then on,
// because the stored statement is never applied a second time.
func TestAttackRetiredCardReadded(t *testing.T) {
	ctx := context.Background()
	vs := crew(t, "alice", "bob")
	a, b := vs["alice"], vs["bob"]
	a, evil := stolenCopy(t, a)
	oldCard, _, err := evil.Card() // the card alice gave bob at the start
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.RotateMemberKey(ctx); err != nil {
		t.Fatal(err)
	}
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	if err := b.RemoveMember("alice"); err != nil {
		t.Fatal(err)
	}
	_, err = b.AddMember(oldCard)
	if errors.Is(err, vault.ErrRetiredKey) {
		return
	}
	if err != nil {
		t.Fatalf("adding alice's retired card: %v, want ErrRetiredKey", err)
	}
	// Taken: show what it costs.
	if _, err := evil.Add(ctx, []vault.Input{shareable("Forged", "the thief writes as alice")}); err != nil {
		t.Fatal(err)
	}
	_, errThief := b.Import(ctx, strings.NewReader(string(export(t, evil, vault.ExportOptions{To: []string{"bob"}}))))
	_, errAlice := b.Import(ctx, strings.NewReader(string(export(t, a, vault.ExportOptions{To: []string{"bob"}}))))
	t.Fatalf("bob re-added alice's retired card without a word (want ErrRetiredKey); now the thief's bundle imports (%v) and alice's own is refused (%v)", errThief, errAlice)
}
