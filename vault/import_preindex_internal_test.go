package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/internal/bundlefmt"
)

// countPreindexed counts, until the test ends, the new interviews each
// import indexes ahead.
func countPreindexed(t *testing.T) *[]int {
	var counts []int
	preindexedHook = func(n int) { counts = append(counts, n) }
	t.Cleanup(func() { preindexedHook = nil })
	return &counts
}

// indexRows counts the rows of both search indexes.
func indexRows(t *testing.T, v *Vault) string {
	t.Helper()
	var a, b int
	if err := v.conn.QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM testimony_fts), (SELECT count(*) FROM cjk_fts)`).Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d and %d", a, b)
}

// TestImportIndexesAheadAsReplay: an import indexes the interviews a bundle
// makes new while their revisions are verified (import_preindex.go); the
// journal replay of the same import indexes them the ordinary way. Both
// give the same rows, rowids and answers from both indexes, beside an
// interview the import updates and the vault's own interviews.
func TestImportIndexesAheadAsReplay(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	var ins []Input
	for i, text := range cjkTexts {
		ins = append(ins, sharedInput(fmt.Sprintf("P%d", i), text))
	}
	ids, err := alice.Add(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	// Bob has one of them already, and one of his own.
	importInto(t, bob, bundleTo(t, alice, "bob", ids[1]))
	if _, err := bob.Add(ctx, []Input{sharedInput("B1", "名单上 no one, 东京 passport office")}); err != nil {
		t.Fatal(err)
	}
	// A second revision of the interview bob has, and two of a new one.
	for _, k := range []int{1, 0, 0} {
		in := sharedInput(fmt.Sprintf("P%d", k), cjkTexts[k]+" 警察 came back with a passport list")
		in.ID = ids[k]
		if _, err := alice.Add(ctx, []Input{in}); err != nil {
			t.Fatal(err)
		}
	}
	counts := countPreindexed(t)
	rep := importInto(t, bob, bundleTo(t, alice, "bob"))
	if got, want := *counts, []int{len(cjkTexts) - 1}; !slices.Equal(got, want) {
		t.Fatalf("interviews indexed ahead: %v, want %v", got, want)
	}
	if rep.Interviews != len(cjkTexts)-1 {
		t.Fatalf("%d new interviews, want %d", rep.Interviews, len(cjkTexts)-1)
	}
	ahead := indexState(t, bob)
	if bob.journal.Size == 0 {
		t.Fatal("the import was checkpointed, not journalled: nothing would replay")
	}
	dir := bob.Dir()
	if err := bob.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, dir, OpenOptions{ReadOnly: true}, PassphraseIdentity([]byte("correct horse battery staple")))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if replayed := indexState(t, r); !slices.Equal(ahead, replayed) {
		t.Fatalf("indexed ahead:\n%v\nreplayed:\n%v", ahead, replayed)
	}
}

// TestImportRefusedIndexesNothing: a bundle of many new interviews whose
// revisions fail verification part way is refused with the first failure
// in bundle order, although the interviews before and after it were
// indexed ahead meanwhile; and the vault is unchanged, search indexes
// included. A bundle with the same failure in its last revision, or in
// a check made after verification (a sealed item it lacks), likewise.
func TestImportRefusedIndexesNothing(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	if _, err := bob.Add(ctx, []Input{sharedInput("B1", "Officers came to bob's own interview.")}); err != nil {
		t.Fatal(err)
	}
	const n = 40
	revs := make([]bundlefmt.Revision, n)
	for i := range revs {
		rev := &Revision{Interview: randomID(), Parents: []string{}, Author: alice.member.Name,
			AuthorKey: []byte(alice.member.SigningKey.Public().(ed25519.PublicKey)),
			CreatedAt: time.Date(2026, 12, 3, 12, 0, i, 0, time.UTC).Format(time.RFC3339Nano), Sealed: []string{},
			Record: goodRecord()}
		rev.Record.Testimony = fmt.Sprintf("Officers came %d times; zebrafinch %s.", i, strings.Repeat("警察来了。", i))
		rec, err := newRevisionRecord(alice.member.SigningKey, rev)
		if err != nil {
			t.Fatal(err)
		}
		revs[i] = bundlefmt.Revision{ID: rec.ID, Body: rec.Body, Testimony: rec.Testimony, Proof: rec.Proof, Sig: rec.Sig}
	}
	spoil := func(at ...int) []bundlefmt.Revision {
		out := slices.Clone(revs)
		for _, i := range at {
			out[i].Testimony = strings.Replace(out[i].Testimony, "Officers", "Soldiers", 1)
		}
		return out
	}
	cases := map[string]struct {
		revs  []bundlefmt.Revision
		edit  func(*bundlefmt.Body)
		first string // in the error
	}{
		"two spoiled, middle first": {revs: spoil(17, 31), first: short(revs[17].ID)},
		"last spoiled":              {revs: spoil(n - 1), first: short(revs[n-1].ID)},
		"first spoiled":             {revs: spoil(0), first: short(revs[0].ID)},
		"a sealed item missing": {revs: revs, first: "lacks sealed item", edit: func(b *bundlefmt.Body) {
			b.Revisions = slices.Clone(b.Revisions)
			rec := revisionRecord{ID: b.Revisions[5].ID, Body: b.Revisions[5].Body, Testimony: b.Revisions[5].Testimony}
			rev, err := rec.revision()
			if err != nil {
				t.Fatal(err)
			}
			rev.Sealed = []string{strings.Repeat("ab", 32)}
			r3, err := newRevisionRecord(alice.member.SigningKey, rev)
			if err != nil {
				t.Fatal(err)
			}
			b.Revisions[5] = bundlefmt.Revision{ID: r3.ID, Body: r3.Body, Testimony: r3.Testimony, Proof: r3.Proof, Sig: r3.Sig}
		}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			counts := countPreindexed(t)
			before, rows := vaultDigest(t, bob), indexRows(t, bob)
			_, err := bob.Import(ctx, bytes.NewReader(forgedBundle(t, alice, bob, c.edit, c.revs...)))
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), c.first) {
				t.Fatalf("import: %v, want damage naming %s", err, c.first)
			}
			if got := *counts; len(got) != 1 || got[0] != n {
				t.Fatalf("interviews indexed ahead: %v, want [%d]", got, n)
			}
			if after := vaultDigest(t, bob); after != before {
				t.Fatal("a refused import changed the vault")
			}
			// What the connection reads, a transaction left open included
			// (the digest is of what is committed).
			if got := indexRows(t, bob); got != rows {
				t.Fatalf("rows in the search indexes: %s, want %s", got, rows)
			}
			if found, err := bob.Search(ctx, "zebrafinch"); err != nil || len(found) != 0 {
				t.Fatalf("search finds %d interviews of the refused bundle (%v)", len(found), err)
			}
		})
	}
	// The bundle unspoiled imports, indexed ahead, and is found.
	counts := countPreindexed(t)
	if _, err := bob.Import(ctx, bytes.NewReader(forgedBundle(t, alice, bob, nil, revs...))); err != nil {
		t.Fatal(err)
	}
	if found, err := bob.Search(ctx, "zebrafinch"); err != nil || len(found) != n {
		t.Fatalf("search finds %d interviews of the bundle, want %d (%v)", len(found), n, err)
	}
	if got := *counts; !slices.Equal(got, []int{n}) {
		t.Fatalf("interviews indexed ahead: %v, want [%d]", got, n)
	}
}

// A bundle that is not plain (a new interview with two heads, or a
// redaction in the vault) is imported without indexing ahead, as before.
func TestImportNotPlainIndexesAsBefore(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob", "carol")
	alice, bob, carol := vs[0], vs[1], vs[2]
	ids, err := alice.Add(ctx, []Input{sharedInput("River", "Officers came twice. Zhou Wei was taken.")})
	if err != nil {
		t.Fatal(err)
	}
	// Alice and carol each make a revision of it: two heads at bob.
	importInto(t, carol, bundleTo(t, alice, "carol"))
	for _, v := range []*Vault{alice, carol} {
		in := sharedInput("River", "Officers came twice, said "+v.member.Name+".")
		in.ID = ids[0]
		if _, err := v.Add(ctx, []Input{in}); err != nil {
			t.Fatal(err)
		}
	}
	importInto(t, alice, bundleTo(t, carol, "alice"))
	counts := countPreindexed(t)
	importInto(t, bob, bundleTo(t, alice, "bob"))
	if got := *counts; !slices.Equal(got, []int{0}) {
		t.Fatalf("interviews indexed ahead: %v, want [0]", got)
	}
	view, err := bob.Get(ids[0])
	if err != nil || view.Heads != 2 {
		t.Fatalf("bob's view: %+v, %v", view, err)
	}
	found, err := bob.Search(ctx, "said")
	if err != nil || len(found) != 1 {
		t.Fatalf("search: %d found, %v", len(found), err)
	}
}
