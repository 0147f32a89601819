package vault_test

import (
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

// crew makes vaults with the same custodian that all know each other.
func crew(t *testing.T, names ...string) map[string]*vault.Vault {
	t.Helper()
	c, _ := crypto.NewIdentity()
	vs := map[string]*vault.Vault{}
	for _, name := range names {
		v, err := vault.Create(filepath.Join(t.TempDir(), name), vault.CreateOptions{Name: name, Custodian: c.Recipient(), Passphrase: passphrase})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v.Close() })
		vs[name] = v
	}
	for _, a := range names {
		for _, b := range names {
			if a != b {
				card, _, _ := vs[b].Card()
				if _, err := vs[a].AddMember(card); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return vs
}

// stolenCopy closes v, copies its folder (what an adversary who held the
// laptop and its passphrase keeps) and returns v reopened and the copy
// opened.
func stolenCopy(t *testing.T, v *vault.Vault) (reopened, stolen *vault.Vault) {
	t.Helper()
	dir := v.Dir()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	copyDir := filepath.Join(t.TempDir(), "stolen")
	if err := os.CopyFS(copyDir, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	open := func(d string) *vault.Vault {
		o, err := vault.Open(context.Background(), d, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { o.Close() })
		return o
	}
	return open(dir), open(copyDir)
}

func fingerprint(t *testing.T, v *vault.Vault) string {
	t.Helper()
	_, c, err := v.Card()
	if err != nil {
		t.Fatal(err)
	}
	return c.Fingerprint()
}

func rosterPrint(t *testing.T, v *vault.Vault, name string) string {
	t.Helper()
	team, err := v.Team()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range team {
		if m.Name == name {
			return m.Fingerprint
		}
	}
	t.Fatalf("%s is not on the roster", name)
	return ""
}

func TestRotateMemberKey(t *testing.T) {
	ctx := context.Background()
	vs := crew(t, "alice", "bob")
	a, b := vs["alice"], vs["bob"]
	ids, err := a.Add(ctx, []vault.Input{shareable("Before", "sent before the rotation")})
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	// Signed with the old key, never sent: the new key vouches for it.
	if _, err := a.Add(ctx, []vault.Input{shareable("Unsent", "made before the rotation, sent after")}); err != nil {
		t.Fatal(err)
	}
	// A bundle Bob makes before he learns the new key: to the old recipient.
	if _, err := b.Add(ctx, []vault.Input{shareable("From Bob", "bob's")}); err != nil {
		t.Fatal(err)
	}
	toOld := export(t, b, vault.ExportOptions{To: []string{"alice"}})

	oldPrint := fingerprint(t, a)
	k, err := a.RotateMemberKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k.OldFingerprint, oldPrint; got != want {
		t.Fatalf("old fingerprint %s, want %s", got, want)
	}
	if got := fingerprint(t, a); got != k.NewFingerprint || got == oldPrint {
		t.Fatalf("fingerprint after the rotation %s, want the new %s", got, k.NewFingerprint)
	}
	a = MustReopen(t, a)
	if got := fingerprint(t, a); got != k.NewFingerprint {
		t.Fatalf("fingerprint after reopening %s, want %s", got, k.NewFingerprint)
	}
	// The old audit events, signed with the old key, still verify.
	if n, problems, err := a.VerifyAudit(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("audit verify after the rotation: %d events, %v, %v", n, problems, err)
	}
	if failed := checkFailures(t, a); len(failed) > 0 {
		t.Fatalf("check after the rotation: %v", failed)
	}

	// The incoming direction: Bob's bundle to the old recipient still opens.
	rep := mustImport(t, a, toOld)
	if rep.NewRevisions != 1 || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "old member key") {
		t.Fatalf("bundle to the old recipient: %+v", rep)
	}

	// A purge after the rotation is signed with the new key.
	if _, err := a.Purge(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	rep = mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	if len(rep.KeyChanges) != 1 || rep.KeyChanges[0].NewFingerprint != k.NewFingerprint || rep.KeyChanges[0].OldFingerprint != oldPrint || rep.KeyChanges[0].Member != "alice" {
		t.Fatalf("bob's import: key changes %+v, want alice %s → %s", rep.KeyChanges, oldPrint, k.NewFingerprint)
	}
	if rep.NewRevisions != 1 || rep.Purged != 1 {
		t.Fatalf("bob's import: %+v, want the unsent revision and the purge", rep)
	}
	if got := rosterPrint(t, b, "alice"); got != k.NewFingerprint {
		t.Fatalf("bob's roster: alice %s, want %s", got, k.NewFingerprint)
	}
	msg := vault.CompareOutLoud(rep.KeyChanges[0])
	if !strings.Contains(msg, k.NewFingerprint) || !strings.Contains(msg, "out loud") {
		t.Fatalf("the report does not say to compare the whole fingerprint: %q", msg)
	}
	// Bob's next bundle goes to the new recipient: no warning.
	if _, err := b.Add(ctx, []vault.Input{shareable("Bob Again", "bob's second")}); err != nil {
		t.Fatal(err)
	}
	if rep := mustImport(t, a, export(t, b, vault.ExportOptions{To: []string{"alice"}})); len(rep.Warnings) != 0 {
		t.Fatalf("bundle to the new recipient: warnings %v", rep.Warnings)
	}
	// The same bundle again brings nothing; since-last has nothing new.
	if rep := mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}})); len(rep.KeyChanges) != 0 || rep.NewRevisions != 0 {
		t.Fatalf("second import: %+v", rep)
	}
	if _, err := a.Export(ctx, &strings.Builder{}, vault.ExportOptions{To: []string{"bob"}, SinceLast: true}); !errors.Is(err, vault.ErrNothingNew) {
		t.Fatalf("since-last after sending the key change: %v, want ErrNothingNew", err)
	}
}

// Whoever holds the retired key (a copy of the vault taken before the
// rotation, with its passphrase) can sign and backdate. What they sign is
// refused once the rotation is known, unless it was known before or the
// member's new key vouches for it; a second rotation of the same old key is
// refused.
func TestRetiredKey(t *testing.T) {
	ctx := context.Background()
	vs := crew(t, "alice", "bob", "dan")
	a, b, dan := vs["alice"], vs["bob"], vs["dan"]
	ids, err := a.Add(ctx, []vault.Input{shareable("Shared", "before"), shareable("Target", "to be purged by the thief")})
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	mustImport(t, dan, export(t, a, vault.ExportOptions{To: []string{"dan"}}))
	a, evil := stolenCopy(t, a)
	if _, err := a.RotateMemberKey(ctx); err != nil {
		t.Fatal(err)
	}
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))

	t.Run("KnownBeforeRotation", func(t *testing.T) {
		// Dan has not heard of the rotation; his bundle carries what the
		// old key signed before it, which bob has: accepted.
		if _, err := dan.Add(ctx, []vault.Input{shareable("Dan's", "dan's own")}); err != nil {
			t.Fatal(err)
		}
		rep := mustImport(t, b, export(t, dan, vault.ExportOptions{To: []string{"bob"}}))
		if rep.NewRevisions != 1 || rep.Revisions != 3 {
			t.Fatalf("dan's bundle with alice's old-key revisions bob has: %+v", rep)
		}
	})
	t.Run("BundleSignedWithRetiredKey", func(t *testing.T) {
		if _, err := evil.Add(ctx, []vault.Input{shareable("Backdated", "forged")}); err != nil {
			t.Fatal(err)
		}
		_, err := b.Import(ctx, strings.NewReader(string(export(t, evil, vault.ExportOptions{To: []string{"bob"}}))))
		if !errors.Is(err, vault.ErrRetiredKey) {
			t.Fatalf("bundle signed with alice's retired key: %v, want ErrRetiredKey", err)
		}
	})
	t.Run("ForwardedByTeammate", func(t *testing.T) {
		// Dan has not heard of the rotation: he takes what the old key
		// signs (he cannot know better) and passes it on.
		if _, err := evil.Purge(ctx, ids[1]); err != nil {
			t.Fatal(err)
		}
		rep := mustImport(t, dan, export(t, evil, vault.ExportOptions{To: []string{"dan"}}))
		if rep.Purged != 1 {
			t.Fatalf("dan's import from the old key: %+v", rep)
		}
		_, err := b.Import(ctx, strings.NewReader(string(export(t, dan, vault.ExportOptions{To: []string{"bob"}}))))
		if !errors.Is(err, vault.ErrRetiredKey) {
			t.Fatalf("old-key items forwarded by dan: %v, want ErrRetiredKey", err)
		}
		if _, err := b.Get(ids[1]); err != nil {
			t.Fatalf("the thief's purge reached bob: %v", err)
		}
	})
	t.Run("SecondRotation", func(t *testing.T) {
		if _, err := evil.RotateMemberKey(ctx); err != nil {
			t.Fatal(err)
		}
		_, err := b.Import(ctx, strings.NewReader(string(export(t, evil, vault.ExportOptions{To: []string{"bob"}}))))
		if !errors.Is(err, vault.ErrKeyConflict) {
			t.Fatalf("a second rotation of alice's old key: %v, want ErrKeyConflict", err)
		}
		// Alice is told too: her own old key was handed over elsewhere.
		_, err = a.Import(ctx, strings.NewReader(string(export(t, evil, vault.ExportOptions{Recipients: []age.Recipient{aliceRecipient(t, a)}}))))
		if !errors.Is(err, vault.ErrKeyConflict) {
			t.Fatalf("alice imports the thief's rotation of her key: %v, want ErrKeyConflict", err)
		}
		if got := rosterPrint(t, b, "alice"); got != fingerprint(t, a) {
			t.Fatalf("bob's roster: alice %s, want %s", got, fingerprint(t, a))
		}
	})
}

// The thief rotates first: teammates cannot tell, but the member's own
// rotation is then refused as a conflict, and so is the thief's at the
// member's own vault.
func TestRotationRace(t *testing.T) {
	ctx := context.Background()
	vs := crew(t, "alice", "bob")
	a, b := vs["alice"], vs["bob"]
	a, evil := stolenCopy(t, a)
	if _, err := evil.RotateMemberKey(ctx); err != nil {
		t.Fatal(err)
	}
	forged := export(t, evil, vault.ExportOptions{To: []string{"bob"}})
	if rep := mustImport(t, b, forged); len(rep.KeyChanges) != 1 {
		t.Fatalf("the thief's rotation: %+v", rep)
	}
	_, err := a.Import(ctx, strings.NewReader(string(export(t, evil, vault.ExportOptions{Recipients: []age.Recipient{aliceRecipient(t, a)}}))))
	if !errors.Is(err, vault.ErrKeyConflict) {
		t.Fatalf("alice imports a rotation of her key she did not make: %v, want ErrKeyConflict", err)
	}
	if _, err := a.RotateMemberKey(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = b.Import(ctx, strings.NewReader(string(export(t, a, vault.ExportOptions{To: []string{"bob"}}))))
	if !errors.Is(err, vault.ErrKeyConflict) || !strings.Contains(err.Error(), "out loud") {
		t.Fatalf("alice's own rotation after the thief's: %v, want ErrKeyConflict", err)
	}
}

func aliceRecipient(t *testing.T, v *vault.Vault) age.Recipient {
	t.Helper()
	_, c, err := v.Card()
	if err != nil {
		t.Fatal(err)
	}
	r, err := crypto.ParseRecipient(c.Recipient)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Two rotations before a teammate hears of either: the bundle carries both
// statements, and they apply as a chain.
func TestRotateTwice(t *testing.T) {
	ctx := context.Background()
	vs := crew(t, "alice", "bob")
	a, b := vs["alice"], vs["bob"]
	if _, err := a.Add(ctx, []vault.Input{shareable("One", "first")}); err != nil {
		t.Fatal(err)
	}
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	first, err := a.RotateMemberKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Add(ctx, []vault.Input{shareable("Two", "signed with the second key")}); err != nil {
		t.Fatal(err)
	}
	second, err := a.RotateMemberKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second.OldFingerprint != first.NewFingerprint {
		t.Fatalf("the second rotation starts from %s, want %s", second.OldFingerprint, first.NewFingerprint)
	}
	if n, problems, err := a.VerifyAudit(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("audit verify after two rotations: %d events, %v, %v", n, problems, err)
	}
	rep := mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	if len(rep.KeyChanges) != 2 || rep.NewRevisions != 1 || rep.Fingerprint != second.NewFingerprint {
		t.Fatalf("bob's import: %+v", rep)
	}
	if got := rosterPrint(t, b, "alice"); got != second.NewFingerprint {
		t.Fatalf("bob's roster: alice %s, want %s", got, second.NewFingerprint)
	}
}
