package vault_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// The way out of planted tombstones (issue 10): they are dropped in one
// audited save, after which check is clean and export works. A tombstone of
// a real purge is never dropped.
func TestDropPlantedTombstones(t *testing.T) {
	ctx := context.Background()
	v, _ := MustCreate(t)
	var ins []vault.Input
	for _, p := range []string{"Kept Here", "Gone Quietly", "Purged Properly"} {
		ins = append(ins, shareable(p, "testimony"))
	}
	ids, err := v.Add(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Purge(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	if err := v.PlantTombstoneForTesting(ctx, ids[0], true); err != nil {
		t.Fatal(err)
	}
	if err := v.PlantTombstoneForTesting(ctx, ids[1], false); err != nil {
		t.Fatal(err)
	}
	if got := len(checkFailures(t, v)); got != 2 {
		t.Fatalf("%d check failures, want the 2 planted tombstones", got)
	}

	// A real purge's tombstone is not planted: refused, nothing changes.
	if _, err := v.DropPlantedTombstones(ctx, []string{ids[2]}); !errors.Is(err, vault.ErrNotPlanted) {
		t.Fatalf("drop the tombstone of a real purge: %v, want ErrNotPlanted", err)
	}
	if got := len(checkFailures(t, v)); got != 2 {
		t.Fatalf("after a refused drop: %d check failures, want 2", got)
	}

	dropped, err := v.DropPlantedTombstones(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(dropped) != 2 || dropped[0].Interview != ids[0] || dropped[1].Interview != ids[1] {
		t.Fatalf("dropped %+v, want the tombstones of %s and %s", dropped, ids[0], ids[1])
	}
	after := func(v *vault.Vault) {
		if failed := checkFailures(t, v); len(failed) > 0 {
			t.Fatalf("check after the drop: %v", failed)
		}
		if _, err := v.Get(ids[0]); err != nil {
			t.Fatalf("the interview whose revisions stayed: %v", err)
		}
		if _, err := v.Get(ids[2]); !errors.Is(err, vault.ErrNotFound) {
			t.Fatalf("the properly purged interview: %v, want ErrNotFound", err)
		}
		if n, problems, err := v.VerifyAudit(ctx); err != nil || len(problems) > 0 {
			t.Fatalf("audit verify: %d events, %v, %v", n, problems, err)
		}
		events, _ := v.Audit(ctx)
		n := 0
		for _, e := range events {
			if e.Kind == vault.EventTombstoneDropped {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("%d tombstone-dropped events in the audit log, want 2", n)
		}
		teammate, _ := crypto.NewIdentity()
		if _, err := v.ExportFile(ctx, filepath.Join(t.TempDir(), "after.tvb"), vault.ExportOptions{Recipients: []age.Recipient{teammate.Recipient()}}); err != nil {
			t.Fatalf("export after the drop: %v", err)
		}
	}
	after(v)
	after(MustReopen(t, v))
}
