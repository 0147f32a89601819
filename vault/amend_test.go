package vault_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// TestAmendOverHeadsSpans: an attachment saved over two heads (a quote is
// refused there) whose first new spans have the same number keeps the
// newest head's
// numbers meaning what they meant there, as a save over heads does: the
// reveal shows alice's secret under alice's description, never bob's.
func TestAmendOverHeadsSpans(t *testing.T) {
	for _, how := range []string{"quote", "attach"} {
		t.Run(how, func(t *testing.T) {
			ctx := context.Background()
			a, b, c := team(t)
			id := diverge(t, a, b, shareable("P", "x"), func(in *vault.Input) {
				in.Testimony += " {{alice secret|alice's}}"
			}, func(in *vault.Input) {
				in.Testimony += " {{bob secret|bob's}}"
			})
			if how == "quote" {
				// A quote waits for the merge: over both heads it would
				// keep the newest one's text alone (TestAttackQuoteConflict).
				if _, err := a.AddQuote(ctx, id, "x", "", nil); !errors.Is(err, vault.ErrInConflict) {
					t.Fatalf("a quote over two heads: %v, want ErrInConflict", err)
				}
				return
			}
			if _, err := a.Attach(ctx, id, strings.NewReader("a page"), vault.AttachOptions{}); err != nil {
				t.Fatal(err)
			}
			// The file goes into both versions and the conflict stays:
			// over both heads at once, the attachment's revision kept the
			// newest head's text alone and bob's paragraph left the
			// interview without a merge.
			view, err := a.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			if view.Heads != 2 {
				t.Fatalf("%d heads after attaching to an interview in conflict, want 2", view.Heads)
			}
			m, err := a.Merge(id)
			if err != nil {
				t.Fatal(err)
			}
			for k := range m.Conflicts {
				m.Conflicts[k].Choice = vault.TakeBoth
			}
			if err := a.SaveMerge(ctx, m); err != nil {
				t.Fatal(err)
			}
			if view, err = a.Get(id); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(view.Testimony, "[alice's]") || !strings.Contains(view.Testimony, "[bob's]") || len(view.Attachments) != 1 {
				t.Fatalf("merged: testimony %q, %d attachments; want both spans and the file once", view.Testimony, len(view.Attachments))
			}
			rev, err := a.Reveal(ctx, id, c)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, s := range rev.Spans {
				got[s.Description] = s.Secret
			}
			if len(rev.Spans) != 2 || got["alice's"] != "alice secret" || got["bob's"] != "bob secret" {
				t.Fatalf("revealed %+v, want each secret under its own description", rev.Spans)
			}
		})
	}
}
