package pack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/vault"
)

// TestWriteNeverOverAFolder: a folder that appears at the pack's path after
// the caller checked it (an empty one, made by the user or another
// program) is never replaced: Write fails, the folder stays as it was, and
// no temporary folder is left beside it.
func TestWriteNeverOverAFolder(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "pack")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := &vault.Pack{Place: "country", Date: "month"}
	if _, err := Write(dir, p); err == nil {
		t.Fatal("Write put the pack in place of a folder that exists")
	}
	after, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) || after.Mode() != before.Mode() {
		t.Error("the folder that existed was replaced")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the folder that existed holds %d entries", len(entries))
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("the parent holds %d entries, want only the folder", len(entries))
	}
}

// TestWriteNeverThroughASymlink: a symlink at the pack's path (to a folder)
// is neither replaced nor followed.
func TestWriteNeverThroughASymlink(t *testing.T) {
	parent := t.TempDir()
	target := filepath.Join(parent, "target")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "pack")
	if err := os.Symlink(target, dir); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if _, err := Write(dir, &vault.Pack{Place: "country", Date: "month"}); err == nil {
		t.Fatal("Write put the pack in place of a symlink")
	}
	if fi, err := os.Lstat(dir); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced")
	}
	if entries, _ := os.ReadDir(target); len(entries) != 0 {
		t.Errorf("the symlink's target holds %d entries", len(entries))
	}
}
