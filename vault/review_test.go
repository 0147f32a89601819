package vault_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// Regression tests for problems found in review.

// A revision added after a purge must still go out with --since-last: a
// purge must not let a later revision reuse a number already marked sent.
func TestSinceLastAfterPurge(t *testing.T) {
	a, b, _ := team(t)
	ids, _ := a.Add(context.Background(), []vault.Input{shareable("Y", "y"), shareable("X", "x")})
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}, SinceLast: true}))
	if _, err := a.Purge(context.Background(), ids[1]); err != nil {
		t.Fatal(err)
	}
	a.Add(context.Background(), []vault.Input{shareable("Z", "z")})
	var buf bytes.Buffer
	rep, err := a.Export(context.Background(), &buf, vault.ExportOptions{To: []string{"bob"}, SinceLast: true})
	if err != nil || rep.Interviews != 1 {
		t.Fatalf("report %+v, %v: the interview added after the purge was left out", rep, err)
	}
}

// A rotation keeps a conflict visible: one rotation revision per head.
func TestRotateKeepsConflict(t *testing.T) {
	a, b, c := team(t)
	in := shareable("P", "original")
	in.Identity = &vault.Identity{Name: "N"}
	ids, _ := a.Add(context.Background(), []vault.Input{in})
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	ea, eb := shareable("P", "alice's"), shareable("P", "bob's")
	ea.ID, eb.ID = ids[0], ids[0]
	a.Add(context.Background(), []vault.Input{ea})
	b.Add(context.Background(), []vault.Input{eb})
	mustImport(t, a, export(t, b, vault.ExportOptions{To: []string{"alice"}}))
	next, _ := crypto.NewIdentity()
	if _, err := a.RotateCustodian(context.Background(), c, next.Recipient(), nil); err != nil {
		t.Fatal(err)
	}
	got, _ := a.Get(ids[0])
	if got.Heads != 2 {
		t.Fatalf("heads=%d after rotation, want 2: the conflict was resolved behind the users' backs", got.Heads)
	}
	if r, err := a.Reveal(context.Background(), ids[0], next); err != nil || r.Identity == nil || r.Identity.Name != "N" {
		t.Fatalf("reveal after rotation: %+v, %v", r, err)
	}
}

// A teammate who has not rotated cannot bring items sealed to the retired
// custodian back into current revisions.
func TestImportAfterRotationNeedsSenderToRotate(t *testing.T) {
	a, b, c := team(t)
	in := shareable("P", "original")
	in.Identity = &vault.Identity{Name: "N"}
	ids, _ := a.Add(context.Background(), []vault.Input{in})
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	next, _ := crypto.NewIdentity()
	if _, err := a.RotateCustodian(context.Background(), c, next.Recipient(), nil); err != nil {
		t.Fatal(err)
	}
	e := shareable("P", "bob edits")
	e.ID = ids[0]
	b.Add(context.Background(), []vault.Input{e})
	_, err := a.Import(context.Background(), bytes.NewReader(export(t, b, vault.ExportOptions{To: []string{"alice"}})))
	if !errors.Is(err, vault.ErrRetiredCustodian) {
		t.Fatalf("err=%v, want ErrRetiredCustodian", err)
	}
	if r, err := a.Reveal(context.Background(), ids[0], next); err != nil || r.Identity.Name != "N" {
		t.Fatalf("reveal: %+v, %v", r, err)
	}
}

// A purge is obeyed only if this member or one on the roster ordered it,
// even inside a bundle from a trusted teammate.
func TestForwardedPurgeFromStrangerRefused(t *testing.T) {
	a, b, c := team(t)
	carol, err := vault.Create(filepath.Join(t.TempDir(), "carol"), vault.CreateOptions{Name: "carol", Custodian: c.Recipient(), Passphrase: passphrase})
	if err != nil {
		t.Fatal(err)
	}
	defer carol.Close()
	cc, _, _ := carol.Card()
	cb, _, _ := b.Card()
	ca, _, _ := a.Card()
	b.AddMember(cc)
	carol.AddMember(cb)
	// Carol knows alice, whose revisions bob forwards (a revision's author
	// must be on the importer's roster); alice does not know carol.
	carol.AddMember(ca)

	ids, _ := a.Add(context.Background(), []vault.Input{shareable("P", "x")})
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	mustImport(t, carol, export(t, b, vault.ExportOptions{To: []string{"carol"}}))
	if _, err := carol.Purge(context.Background(), ids[0]); err != nil {
		t.Fatal(err)
	}
	mustImport(t, b, export(t, carol, vault.ExportOptions{To: []string{"bob"}}))
	_, err = a.Import(context.Background(), bytes.NewReader(export(t, b, vault.ExportOptions{To: []string{"alice"}})))
	if !errors.Is(err, vault.ErrUnknownSigner) {
		t.Fatalf("err=%v, want ErrUnknownSigner for a purge ordered by a stranger", err)
	}
	if _, err := a.Get(ids[0]); err != nil {
		t.Fatalf("the interview was purged by a stranger's order: %v", err)
	}
}

// Bundles carry the exporter's audit head; an importer that once saw a
// longer log from the same member says so.
func TestBundleAuditHead(t *testing.T) {
	a, b, _ := team(t)
	a.Add(context.Background(), []vault.Input{shareable("P", "x")})
	old := export(t, a, vault.ExportOptions{To: []string{"bob"}})
	a.Add(context.Background(), []vault.Input{shareable("Q", "y")})
	newer := export(t, a, vault.ExportOptions{To: []string{"bob"}})
	if rep := mustImport(t, b, newer); len(rep.Warnings) != 0 {
		t.Fatalf("warnings on a fresh import: %v", rep.Warnings)
	}
	rep := mustImport(t, b, old)
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "audit log ends at event") {
		t.Fatalf("warnings %v, want one about the shorter audit log", rep.Warnings)
	}
}
