package vault_test

import (
	"context"
	"testing"

	"github.com/tvault/tvault/vault"
)

// TestPurgeDropsDrafts: a draft of an edit of a purged interview holds its
// testimony: the purge drops it too.
func TestPurgeDropsDrafts(t *testing.T) {
	v, _ := MustCreate(t)
	in := input("Withdrawn", "consent withdrawn")
	ids, err := v.Add(context.Background(), []vault.Input{in, input("Kept", "stays")})
	if err != nil {
		t.Fatal(err)
	}
	in.Testimony = "an edit not yet saved"
	if err := v.SaveDraft("d1", ids[0], in); err != nil {
		t.Fatal(err)
	}
	if err := v.SaveDraft("d2", ids[1], input("Kept", "its own draft")); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Purge(context.Background(), ids[0]); err != nil {
		t.Fatal(err)
	}
	v = MustReopen(t, v)
	drafts, err := v.Drafts()
	if err != nil {
		t.Fatal(err)
	}
	if len(drafts) != 1 || drafts[0].Interview != ids[1] {
		t.Fatalf("drafts after the purge: %+v", drafts)
	}
}
