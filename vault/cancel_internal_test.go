package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/crypto"
)

// A cancelled long operation stops before it writes anything: the vault,
// in memory and on disk, is as it was.
func TestCancelled(t *testing.T) {
	card, err := os.ReadFile(filepath.Join(vectorDir, "alice.card"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := os.ReadFile(filepath.Join(vectorDir, "small.plain"))
	if err != nil {
		t.Fatal(err)
	}
	v := newFuzzVault(t, card).open(t)
	defer v.Close()
	asVectorMember(t, v)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	t.Run("Import", func(t *testing.T) {
		ct, err := crypto.Encrypt(plain, v.member.Identity.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		before := vaultDigest(t, v)
		if _, err := v.Import(ctx, bytes.NewReader(ct)); !errors.Is(err, context.Canceled) {
			t.Fatalf("err=%v, want context.Canceled", err)
		}
		if before != vaultDigest(t, v) {
			t.Fatal("a cancelled import changed the vault")
		}
		// The same bundle imports with a live context: the refusal was the
		// cancellation, not the bundle.
		rep, err := v.Import(context.Background(), bytes.NewReader(ct))
		if err != nil {
			t.Fatal(err)
		}
		if rep.NewRevisions == 0 {
			t.Fatal("the bundle brought nothing")
		}
	})
	t.Run("Add", func(t *testing.T) {
		in := Input{}
		in.Pseudonym, in.Testimony = "River", "Officers came twice a week."
		in.Identity = &Identity{Name: "Synthetic Person"}
		before := vaultDigest(t, v)
		if _, err := v.Add(ctx, []Input{in}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err=%v, want context.Canceled", err)
		}
		if before != vaultDigest(t, v) {
			t.Fatal("a cancelled add changed the vault")
		}
	})
	t.Run("ExportFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out.tvb")
		before := vaultDigest(t, v)
		if _, err := v.ExportFile(ctx, path, ExportOptions{To: []string{"alice"}}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err=%v, want context.Canceled", err)
		}
		if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a cancelled export left a file (err=%v)", err)
		}
		if before != vaultDigest(t, v) {
			t.Fatal("a cancelled export changed the vault")
		}
		if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 0 {
			t.Fatalf("a cancelled export left %d files behind", len(entries))
		}
	})
	t.Run("RotateCustodian", func(t *testing.T) {
		next, _ := crypto.NewIdentity()
		before := vaultDigest(t, v)
		if _, err := v.RotateCustodian(ctx, nil, next.Recipient(), nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("err=%v, want context.Canceled", err)
		}
		if before != vaultDigest(t, v) {
			t.Fatal("a cancelled rotation changed the vault")
		}
	})
}
