package fsx_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tvault/tvault/internal/fsx"
)

// leftovers returns the names in dir other than want.
func leftovers(t *testing.T, dir string, want ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var extra []string
	for _, e := range entries {
		keep := false
		for _, w := range want {
			keep = keep || e.Name() == w
		}
		if !keep {
			extra = append(extra, e.Name())
		}
	}
	return extra
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFileExclusive(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "card")
		if err := fsx.WriteFileExclusive(path, []byte("new")); err != nil {
			t.Fatal(err)
		}
		if got, want := readFile(t, path), "new"; got != want {
			t.Fatalf("content=%q, want %q", got, want)
		}
		if runtime.GOOS != "windows" {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := st.Mode().Perm(), fs.FileMode(fsx.FileMode); got != want {
				t.Fatalf("mode=%v, want %v", got, want)
			}
		}
		if extra := leftovers(t, dir, "card"); len(extra) > 0 {
			t.Fatalf("left behind %q", extra)
		}
	})
	t.Run("ErrExist", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "card")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := fsx.WriteFileExclusive(path, []byte("new"))
		if !errors.Is(err, fs.ErrExist) {
			t.Fatalf("err=%v, want fs.ErrExist", err)
		}
		if got, want := readFile(t, path), "old"; got != want {
			t.Fatalf("content=%q, want %q", got, want)
		}
	})
}

// A file that appears between the check and the write is not replaced:
// the final step, not the early check, refuses the taken name.
func TestCreateExclusiveRace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bundle.tvb")
	err := fsx.CreateExclusive(path, func(f *os.File) error {
		// Someone else creates the file while the bundle is being written.
		if err := os.WriteFile(path, []byte("theirs"), 0o600); err != nil {
			return err
		}
		_, err := f.Write([]byte("ours"))
		return err
	})
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("err=%v, want fs.ErrExist", err)
	}
	if got, want := readFile(t, path), "theirs"; got != want {
		t.Fatalf("content=%q, want %q: the file that appeared was replaced", got, want)
	}
	if extra := leftovers(t, dir, "bundle.tvb"); len(extra) > 0 {
		t.Fatalf("left behind %q", extra)
	}
}

func TestCreateExclusiveWriteFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bundle.tvb")
	boom := errors.New("boom")
	err := fsx.CreateExclusive(path, func(f *os.File) error {
		f.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err=%v, want %v", err, boom)
	}
	if extra := leftovers(t, dir); len(extra) > 0 {
		t.Fatalf("left behind %q", extra)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.age")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := fsx.WriteFileAtomic(path, func(f *os.File) error {
		f.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err=%v, want %v", err, boom)
	}
	if got, want := readFile(t, path), "old"; got != want {
		t.Fatalf("after a failed write content=%q, want %q", got, want)
	}
	err = fsx.WriteFileAtomic(path, func(f *os.File) error {
		_, err := f.Write([]byte("new"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readFile(t, path), "new"; got != want {
		t.Fatalf("content=%q, want %q", got, want)
	}
	if extra := leftovers(t, dir, "vault.age"); len(extra) > 0 {
		t.Fatalf("left behind %q", extra)
	}
}

func TestMkdirPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := fsx.MkdirPrivate(dir); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := fsx.MkdirPrivate(dir); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Mode().Perm(), fs.FileMode(fsx.DirMode); got != want {
		t.Fatalf("mode=%v, want %v", got, want)
	}
}

func TestLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	open := func() *os.File {
		f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, fsx.FileMode)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	a, b := open(), open()
	if err := fsx.LockFile(a); err != nil {
		t.Fatal(err)
	}
	if err := fsx.LockFile(b); !errors.Is(err, fsx.ErrLocked) {
		t.Fatalf("second lock err=%v, want ErrLocked", err)
	}
	if err := fsx.UnlockFile(a); err != nil {
		t.Fatal(err)
	}
	if err := fsx.LockFile(b); err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
}
