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

// Stealth tombstones (issue 10, item 3): someone who held the passphrase
// once plants tombstones signed with the member key, without purging
// anything here. Check reports each; export refuses, and writes nothing.
func TestPlantedTombstones(t *testing.T) {
	ctx := context.Background()
	c, _ := crypto.NewIdentity()
	dir := filepath.Join(t.TempDir(), "v")
	v, err := vault.Create(dir, vault.CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery")})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var ins []vault.Input
	for _, p := range []string{"Kept Here", "Gone Quietly", "Purged Properly"} {
		in := vault.Input{}
		in.Pseudonym, in.Testimony = p, "testimony"
		in.Consent.Share = true
		ins = append(ins, in)
	}
	ids, err := v.Add(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	teammate, _ := crypto.NewIdentity()
	export := func(name string) error {
		_, err := v.ExportFile(ctx, filepath.Join(t.TempDir(), name), vault.ExportOptions{Recipients: []age.Recipient{teammate.Recipient()}})
		return err
	}
	// A proper purge is not planted.
	if _, err := v.Purge(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	if failed := checkFailures(t, v); len(failed) > 0 {
		t.Fatalf("a proper purge: check fails: %v", failed)
	}
	if err := export("ok.tvb"); err != nil {
		t.Fatalf("a proper purge: export: %v", err)
	}

	// One tombstone beside revisions still here; one whose interview is
	// gone, with no purge in the audit log.
	if err := v.PlantTombstoneForTesting(ctx, ids[0], true); err != nil {
		t.Fatal(err)
	}
	if err := v.PlantTombstoneForTesting(ctx, ids[1], false); err != nil {
		t.Fatal(err)
	}
	failed := checkFailures(t, v)
	if len(failed) != 2 || !strings.Contains(failed[0], "revisions are still here") || !strings.Contains(failed[1], "no purge of it is in the audit log") {
		t.Fatalf("check: %d failures, want the two planted tombstones: %v", len(failed), failed)
	}
	path := filepath.Join(t.TempDir(), "planted.tvb")
	_, err = v.ExportFile(ctx, path, vault.ExportOptions{Recipients: []age.Recipient{teammate.Recipient()}})
	if !errors.Is(err, vault.ErrDamaged) {
		t.Fatalf("export with planted tombstones: %v, want ErrDamaged", err)
	}
	if _, serr := os.Stat(path); serr == nil {
		t.Fatal("the refused export wrote a bundle")
	}
}

func checkFailures(t *testing.T, v *vault.Vault) []string {
	t.Helper()
	res, err := v.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, r := range res {
		if !r.OK {
			failed = append(failed, r.What+": "+r.Details)
		}
	}
	return failed
}
