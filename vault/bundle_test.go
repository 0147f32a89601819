package vault_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// team makes two vaults with the same custodian that know each other.
func team(t *testing.T) (a, b *vault.Vault, c *age.HybridIdentity) {
	t.Helper()
	c, _ = crypto.NewIdentity()
	mk := func(name string) *vault.Vault {
		v, err := vault.Create(filepath.Join(t.TempDir(), name), vault.CreateOptions{Name: name, Custodian: c.Recipient(), Passphrase: passphrase})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v.Close() })
		return v
	}
	a, b = mk("alice"), mk("bob")
	ca, _, _ := a.Card()
	cb, _, _ := b.Card()
	if _, err := a.AddMember(cb); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddMember(ca); err != nil {
		t.Fatal(err)
	}
	return a, b, c
}

func export(t *testing.T, from *vault.Vault, opts vault.ExportOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := from.Export(context.Background(), &buf, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustImport(t *testing.T, to *vault.Vault, bundle []byte) *vault.ImportReport {
	t.Helper()
	r, err := to.Import(context.Background(), bytes.NewReader(bundle))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func shareable(pseudonym, testimony string) vault.Input {
	in := input(pseudonym, testimony)
	in.Consent.Share = true
	return in
}

func TestBundle(t *testing.T) {
	t.Run("RoundTrip", func(t *testing.T) {
		a, b, c := team(t)
		in := shareable("Lin Qiao", "Officers came to {{Jiangxi|the home province}}. 警察来了。")
		in.Identity = &vault.Identity{Name: "Hidden Name"}
		ids, err := a.Add(context.Background(), []vault.Input{in, shareable("River", "second")})
		if err != nil {
			t.Fatal(err)
		}
		rep := mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
		if rep.Signer != "alice" || rep.NewRevisions != 2 || rep.Interviews != 2 {
			t.Fatalf("report %+v", rep)
		}
		got, err := b.Get(ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if got.Testimony != "Officers came to [the home province]. 警察来了。" {
			t.Fatalf("testimony %q", got.Testimony)
		}
		// The identity travelled sealed: the custodian opens it in B.
		r, err := b.Reveal(context.Background(), ids[0], c)
		if err != nil || r.Identity.Name != "Hidden Name" || r.Spans[0].Secret != "Jiangxi" {
			t.Fatalf("reveal in B: %+v, %v", r, err)
		}
		// B edits, sends back; A has the edit as its single head.
		edit := shareable("Lin Qiao", "Edited by Bob {{#1|the home province}}")
		edit.ID = ids[0]
		if _, err := b.Add(context.Background(), []vault.Input{edit}); err != nil {
			t.Fatal(err)
		}
		rep = mustImport(t, a, export(t, b, vault.ExportOptions{To: []string{"alice"}}))
		if rep.NewRevisions != 1 {
			t.Fatalf("report %+v", rep)
		}
		got, _ = a.Get(ids[0])
		if got.Heads != 1 || !strings.HasPrefix(got.Testimony, "Edited by Bob") || len(got.Revisions) != 2 {
			t.Fatalf("in A after the round trip: heads=%d revisions=%d %q", got.Heads, len(got.Revisions), got.Testimony)
		}
	})

	t.Run("Idempotent", func(t *testing.T) {
		a, b, _ := team(t)
		a.Add(context.Background(), []vault.Input{shareable("P", "x")})
		bundle := export(t, a, vault.ExportOptions{To: []string{"bob"}})
		mustImport(t, b, bundle)
		before := snapshotFiles(t, b.Dir())
		rep := mustImport(t, b, bundle)
		if rep.NewRevisions != 0 {
			t.Fatalf("re-import brought %d revisions", rep.NewRevisions)
		}
		if !equalFiles(before, snapshotFiles(t, b.Dir())) {
			t.Fatal("a re-import changed files")
		}
	})

	t.Run("ConflictAndResolution", func(t *testing.T) {
		a, b, _ := team(t)
		ids, _ := a.Add(context.Background(), []vault.Input{shareable("P", "original")})
		mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
		ea, eb := shareable("P", "edited by alice"), shareable("P", "edited by bob")
		ea.ID, eb.ID = ids[0], ids[0]
		a.Add(context.Background(), []vault.Input{ea})
		b.Add(context.Background(), []vault.Input{eb})
		rep := mustImport(t, a, export(t, b, vault.ExportOptions{To: []string{"alice"}}))
		if rep.Conflicts != 1 {
			t.Fatalf("conflicts=%d, want 1", rep.Conflicts)
		}
		got, _ := a.Get(ids[0])
		if got.Heads != 2 {
			t.Fatalf("heads=%d, want 2: no edit may be lost", got.Heads)
		}
		// Resolve in A: a revision with both heads as parents.
		res := shareable("P", "merged by alice")
		res.ID = ids[0]
		a.Add(context.Background(), []vault.Input{res})
		got, _ = a.Get(ids[0])
		last := got.Revisions[len(got.Revisions)-1]
		if got.Heads != 1 || len(last.Parents) != 2 {
			t.Fatalf("after resolving: heads=%d parents=%v", got.Heads, last.Parents)
		}
		mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
		got, _ = b.Get(ids[0])
		if got.Heads != 1 || got.Testimony != "merged by alice" {
			t.Fatalf("in B: heads=%d %q", got.Heads, got.Testimony)
		}
	})

	t.Run("NoRollback", func(t *testing.T) {
		a, b, _ := team(t)
		ids, _ := a.Add(context.Background(), []vault.Input{shareable("P", "v1")})
		old := export(t, a, vault.ExportOptions{To: []string{"bob"}})
		e := shareable("P", "v2")
		e.ID = ids[0]
		a.Add(context.Background(), []vault.Input{e})
		mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
		mustImport(t, b, old)
		got, _ := b.Get(ids[0])
		if got.Heads != 1 || got.Testimony != "v2" {
			t.Fatalf("an older bundle rolled back: heads=%d %q", got.Heads, got.Testimony)
		}
	})

	t.Run("PurgePropagatesAndStays", func(t *testing.T) {
		a, b, _ := team(t)
		in := shareable("Withdrawn", "CanaryPurged testimony")
		in.Identity = &vault.Identity{Name: "CanaryPurgedName"}
		ids, _ := a.Add(context.Background(), []vault.Input{in, shareable("Kept", "kept")})
		old := export(t, a, vault.ExportOptions{To: []string{"bob"}})
		mustImport(t, b, old)
		if _, err := a.Purge(context.Background(), ids[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Get(ids[0]); !errors.Is(err, vault.ErrNotFound) {
			t.Fatalf("purged interview still in A: %v", err)
		}
		rep := mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
		if rep.Purged != 1 {
			t.Fatalf("report %+v", rep)
		}
		if _, err := b.Get(ids[0]); !errors.Is(err, vault.ErrNotFound) {
			t.Fatalf("purge did not reach B: %v", err)
		}
		// The old bundle again: nothing comes back.
		mustImport(t, b, old)
		if _, err := b.Get(ids[0]); !errors.Is(err, vault.ErrNotFound) {
			t.Fatal("an old bundle resurrected a purged interview")
		}
		if n, err := b.Count(); err != nil || n != 1 {
			t.Fatalf("count=%d, %v, want 1", n, err)
		}
		// Nothing of it is left on either disk, once closed.
		for _, v := range []*vault.Vault{a, b} {
			dir := v.Dir()
			v.Close()
			v2, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
			if err != nil {
				t.Fatal(err)
			}
			if res, err := v2.Search(context.Background(), "CanaryPurged"); err != nil || len(res) != 0 {
				t.Fatalf("purged testimony still searchable: %d results, %v", len(res), err)
			}
			v2.Close()
		}
	})

	t.Run("Unshareable", func(t *testing.T) {
		a, b, _ := team(t)
		a.Add(context.Background(), []vault.Input{input("Private", "consent to share not given"), shareable("Open", "ok")})
		var buf bytes.Buffer
		rep, err := a.Export(context.Background(), &buf, vault.ExportOptions{To: []string{"bob"}})
		if err != nil || rep.Unshareable != 1 || rep.Interviews != 1 {
			t.Fatalf("report %+v, %v", rep, err)
		}
		mustImport(t, b, buf.Bytes())
		if n, err := b.Count(); err != nil || n != 1 {
			t.Fatalf("count=%d, %v, want 1", n, err)
		}
		mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}, IncludeUnshareable: true}))
		if n, err := b.Count(); err != nil || n != 2 {
			t.Fatalf("count=%d, %v, want 2", n, err)
		}
	})

	t.Run("SinceLast", func(t *testing.T) {
		a, b, _ := team(t)
		a.Add(context.Background(), []vault.Input{shareable("One", "1")})
		mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}, SinceLast: true}))
		a.Add(context.Background(), []vault.Input{shareable("Two", "2")})
		var buf bytes.Buffer
		rep, err := a.Export(context.Background(), &buf, vault.ExportOptions{To: []string{"bob"}, SinceLast: true})
		if err != nil || rep.Interviews != 1 {
			t.Fatalf("since-last report %+v, %v", rep, err)
		}
		mustImport(t, b, buf.Bytes())
		if n, err := b.Count(); err != nil || n != 2 {
			t.Fatalf("count=%d, %v, want 2", n, err)
		}
	})

	t.Run("Selection", func(t *testing.T) {
		a, _, _ := team(t)
		one := shareable("One", "1")
		one.Tags = []string{"exit-ban"}
		ids, _ := a.Add(context.Background(), []vault.Input{one, shareable("Two", "2"), shareable("Three", "3")})
		for _, tc := range []struct {
			opts vault.ExportOptions
			want int
		}{
			{vault.ExportOptions{To: []string{"bob"}, Tags: []string{"exit-ban"}}, 1},
			{vault.ExportOptions{To: []string{"bob"}, IDs: []string{ids[1][:6], ids[2]}}, 2},
			{vault.ExportOptions{To: []string{"bob"}}, 3},
		} {
			rep, err := a.Export(context.Background(), &bytes.Buffer{}, tc.opts)
			if err != nil || rep.Interviews != tc.want {
				t.Fatalf("%+v: report %+v, %v", tc.opts, rep, err)
			}
		}
	})
}

func TestBundleRefused(t *testing.T) {
	a, b, _ := team(t)
	a.Add(context.Background(), []vault.Input{shareable("P", "small")})
	good := export(t, a, vault.ExportOptions{To: []string{"bob"}})
	before := snapshotFiles(t, b.Dir())
	unchanged := func(what string) {
		t.Helper()
		if !equalFiles(before, snapshotFiles(t, b.Dir())) {
			t.Fatalf("%s: the vault changed", what)
		}
		if n, err := b.Count(); err != nil || n != 0 {
			t.Fatalf("%s: %d interviews arrived, %v", what, n, err)
		}
	}

	t.Run("EveryByteChanged", func(t *testing.T) {
		for i := range good {
			bad := bytes.Clone(good)
			bad[i] ^= 0x01
			if _, err := b.Import(context.Background(), bytes.NewReader(bad)); err == nil {
				t.Fatalf("byte %d of %d changed: imported", i, len(good))
			}
		}
		unchanged("altered")
	})
	t.Run("Truncated", func(t *testing.T) {
		for _, n := range []int{0, 10, len(good) / 2, len(good) - 1} {
			if _, err := b.Import(context.Background(), bytes.NewReader(good[:n])); !errors.Is(err, vault.ErrDamaged) {
				t.Fatalf("cut at %d: err=%v, want ErrDamaged", n, err)
			}
		}
		unchanged("truncated")
	})
	t.Run("NotABundle", func(t *testing.T) {
		if _, err := b.Import(context.Background(), strings.NewReader("hello")); !errors.Is(err, vault.ErrDamaged) {
			t.Fatalf("err=%v", err)
		}
		// An age file that is not a bundle.
		cb, _, _ := b.Card()
		card, _ := crypto.ParseCard(cb)
		r, _ := age.ParseHybridRecipient(card.Recipient)
		ct, _ := crypto.Encrypt([]byte("just some text"), r)
		if _, err := b.Import(context.Background(), bytes.NewReader(ct)); !errors.Is(err, vault.ErrDamaged) {
			t.Fatalf("err=%v", err)
		}
		unchanged("not a bundle")
	})
	t.Run("UnknownSigner", func(t *testing.T) {
		c, _ := crypto.NewIdentity()
		stranger, err := vault.Create(filepath.Join(t.TempDir(), "mallory"), vault.CreateOptions{Name: "mallory", Custodian: c.Recipient(), Passphrase: passphrase})
		if err != nil {
			t.Fatal(err)
		}
		defer stranger.Close()
		cb, _, _ := b.Card()
		stranger.AddMember(cb)
		stranger.Add(context.Background(), []vault.Input{shareable("Forged", "forged testimony")})
		_, err = b.Import(context.Background(), bytes.NewReader(export(t, stranger, vault.ExportOptions{To: []string{"bob"}})))
		if !errors.Is(err, vault.ErrUnknownSigner) {
			t.Fatalf("err=%v, want ErrUnknownSigner", err)
		}
		unchanged("unknown signer")
	})
	t.Run("NotForMe", func(t *testing.T) {
		other, _ := crypto.NewIdentity()
		bundle := export(t, a, vault.ExportOptions{Recipients: []age.Recipient{other.Recipient()}})
		if _, err := b.Import(context.Background(), bytes.NewReader(bundle)); !errors.Is(err, vault.ErrNotForMe) {
			t.Fatalf("err=%v, want ErrNotForMe", err)
		}
		unchanged("not for me")
	})
	t.Run("MixedRecipients", func(t *testing.T) {
		x, _ := age.GenerateX25519Identity()
		_, err := a.Export(context.Background(), &bytes.Buffer{}, vault.ExportOptions{To: []string{"bob"}, Recipients: []age.Recipient{x.Recipient()}})
		if !errors.Is(err, vault.ErrMixedRecipients) {
			t.Fatalf("err=%v, want ErrMixedRecipients", err)
		}
	})
}

// TestBundleWithAge exports to a plain age recipient and decrypts the bundle
// with the real age tool.
func TestBundleWithAge(t *testing.T) {
	ageTool := needTool(t, "age")
	a, _, _ := team(t)
	a.Add(context.Background(), []vault.Input{shareable("P", "for age")})
	id, _ := crypto.NewIdentity()
	bundle := export(t, a, vault.ExportOptions{Recipients: []age.Recipient{id.Recipient()}})
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "key.txt"), crypto.MarshalIdentity(id, now()), 0o600)
	os.WriteFile(filepath.Join(dir, "b.tvb"), bundle, 0o600)
	out, err := execOutput(ageTool, "-d", "-i", filepath.Join(dir, "key.txt"), filepath.Join(dir, "b.tvb"))
	if err != nil {
		t.Fatalf("age -d: %v\n%s", err, out)
	}
	// The recipients list, which the signature covers, names the age
	// recipient: age sees the bundle as any other file.
	if !bytes.HasPrefix(out, []byte("tvault bundle v3\n")) || !bytes.Contains(out, []byte("for age")) ||
		!bytes.Contains(out, []byte(`"recipients":["`+id.Recipient().String()+`"]`)) {
		t.Fatalf("age decrypted %q…", out[:min(len(out), 40)])
	}
}
