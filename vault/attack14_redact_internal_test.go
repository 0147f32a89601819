package vault

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestAttackRedactQuotes: a redaction reaches the quotes of the passage it
// redacts. Before, it changed the testimony and the other readable fields
// only: a quote kept the name in the clear in every revision (and every
// bundle, and the disk under the vault passphrase), and the reading view
// and tvault quote list showed it, as a stale quote. After, the quote reads
// as the testimony does, stays current, and a teammate's vault takes the
// redaction of the quote too; a label naming the person goes with a
// redaction of every field.
func TestAttackRedactQuotes(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	id := leakedInterview(t, alice)
	if _, err := alice.AddQuote(ctx, id, "Later "+leak+" came back.", "what "+leak+" said", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.AddQuote(ctx, id, "Officers took "+leak+" away.", "", nil); err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundleTo(t, alice, "bob"))
	if _, err := alice.Redact(ctx, id, RedactOptions{Text: leak, With: "a relative's name"}); err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundleTo(t, alice, "bob"))
	for _, m := range []struct {
		name string
		v    *Vault
	}{{"alice", alice}, {"bob", bob}} {
		qs, err := m.v.Quotes(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(qs) != 2 {
			t.Fatalf("%s: %d quotes, want 2", m.name, len(qs))
		}
		for _, q := range qs {
			if strings.Contains(q.Text+q.Label, leak) {
				t.Errorf("%s: a quote still holds the redacted name: %q, label %q", m.name, q.Text, q.Label)
			}
			if !q.Current {
				t.Errorf("%s: the quote %q is stale after the redaction", m.name, q.Text)
			}
		}
		if all := passphraseOpens(t, m.v.Dir()); bytes.Contains(all, []byte(leak)) {
			t.Errorf("%s: the vault passphrase still opens the redacted name", m.name)
		}
		mustCheck(t, m.name, m.v)
	}
}
