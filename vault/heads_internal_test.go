package vault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tvault/tvault/crypto"
)

// manyHeads makes a vault holding one interview with n heads: revisions
// that all have the first as parent, created in an order unrelated to their
// IDs, as a member's bundle can deliver them. It returns the vault and the
// interview's ID.
func manyHeads(tb testing.TB, n int) (*Vault, string) {
	tb.Helper()
	c, err := crypto.NewIdentity()
	if err != nil {
		tb.Fatal(err)
	}
	v, err := Create(filepath.Join(tb.TempDir(), "vault"), CreateOptions{Name: "alice", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { v.Close() })
	var in Input
	in.Pseudonym, in.Testimony = "P", "one {{Alice|a name}} testimony"
	ids, err := v.Add(context.Background(), []Input{in})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	base, err := v.headRevisions(ctx, ids[0])
	if err != nil {
		tb.Fatal(err)
	}
	tx, err := v.conn.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	rng := rand.New(rand.NewPCG(1, 2))
	for i, k := range rng.Perm(n) {
		r := *base[0]
		r.Parents = []string{base[0].ID}
		r.CreatedAt = fmt.Sprintf("2026-11-27T12:%02d:%02d.%06dZ", k/60000%60, k/1000%60, k%1000)
		r.Record.Testimony = fmt.Sprintf("head %d", i)
		if r.ID, err = r.computeID(); err != nil {
			tb.Fatal(err)
		}
		body, testimony, err := r.storedBody()
		if err != nil {
			tb.Fatal(err)
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO revisions (id, interview, body, testimony, sig) VALUES (?, ?, ?, ?, x'00')`, []any{r.ID, r.Interview, body, testimony}},
			{`INSERT INTO parents (revision, parent) VALUES (?, ?)`, []any{r.ID, base[0].ID}},
			{`INSERT INTO heads (interview, revision) VALUES (?, ?)`, []any{r.Interview, r.ID}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM heads WHERE revision = ?`, base[0].ID); err != nil {
		tb.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE interviews SET heads = ? WHERE id = ?`, n, ids[0]); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return v, ids[0]
}

// Attack 7 of issue 11: 20,000 heads on one interview, sent by a member,
// made show and save take seconds. Reading the heads is O(n log n).
//
//	go test ./vault -run '^$' -bench ManyHeads -benchtime 3x
func BenchmarkManyHeads(b *testing.B) {
	for _, n := range []int{5000, 20000} {
		v, id := manyHeads(b, n)
		b.Run(fmt.Sprintf("show/%d", n), func(b *testing.B) {
			for b.Loop() {
				view, err := v.Get(id)
				if err != nil || view.Heads != n {
					b.Fatalf("heads=%d, err=%v", view.Heads, err)
				}
			}
		})
		b.Run(fmt.Sprintf("save/%d", n), func(b *testing.B) {
			// What a save does before it writes: read every head, newest
			// first, and merge their sealed items.
			for b.Loop() {
				heads, err := v.headRevisions(context.Background(), id)
				if err != nil || len(heads) != n {
					b.Fatalf("heads=%d, err=%v", len(heads), err)
				}
				mergeHeads(heads)
			}
		})
	}
}

// Heads come newest first (by creation time, then ID), and a save over
// 2,000 heads merges them all into one.
func TestManyHeads(t *testing.T) {
	const n = 2000
	v, id := manyHeads(t, n)
	heads, err := v.headRevisions(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(heads) != n {
		t.Fatalf("heads=%d, want %d", len(heads), n)
	}
	if !slices.IsSortedFunc(heads, func(a, b *Revision) int {
		if newer(a, b) {
			return -1
		}
		return 1
	}) {
		t.Fatal("heads are not newest first")
	}
	view, err := v.Get(id)
	if err != nil || view.Testimony != heads[0].Record.Testimony {
		t.Fatalf("Get shows %q, err=%v; want the newest head %q", view.Testimony, err, heads[0].Record.Testimony)
	}
	merged := mergeHeads(heads)
	if !slices.Equal(merged.Sealed, heads[0].Sealed) || merged.SpanCount != heads[0].SpanCount {
		t.Fatalf("merged sealed %v span count %d", merged.Sealed, merged.SpanCount)
	}
	var in Input
	in.ID, in.Pseudonym, in.Testimony = id, "P", "merged"
	if _, err := v.Add(context.Background(), []Input{in}); err != nil {
		t.Fatal(err)
	}
	if heads, err = v.headRevisions(context.Background(), id); err != nil || len(heads) != 1 || len(heads[0].Parents) != n {
		t.Fatalf("after a save: %d heads, err=%v; want one head with %d parents", len(heads), err, n)
	}
}
