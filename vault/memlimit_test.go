package vault_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/vault"
)

// dirDigest hashes every file in a vault folder (names and content), so a
// test can tell that a failed save changed nothing on disk.
func dirDigest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// incompressible returns n characters of random hex: testimony that takes its
// full size in the database.
func incompressible(n int) string {
	b := make([]byte, n/2)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// TestMemoryFull fills a vault to a small memory limit. The save that does
// not fit fails with ErrMemoryFull before anything reaches the disk, and the
// vault opens afterwards with every acknowledged save, even under a limit
// below its size.
func TestMemoryFull(t *testing.T) {
	restore := vault.SetMemoryLimitForTesting(3 << 20)
	defer restore()

	v, _ := MustCreate(t)
	dir := v.Dir()
	acked := 0
	for i := 0; ; i++ {
		if i > 2000 {
			t.Fatal("the memory limit was never reached")
		}
		before := dirDigest(t, dir)
		_, err := v.Add(context.Background(), []vault.Input{input(fmt.Sprintf("P%d", i), incompressible(8<<10))})
		if err == nil {
			acked++
			continue
		}
		if !errors.Is(err, vault.ErrMemoryFull) {
			t.Fatalf("save %d: %v, want ErrMemoryFull", i, err)
		}
		if after := dirDigest(t, dir); after != before {
			t.Fatal("the save that did not fit changed the vault folder")
		}
		break
	}
	if acked < 10 {
		t.Fatalf("only %d saves fitted in 3 MiB", acked)
	}
	// The session goes on: reads work, and a save still fails cleanly.
	if n, err := v.Count(); err != nil || n != acked {
		t.Fatalf("Count=%d, %v; want %d", n, err, acked)
	}
	if _, err := v.Add(context.Background(), []vault.Input{input("Again", incompressible(64<<10))}); !errors.Is(err, vault.ErrMemoryFull) {
		t.Fatalf("second save: %v, want ErrMemoryFull", err)
	}

	// As if the process died here: a copy of the folder, journal and all,
	// opens under a limit smaller than what replaying it needs.
	crashed := copyVault(t, dir)
	vault.SetMemoryLimitForTesting(1 << 20)
	c, err := vault.Open(context.Background(), crashed, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatalf("the vault left by a crash does not open: %v", err)
	}
	if n, err := c.Count(); err != nil || n != acked {
		t.Fatalf("after a crash, Count=%d, %v; want %d", n, err, acked)
	}
	c.Close()
	vault.SetMemoryLimitForTesting(3 << 20)

	v = MustReopen(t, v)
	if n, err := v.Count(); err != nil || n != acked {
		t.Fatalf("after reopening, Count=%d, %v; want %d", n, err, acked)
	}

	// A limit below the vault's size (a smaller machine) still opens it.
	vault.SetMemoryLimitForTesting(1 << 20)
	v = MustReopen(t, v)
	if n, err := v.Count(); err != nil || n != acked {
		t.Fatalf("under a smaller limit, Count=%d, %v; want %d", n, err, acked)
	}
	before := dirDigest(t, dir)
	if _, err := v.Add(context.Background(), []vault.Input{input("Big", incompressible(8<<10))}); !errors.Is(err, vault.ErrMemoryFull) {
		t.Fatalf("save under a smaller limit: %v, want ErrMemoryFull", err)
	}
	if dirDigest(t, dir) != before {
		t.Fatal("the refused save changed the vault folder")
	}
}

// TestMemoryFullBulk: a bulk add too large for memory (saved as a
// checkpoint, not a frame) is refused whole, and the vault is unchanged.
func TestMemoryFullBulk(t *testing.T) {
	restore := vault.SetMemoryLimitForTesting(3 << 20)
	defer restore()
	v, _ := MustCreate(t)
	if _, err := v.Add(context.Background(), []vault.Input{input("First", "a first interview")}); err != nil {
		t.Fatal(err)
	}
	before := dirDigest(t, v.Dir())
	var batch []vault.Input
	for i := range 400 {
		batch = append(batch, input(fmt.Sprintf("B%d", i), incompressible(8<<10)))
	}
	if _, err := v.Add(context.Background(), batch); !errors.Is(err, vault.ErrMemoryFull) {
		t.Fatalf("bulk add: %v, want ErrMemoryFull", err)
	}
	if dirDigest(t, v.Dir()) != before {
		t.Fatal("the refused bulk add changed the vault folder")
	}
	v = MustReopen(t, v)
	if n, err := v.Count(); err != nil || n != 1 {
		t.Fatalf("Count=%d, %v; want 1", n, err)
	}
}

// copyVault copies a vault folder, as a backup or a crash would leave it,
// and returns the copy's path.
func copyVault(t *testing.T, dir string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
