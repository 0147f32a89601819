package vault

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
)

// members makes vaults for the named members, each with all the others on
// its roster.
func members(t *testing.T, names ...string) []*Vault {
	t.Helper()
	c, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	vs := make([]*Vault, len(names))
	cards := make([][]byte, len(names))
	for i, name := range names {
		v, err := Create(filepath.Join(t.TempDir(), name), CreateOptions{Name: name, Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v.Close() })
		vs[i] = v
		if cards[i], _, err = v.Card(); err != nil {
			t.Fatal(err)
		}
	}
	for i, v := range vs {
		for j := range vs {
			if i != j {
				if _, err := v.AddMember(cards[j]); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return vs
}

func bundleTo(t *testing.T, from *Vault, to string, ids ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := from.Export(context.Background(), &buf, ExportOptions{To: []string{to}, IDs: ids}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sharedInput(pseudonym, testimony string) Input {
	var in Input
	in.Pseudonym, in.Testimony = pseudonym, testimony
	in.Consent.Record, in.Consent.Quote, in.Consent.Share = true, true, true
	return in
}

// poison adds to v, bypassing apply, a revision of interview b signed by
// v's member that names parent (a revision of another interview) as well
// as b's head: what a modified tvault on a roster member's laptop can send.
func poison(t *testing.T, v *Vault, b, parent string) string {
	t.Helper()
	ctx := context.Background()
	heads, err := v.headRevisions(ctx, b)
	if err != nil || len(heads) != 1 {
		t.Fatalf("heads of %s: %d, %v", b, len(heads), err)
	}
	r := *heads[0]
	r.Parents = []string{heads[0].ID, parent}
	created, err := time.Parse(time.RFC3339Nano, heads[0].CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	r.CreatedAt = created.Add(time.Second).Format(time.RFC3339Nano) // newer, and a time: import checks
	rec, err := newRevisionRecord(v.member.SigningKey, &r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.conn.ExecContext(ctx, `INSERT INTO revisions (id, interview, body, testimony, sig, proof) VALUES (?, ?, ?, ?, ?, ?)`,
		r.ID, b, []byte(rec.Body), rec.Testimony, rec.Sig, []byte(rec.Proof)); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// Attack 2 of issue 11: a roster member sends a revision of an unrelated
// interview that names one of Alice's revisions as its parent. It must not
// hide Alice's revision from her interview's heads: refused when the parent
// is known, ignored for heads when it arrives later, reported by check.
func TestAttackCrossInterviewParent(t *testing.T) {
	vs := members(t, "alice", "bob", "carol")
	alice, bob, carol := vs[0], vs[1], vs[2]
	ids, err := alice.Add(context.Background(), []Input{sharedInput("A", "alice's interview")})
	if err != nil {
		t.Fatal(err)
	}
	a := ids[0]
	if _, err := bob.Import(context.Background(), bytes.NewReader(bundleTo(t, alice, "bob", a))); err != nil {
		t.Fatal(err)
	}
	aHead, _ := bob.Get(a)
	a1 := aHead.Revisions[len(aHead.Revisions)-1].ID
	ids, err = bob.Add(context.Background(), []Input{sharedInput("B", "bob's interview")})
	if err != nil {
		t.Fatal(err)
	}
	b := ids[0]
	poison(t, bob, b, a1)

	// Alice has a1: the revision is refused as damaged, and nothing of the
	// bundle enters her vault.
	_, err = alice.Import(context.Background(), bytes.NewReader(bundleTo(t, bob, "alice", b)))
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("alice imported the poisoned bundle: err=%v, want ErrDamaged", err)
	}
	if _, err := alice.Get(b); !errors.Is(err, ErrNotFound) {
		t.Fatalf("interview B after a refused bundle: err=%v, want ErrNotFound", err)
	}

	// Carol does not have a1 yet: nothing can tell that the parent is of
	// another interview, so the bundle imports; when a1 arrives it stays
	// the head of A, and Alice's later edit (quoting withdrawn) arrives.
	if _, err := carol.Import(context.Background(), bytes.NewReader(bundleTo(t, bob, "carol", b))); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.Import(context.Background(), bytes.NewReader(bundleTo(t, alice, "carol", a))); err != nil {
		t.Fatalf("alice's bundle carrying A after the poisoning: %v", err)
	}
	view, err := carol.Get(a)
	if err != nil || view.Heads != 1 || view.Revisions[0].ID != a1 {
		t.Fatalf("carol's A: %+v, %v; want one head, %s", view, err, short(a1))
	}
	edit := sharedInput("A", "alice's interview")
	edit.ID, edit.Consent.Quote = a, false
	if _, err := alice.Add(context.Background(), []Input{edit}); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.Import(context.Background(), bytes.NewReader(bundleTo(t, alice, "carol", a))); err != nil {
		t.Fatalf("alice's edit: %v", err)
	}
	if view, err = carol.Get(a); err != nil || view.Heads != 1 || view.Consent.Quote {
		t.Fatalf("carol's A after alice's edit: heads=%d quote=%v err=%v, want the withdrawal", view.Heads, view.Consent.Quote, err)
	}

	// check reports the link across interviews, and heads stay consistent.
	results, err := carol.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, r := range results {
		switch r.What {
		case "parents":
			seen = true
			if r.OK {
				t.Fatalf("check: %+v, want the cross-interview parent reported", r)
			}
		case "heads":
			if !r.OK {
				t.Fatalf("check: %+v", r)
			}
		}
	}
	if !seen {
		t.Fatal("check has no parents line")
	}
	// The same holds after a reopen (the journal replays the poisoned
	// import without refusing it).
	dir := carol.Dir()
	carol.Close()
	carol, err = Open(context.Background(), dir, OpenOptions{}, PassphraseIdentity([]byte("correct horse battery staple")))
	if err != nil {
		t.Fatal(err)
	}
	defer carol.Close()
	if view, err = carol.Get(a); err != nil || view.Heads != 1 || view.Consent.Quote {
		t.Fatalf("carol's A after a reopen: %+v, %v", view, err)
	}
}
