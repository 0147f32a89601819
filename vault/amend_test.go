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
			rev, err := a.Reveal(ctx, id, c)
			if err != nil {
				t.Fatal(err)
			}
			if len(rev.Spans) != 1 || rev.Spans[0].Secret != "alice secret" {
				t.Fatalf("revealed %+v, want alice's secret under alice's description", rev.Spans)
			}
		})
	}
}
