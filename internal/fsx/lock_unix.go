//go:build !windows

package fsx

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// LockFile takes an exclusive, non-blocking flock on f, or returns
// [ErrLocked]. The kernel drops it when the process exits, however it
// exits, so a crash never leaves a file locked.
func LockFile(f *os.File) error {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}

// UnlockFile releases LockFile's lock.
func UnlockFile(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}
