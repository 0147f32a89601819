package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/internal/bundlefmt"
)

// Attacks on the import that indexes while it verifies (issue 17).

// forgeRev is a format 3 revision of interview by from's member, made at
// second sec, with parents and testimony.
func forgeRev(t *testing.T, from *Vault, interview string, sec int, testimony string, parents ...string) bundlefmt.Revision {
	t.Helper()
	rev := &Revision{Interview: interview, Parents: append([]string{}, parents...), Author: from.member.Name,
		AuthorKey: []byte(from.member.SigningKey.Public().(ed25519.PublicKey)),
		CreatedAt: time.Date(2026, 12, 3, 12, 0, sec, 0, time.UTC).Format(time.RFC3339Nano), Sealed: []string{},
		Record: goodRecord()}
	rev.Record.Testimony = testimony
	rec, err := newRevisionRecord(from.member.SigningKey, rev)
	if err != nil {
		t.Fatal(err)
	}
	return bundlefmt.Revision{ID: rec.ID, Body: rec.Body, Testimony: rec.Testimony, Proof: rec.Proof, Sig: rec.Sig}
}

// replayedState closes v and returns the index state of its journal's
// replay.
func replayedState(t *testing.T, v *Vault) []string {
	t.Helper()
	dir := v.Dir()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(context.Background(), dir, OpenOptions{ReadOnly: true}, PassphraseIdentity([]byte("correct horse battery staple")))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return indexState(t, r)
}

func searchCount(t *testing.T, v *Vault, q string) int {
	t.Helper()
	found, err := v.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return len(found)
}

func checkPasses(t *testing.T, v *Vault) {
	t.Helper()
	res, err := v.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.OK {
			t.Fatalf("check: %s: %s", r.What, r.Details)
		}
	}
}

// Bundles that look plain but are not quite: a revision twice, a child
// before its parent, a new interview named like one the vault holds in
// other case. Each imports as the journal's replay (the ordinary path)
// has it, search finds the head's words and not its parent's, and check
// passes.
func TestAttack17vPlainLookalikes(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	ids, err := bob.Add(ctx, []Input{sharedInput("B1", "Officers came to bob's own interview, ospreyword.")})
	if err != nil {
		t.Fatal(err)
	}
	x := randomID()
	x1 := forgeRev(t, alice, x, 1, "Officers came once; kestrelword.")
	x2 := forgeRev(t, alice, x, 2, "Officers came twice; zebrafinch 警察来了。", x1.ID)
	y := strings.ToUpper(ids[0])
	y1 := forgeRev(t, alice, y, 3, "Officers came thrice; wagtailword.")
	z := randomID()
	z1 := forgeRev(t, alice, z, 4, "Officers came at night; nightjarword.")
	counts := countPreindexed(t)
	_, err = bob.Import(ctx, bytes.NewReader(forgedBundle(t, alice, bob, nil, x2, z1, x1, x2, y1)))
	if err != nil {
		// A refused bundle changes nothing; the rest is for an accepted one.
		t.Logf("refused: %v", err)
		if searchCount(t, bob, "zebrafinch") != 0 {
			t.Fatal("a refused bundle is found")
		}
		return
	}
	t.Logf("indexed ahead: %v", *counts)
	for q, want := range map[string]int{"zebrafinch": 1, "kestrelword": 0, "nightjarword": 1, "ospreyword": 1, "警察来": 1} {
		if got := searchCount(t, bob, q); got != want {
			t.Errorf("search %q finds %d, want %d", q, got, want)
		}
	}
	checkPasses(t, bob)
	ahead := indexState(t, bob)
	if replayed := replayedState(t, bob); !slices.Equal(ahead, replayed) {
		t.Fatalf("indexed ahead:\n%v\nreplayed:\n%v", ahead, replayed)
	}
}

// A bundle that verifies and is indexed ahead, whose save then fails (the
// memory limit, a cancelled import): nothing indexed survives, search does
// not find its words, and the same bundle then imports.
func TestAttack17vApplyFailsAfterPreindex(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	if _, err := bob.Add(ctx, []Input{sharedInput("B1", "Officers came to bob's own interview.")}); err != nil {
		t.Fatal(err)
	}
	var revs []bundlefmt.Revision
	for i := range 12 {
		revs = append(revs, forgeRev(t, alice, randomID(), i, "Officers came; refusedword "+strings.Repeat("警察来了。", i)))
	}
	bundle := forgedBundle(t, alice, bob, nil, revs...)
	for _, name := range []string{"memory", "cancel"} {
		t.Run(name, func(t *testing.T) {
			before, rows := vaultDigest(t, bob), indexRows(t, bob)
			ictx, cancel := context.WithCancel(ctx)
			defer cancel()
			limit := bob.memoryLimit
			preindexedHook = func(n int) {
				if n == 0 {
					t.Error("nothing indexed ahead")
				}
				switch name {
				case "memory":
					bob.memoryLimit = 1
				case "cancel":
					cancel()
				}
			}
			defer func() { preindexedHook, bob.memoryLimit = nil, limit }()
			_, err := bob.Import(ictx, bytes.NewReader(bundle))
			if err == nil {
				t.Fatal("import succeeded")
			}
			if name == "memory" && !errors.Is(err, ErrMemoryFull) {
				t.Fatalf("import: %v, want memory full", err)
			}
			if after := vaultDigest(t, bob); after != before {
				t.Fatal("a refused import changed the vault")
			}
			if got := indexRows(t, bob); got != rows {
				t.Fatalf("rows in the search indexes: %s, want %s", got, rows)
			}
			if n := searchCount(t, bob, "refusedword"); n != 0 {
				t.Fatalf("search finds %d interviews of the refused bundle", n)
			}
		})
	}
	if _, err := bob.Import(ctx, bytes.NewReader(bundle)); err != nil {
		t.Fatal(err)
	}
	if n := searchCount(t, bob, "refusedword"); n != len(revs) {
		t.Fatalf("search finds %d, want %d", n, len(revs))
	}
	checkPasses(t, bob)
}

// A revision of an interview purged here names as parent one of two roots
// of a new interview. It is dropped on arrival (nothing of a purged
// interview is stored), so the new interview has two heads, as the old
// import made it: the one indexing ahead took the named root for no head,
// indexed the other, and then refused the bundle when the newer root
// showed ("indexed ahead of its save as another").
func TestAttack17vPurgedChildHidesHead(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	ids, err := bob.Add(ctx, []Input{sharedInput("Gone", "Officers came once; purgedword.")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Purge(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	x := randomID()
	x2 := forgeRev(t, alice, x, 2, "Officers came early; olderroot.")
	x1 := forgeRev(t, alice, x, 5, "Officers came late; newerroot.")
	p1 := forgeRev(t, alice, ids[0], 6, "Officers came again; purgedword.", x1.ID)
	counts := countPreindexed(t)
	if _, err := bob.Import(ctx, bytes.NewReader(forgedBundle(t, alice, bob, nil, x1, x2, p1))); err != nil {
		t.Fatalf("import: %v", err)
	}
	if got := *counts; !slices.Equal(got, []int{0}) {
		t.Errorf("interviews indexed ahead: %v, want [0] (two heads: not plain)", got)
	}
	view, err := bob.Get(x)
	if err != nil || view.Heads != 2 {
		t.Fatalf("the new interview: %+v, %v; want two heads", view, err)
	}
	for q, want := range map[string]int{"newerroot": 1, "olderroot": 0, "purgedword": 0} {
		if got := searchCount(t, bob, q); got != want {
			t.Errorf("search %q finds %d, want %d", q, got, want)
		}
	}
	checkPasses(t, bob)
	ahead := indexState(t, bob)
	if replayed := replayedState(t, bob); !slices.Equal(ahead, replayed) {
		t.Fatalf("imported:\n%v\nreplayed:\n%v", ahead, replayed)
	}
}

// The same with the purge order in the bundle itself: its interview's
// revision naming a root of a new interview is dropped on arrival, and the
// new interview has both roots for heads, found by Search and Find as the
// old import had it.
func TestAttack17vBundlePurgeHidesHead(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	ids, err := alice.Add(ctx, []Input{sharedInput("Gone", "Officers came once; purgedword.")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Purge(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	tombs, err := alice.gatherTombstones(ctx, sentMark{})
	if err != nil || len(tombs) != 1 {
		t.Fatalf("alice's tombstones: %d, %v", len(tombs), err)
	}
	x := randomID()
	x2 := forgeRev(t, alice, x, 2, "Officers came early; olderroot.")
	x1 := forgeRev(t, alice, x, 5, "Officers came late; newerroot.")
	p1 := forgeRev(t, alice, ids[0], 6, "Officers came again; purgedword.", x1.ID)
	bundle := forgedBundle(t, alice, bob, func(b *bundlefmt.Body) { b.Tombstones = tombs }, p1, x1, x2)
	if _, err := bob.Import(ctx, bytes.NewReader(bundle)); err != nil {
		t.Fatalf("import: %v", err)
	}
	view, err := bob.Get(x)
	if err != nil || view.Heads != 2 {
		t.Fatalf("the new interview: %+v, %v; want two heads", view, err)
	}
	for q, want := range map[string]int{"newerroot": 1, "olderroot": 0, "purgedword": 0} {
		if got := searchCount(t, bob, q); got != want {
			t.Errorf("search %q finds %d, want %d", q, got, want)
		}
		found, err := bob.Find(ctx, q, Filter{})
		if err != nil || len(found) != want {
			t.Errorf("find %q: %d, %v; want %d", q, len(found), err, want)
		}
	}
	checkPasses(t, bob)
	ahead := indexState(t, bob)
	if replayed := replayedState(t, bob); !slices.Equal(ahead, replayed) {
		t.Fatalf("imported:\n%v\nreplayed:\n%v", ahead, replayed)
	}
}
