package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tvault/tvault/internal/fsx"
)

// DirLock is a vault folder's lock, taken by [Lock]. While a process holds
// it no other tvault writes the vault: the terminal UI holds it while the
// vault is locked on screen, then opens the vault with [DirLock.Open]. The
// operating system holds the lock (flock, LockFileEx), so a crashed or
// killed process never leaves a vault locked.
type DirLock struct {
	dir string
	f   *os.File
}

// Lock takes the lock of the vault folder dir, creating the lock file if
// needed. It returns an error wrapping [ErrInUse] if another process has it.
func Lock(dir string) (*DirLock, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDONLY|os.O_CREATE|syscallNoFollow|fsx.NoBlock, fsx.FileMode)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("cannot open the vault's lock file: %w", err)
		}
		return nil, err
	}
	return lockOpened(dir, f)
}

// lockReadOnly takes the lock of dir for a read-only open, creating nothing:
// a vault on read-only media, or copied without its lock file, must open
// for `tvault check`. A missing lock file means no tvault has the vault open
// for writing; the folder itself is then held open, unlocked, instead.
func lockReadOnly(dir string) (*DirLock, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDONLY|syscallNoFollow|fsx.NoBlock, 0)
	if errors.Is(err, fs.ErrNotExist) {
		d, err := os.Open(dir)
		if err != nil {
			return nil, err
		}
		return &DirLock{dir: dir, f: d}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot open the vault's lock file: %w", err)
	}
	return lockOpened(dir, f)
}

// lockOpened locks the lock file f of dir, which must be a regular file:
// anything else (a named pipe) was put there by someone else.
func lockOpened(dir string, f *os.File) (*DirLock, error) {
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fsx.ErrNotRegular
		}
		return nil, fmt.Errorf("%w: the vault's lock file: %w", ErrDamaged, err)
	}
	if err := fsx.LockFile(f); err != nil {
		f.Close()
		if errors.Is(err, fsx.ErrLocked) {
			return nil, ErrInUse
		}
		return nil, err
	}
	return &DirLock{dir: dir, f: f}, nil
}

// Dir returns the folder l locks.
func (l *DirLock) Dir() string { return l.dir }

// Release lets the lock go. It does nothing if l is nil, already released,
// or was handed to a Vault by Open.
func (l *DirLock) Release() {
	if l == nil || l.f == nil {
		return
	}
	fsx.UnlockFile(l.f)
	l.f.Close()
	l.f = nil
}

// take moves the held lock out of l, which is left released.
func (l *DirLock) take() (*DirLock, error) {
	if l == nil || l.f == nil {
		return nil, errors.New("the vault's lock is not held")
	}
	t := &DirLock{dir: l.dir, f: l.f}
	l.f = nil
	return t, nil
}
