package vault_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

func TestDraft(t *testing.T) {
	v, c := MustCreate(t)
	in := input("Pseudo", "Public words {{CanaryDraftSecret|a place}} and {{CanaryHalfTyped")
	in.Identity = &vault.Identity{Name: "CanaryDraftName"}
	if err := v.SaveDraft("k1", "", in); err != nil {
		t.Fatal(err)
	}
	v = MustReopen(t, v)
	ds, err := v.Drafts()
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Key != "k1" || !ds[0].Sealed {
		t.Fatalf("drafts=%+v", ds)
	}
	if got, want := ds[0].Record.Testimony, "Public words {{#1|a place}} and {{#2|unfinished sensitive span}}"; got != want {
		t.Fatalf("draft testimony=%q, want %q", got, want)
	}
	// What was withheld is sealed to the custodian, not lost.
	sec, err := v.RevealDraft("k1", c)
	if err != nil {
		t.Fatal(err)
	}
	if sec.Identity == nil || sec.Identity.Name != "CanaryDraftName" || len(sec.Spans) != 2 ||
		sec.Spans[0] != "{{CanaryDraftSecret|a place}}" || sec.Spans[1] != "{{CanaryHalfTyped|unfinished sensitive span}}" {
		t.Fatalf("revealed draft %+v", sec)
	}
	other, _ := crypto.NewIdentity()
	if _, err := v.RevealDraft("k1", other); err == nil {
		t.Fatal("another custodian key opened the draft")
	}
	dir := v.Dir()
	// Drafts live in the journal until a checkpoint; put it in the snapshot
	// to look at what the passphrase opens.
	if err := v.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	v.Close()
	data, _ := os.ReadFile(filepath.Join(dir, "keys", "passphrase-1.age"))
	id, err := crypto.OpenSlot(data, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := os.ReadFile(filepath.Join(dir, "vault.age"))
	image, err := crypto.OpenOwn(vault.DataKeysForTesting(dir, id)[0], snap)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(image, []byte("Public words")) {
		t.Fatal("the draft is not in the image; the check below proves nothing")
	}
	for _, c := range []string{"CanaryDraftSecret", "CanaryHalfTyped", "CanaryDraftName"} {
		if bytes.Contains(image, []byte(c)) {
			t.Errorf("the vault passphrase opens %q from a draft", c)
		}
	}
	v, err = vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.DeleteDraft("k1"); err != nil {
		t.Fatal(err)
	}
	if ds, err := v.Drafts(); err != nil || len(ds) != 0 {
		t.Fatalf("%d drafts after delete, %v", len(ds), err)
	}
}

func TestStats(t *testing.T) {
	v, _ := MustCreate(t)
	a := input("A", "x")
	a.Tags = []string{"exit-ban", "summoned"}
	a.Relatives = []vault.Relative{{Relation: "sister", Harms: []string{"summoned"}}, {Relation: "father", Harms: []string{"summoned", "job-loss"}}}
	b := input("B", "y")
	b.Tags = []string{"exit-ban"}
	if _, err := v.Add(context.Background(), []vault.Input{a, b}); err != nil {
		t.Fatal(err)
	}
	s, err := v.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.Interviews != 2 || len(s.ByTag) != 2 || s.ByTag[0] != (vault.Count{Label: "exit-ban", N: 2}) {
		t.Fatalf("stats=%+v", s)
	}
	if len(s.ByHarm) != 2 || s.ByHarm[0] != (vault.Count{Label: "summoned", N: 2}) || s.ByHarm[1] != (vault.Count{Label: "job-loss", N: 1}) {
		t.Fatalf("by harm=%+v", s.ByHarm)
	}
}

func TestLock(t *testing.T) {
	v, _ := MustCreate(t)
	if _, err := vault.Lock(v.Dir()); err == nil {
		t.Fatal("held the lock of an open vault")
	}
	dir := v.Dir()
	v.Close()
	h, err := vault.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase)); err == nil {
		t.Fatal("opened a held vault")
	}
	// The holder opens it: a wrong passphrase leaves the lock held, the
	// right one hands it to the vault.
	if _, err := h.Open(context.Background(), vault.OpenOptions{}, vault.PassphraseIdentity([]byte("not the passphrase"))); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Fatalf("err=%v, want ErrWrongPassphrase", err)
	}
	if _, err := vault.Lock(dir); !errors.Is(err, vault.ErrInUse) {
		t.Fatalf("after a failed open, Lock err=%v, want ErrInUse", err)
	}
	v2, err := h.Open(context.Background(), vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	h.Release() // does nothing: v2 has the lock
	if _, err := vault.Lock(dir); !errors.Is(err, vault.ErrInUse) {
		t.Fatalf("while open, Lock err=%v, want ErrInUse", err)
	}
	v2.Close()
	h2, err := vault.Lock(dir)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	h2.Release()
	v3, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	v3.Close()
}

// TestDraftSealKept: a draft restored and saved keeps the identity and span
// secrets sealed before, as they are; a later draft of it keeps them too,
// beside what is typed after the restore.
func TestDraftSealKept(t *testing.T) {
	v, c := MustCreate(t)
	in := input("Pseudo", "Words {{CanaryKeptSpan|a place}}.")
	in.Identity = &vault.Identity{Name: "CanaryKeptName"}
	if err := v.SaveDraft("k1", "", in); err != nil {
		t.Fatal(err)
	}
	v = MustReopen(t, v)
	ds, _ := v.Drafts()
	if len(ds) != 1 || ds[0].Seal == nil || !ds[0].Seal.Identity() || ds[0].Seal.Spans() != 1 {
		t.Fatalf("drafts=%+v", ds)
	}
	// Restored: the form is empty, the seal passed on; a new span typed.
	again := vault.Input{Interview: ds[0].Record, Sealed: ds[0].Seal}
	again.Testimony += " Then {{CanaryLaterSpan|a town}}."
	if err := v.SaveDraft("k1", "", again); err != nil {
		t.Fatal(err)
	}
	ds, _ = v.Drafts()
	if got, want := ds[0].Record.Testimony, "Words {{#1|a place}}. Then {{#2|a town}}."; got != want {
		t.Fatalf("draft testimony %q, want %q", got, want)
	}
	save := vault.Input{Interview: ds[0].Record, Sealed: ds[0].Seal}
	ids, err := v.Add(context.Background(), []vault.Input{save})
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.Reveal(context.Background(), ids[0], c)
	if err != nil {
		t.Fatal(err)
	}
	if r.Identity == nil || r.Identity.Name != "CanaryKeptName" || len(r.Spans) != 2 ||
		r.Spans[0].Secret != "CanaryKeptSpan" || r.Spans[1].Secret != "CanaryLaterSpan" {
		t.Fatalf("revealed %+v %+v", r.Identity, r.Spans)
	}
	// An identity typed after the restore replaces the kept one.
	edit := vault.Input{Interview: ds[0].Record, Sealed: ds[0].Seal, Identity: &vault.Identity{Name: "CanaryNewName"}}
	edit.Pseudonym = "Other"
	ids, err = v.Add(context.Background(), []vault.Input{edit})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := v.Reveal(context.Background(), ids[0], c); err != nil || r.Identity.Name != "CanaryNewName" {
		t.Fatalf("revealed %+v, %v", r, err)
	}
}

// TestDraftSealsHits: a name of the identity typed in the testimony or in
// another field is sealed like a span when the draft is written.
func TestDraftSealsHits(t *testing.T) {
	v, c := MustCreate(t)
	in := input("Pseudo", "Then Zhou Canary left.")
	in.Location = "near Zhou Canary's flat"
	in.Identity = &vault.Identity{Name: "Zhou Canary"}
	if err := v.SaveDraft("k1", "", in); err != nil {
		t.Fatal(err)
	}
	ds, _ := v.Drafts()
	if got, want := ds[0].Record.Testimony, "Then {{#1|a name}} left."; got != want {
		t.Fatalf("draft testimony %q, want %q", got, want)
	}
	if got, want := ds[0].Record.Location, "near [a name]'s flat"; got != want {
		t.Fatalf("draft location %q, want %q", got, want)
	}
	sec, err := v.RevealDraft("k1", c)
	if err != nil {
		t.Fatal(err)
	}
	if len(sec.Spans) != 1 || sec.Spans[0] != "{{Zhou Canary|a name}}" || sec.Fields["location"] != "near Zhou Canary's flat" {
		t.Fatalf("revealed draft %+v", sec)
	}
}
