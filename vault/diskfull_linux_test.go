package vault_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/skipnote"
	"github.com/tvault/tvault/vault"
)

// mountTmpfs mounts a small tmpfs for the test, or skips with the reason.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		skipnote.Skip(t, "needs root to mount a small tmpfs (CI runs as root)")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		skipnote.Skip(t, "cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// fill writes a file until the disk is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling: %v", err)
			}
			return
		}
	}
}

func listNames(t *testing.T, v *vault.Vault) string {
	t.Helper()
	list, err := v.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Pseudonym)
	}
	return strings.Join(names, ",")
}

func TestDiskFull(t *testing.T) {
	mnt := mountTmpfs(t, "1m")
	dir := filepath.Join(mnt, "vault")
	v := mustCreateIn(t, dir)
	saveN(t, v, 1, 3)
	want := listNames(t, v)

	fill(t, filepath.Join(mnt, "filler"))
	big := input("Big", strings.Repeat("证词 testimony ", 20000))
	_, err := v.Add(context.Background(), []vault.Input{big})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("save on a full disk: err=%v, want ENOSPC", err)
	}
	if !strings.Contains(err.Error(), "nothing of this change was saved") {
		t.Fatalf("unclear error: %v", err)
	}
	if got := listNames(t, v); got != want {
		t.Fatalf("in memory after a failed save: %s, want %s", got, want)
	}
	// The vault still works for small saves that fit, or fails cleanly.
	v.Close() // the checkpoint may fail for want of space: the journal has everything

	v2, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatalf("open on a full disk: %v", err)
	}
	if got := listNames(t, v2); got != want {
		t.Fatalf("after reopening: %s, want %s", got, want)
	}
	v2.Close()

	os.Remove(filepath.Join(mnt, "filler"))
	v3, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	defer v3.Close()
	if got := listNames(t, v3); got != want {
		t.Fatalf("after freeing space: %s, want %s", got, want)
	}
	if _, err := v3.Add(context.Background(), []vault.Input{input("After", "x")}); err != nil {
		t.Fatalf("save after freeing space: %v", err)
	}
}

func TestReadOnlyFilesystem(t *testing.T) {
	mnt := mountTmpfs(t, "4m")
	dir := filepath.Join(mnt, "vault")
	v := mustCreateIn(t, dir)
	saveN(t, v, 1, 2)
	want := listNames(t, v)
	// The checkpoint closes the journal: a mount with files open for
	// writing cannot be made read-only.
	if err := v.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("", mnt, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		skipnote.Skip(t, "cannot remount read-only: %v", err)
	}
	if _, err := v.Add(context.Background(), []vault.Input{input("X", "y")}); !errors.Is(err, syscall.EROFS) {
		t.Fatalf("save on a read-only disk: err=%v, want EROFS", err)
	}
	if got := listNames(t, v); got != want {
		t.Fatalf("in memory after a failed save: %s, want %s", got, want)
	}
	v.Close()
	syscall.Mount("", mnt, "", syscall.MS_REMOUNT, "")
	v2, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	if got := listNames(t, v2); got != want {
		t.Fatalf("after remounting: %s, want %s", got, want)
	}
}

// TestDiskFullLargeAdd is a bulk add, larger than a checkpoint's threshold,
// on a disk without room for it.
func TestDiskFullLargeAdd(t *testing.T) {
	mnt := mountTmpfs(t, "3m")
	dir := filepath.Join(mnt, "vault")
	v := mustCreateIn(t, dir)
	saveN(t, v, 1, 2)
	want := listNames(t, v)
	var batch []vault.Input
	for i := range 400 {
		batch = append(batch, input(fmt.Sprintf("Bulk%d", i), strings.Repeat("证词 testimony ", 500)))
	}
	_, err := v.Add(context.Background(), batch)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("bulk add on a small disk: err=%v, want ENOSPC", err)
	}
	if got := listNames(t, v); got != want {
		t.Fatalf("in memory after a failed bulk add: %s, want %s", got, want)
	}
	v.Close()
	v2, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	if got := listNames(t, v2); got != want {
		t.Fatalf("after reopening: %s, want %s", got, want)
	}
}

// mustCreateIn makes a vault in dir.
func mustCreateIn(tb testing.TB, dir string) *vault.Vault {
	tb.Helper()
	c, err := crypto.NewIdentity()
	if err != nil {
		tb.Fatal(err)
	}
	v, err := vault.Create(dir, vault.CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: passphrase})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { v.Close() })
	return v
}
