package vault_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// TestRevealFailedAudited: a wrong custodian passphrase and another
// custodian's key are each a reveal-failed event, naming the interview and
// why, never the passphrase; a reopened vault still has them.
func TestRevealFailedAudited(t *testing.T) {
	v, c := MustCreate(t)
	in := input("A", "x")
	in.Identity = &vault.Identity{Name: "N"}
	ids, err := v.Add(context.Background(), []vault.Input{in})
	if err != nil {
		t.Fatal(err)
	}
	key, err := crypto.SealCustodianKey(c, []byte("the custodian's words"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.UnlockCustodianKey(key, []byte("a wrong guess"), ids[0][:6]); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Fatalf("err=%v, want ErrWrongPassphrase", err)
	}
	other, _ := crypto.NewIdentity()
	if _, err := v.Reveal(context.Background(), ids[0], other); !errors.Is(err, vault.ErrWrongCustodianKey) {
		t.Fatalf("err=%v, want ErrWrongCustodianKey", err)
	}
	if _, err := v.UnlockCustodianKey(key, []byte("the custodian's words"), ids[0]); err != nil {
		t.Fatal(err)
	}
	v = MustReopen(t, v)
	events, err := v.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var failed []vault.Event
	for _, e := range events {
		if e.Kind == vault.EventRevealFailed {
			failed = append(failed, e)
		}
	}
	if len(failed) != 2 {
		t.Fatalf("%d reveal-failed events, want 2: %+v", len(failed), events)
	}
	for i, want := range []string{"wrong custodian passphrase", "another custodian's key"} {
		if e := failed[i]; e.Subject != ids[0] || !strings.Contains(e.Details, want) || strings.Contains(e.Details, "guess") {
			t.Fatalf("event %d: %+v, want subject %s and %q", i, e, ids[0], want)
		}
	}
}
