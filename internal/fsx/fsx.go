// Package fsx holds the file-system steps tvault's durability rests on:
// atomic replacement (temporary file, fsync, rename, fsync of the folder),
// exclusive creation that never replaces a file, private folders, and the
// operating system's advisory file locks.
//
// Everything written through here is ciphertext or a file meant to be
// handed to people (a card, a custodian key file, a bundle): plaintext never
// goes through a temporary file.
package fsx

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// File and folder modes: nothing tvault writes is readable by other users.
const (
	FileMode = 0o600
	DirMode  = 0o700
)

// ErrRenamedNotSynced means WriteFileAtomic or CreateExclusive put the new
// file in place but could not fsync its folder: callers must not act as if
// the old state still held.
var ErrRenamedNotSynced = errors.New("the file was written but its folder could not be synced")

// ErrLocked means another process holds a file's lock.
var ErrLocked = errors.New("the file is locked by another process")

// MkdirPrivate creates dir (and parents) with mode 0700 and makes sure an
// existing dir is private too (mode bits on Unix, an access control list on
// Windows).
func MkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return err
	}
	return restrictDir(dir)
}

// WriteFileAtomic replaces path with what write writes, so that a crash at
// any point leaves either the old file or the new one, never a mix: write a
// temporary file in the same folder, fsync it, rename it over path, fsync
// the folder so that the rename itself is durable.
//
// If only the last step fails, the error wraps [ErrRenamedNotSynced].
func WriteFileAtomic(path string, write func(f *os.File) error) error {
	tmp, err := writeTemp(path, write)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncAfter(path)
}

// CreateExclusive creates path with what write writes, and never replaces
// an existing file, even one that appears while write runs: the data goes
// to a temporary file in the same folder, which is fsync'd and then given
// its final name by an operation that fails if the name is taken (link(2)
// on Unix, MoveFileEx without MOVEFILE_REPLACE_EXISTING on Windows). A
// failed write leaves nothing behind.
//
// If path exists the error wraps [fs.ErrExist]. If only the final fsync of
// the folder fails, the file is in place and the error wraps
// [ErrRenamedNotSynced].
func CreateExclusive(path string, write func(f *os.File) error) error {
	if _, err := os.Lstat(path); err == nil {
		// Early, to spare the write; the final step checks again.
		return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
	}
	tmp, err := writeTemp(path, write)
	if err != nil {
		return err
	}
	if err := placeNoReplace(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	// On Unix tmp is a second name of the file now; on Windows it is gone.
	os.Remove(tmp)
	return syncAfter(path)
}

// WriteFileExclusive is [CreateExclusive] of data.
func WriteFileExclusive(path string, data []byte) error {
	return CreateExclusive(path, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// writeTemp writes a temporary file beside path, mode 0600, fsync'd and
// closed, and returns its name. On error it leaves nothing behind.
func writeTemp(path string, write func(f *os.File) error) (name string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("failed to create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(FileMode); err != nil {
		return "", err
	}
	if err := write(tmp); err != nil {
		return "", fmt.Errorf("failed to write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("failed to sync %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return tmp.Name(), nil
}

func syncAfter(path string) error {
	if err := SyncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("%w: %v", ErrRenamedNotSynced, err)
	}
	return nil
}

// ErrNotRegular means a file tvault reads is not a regular file (a named
// pipe, a device, a folder): something put in its place.
var ErrNotRegular = errors.New("not a regular file")

// OpenRegular opens path for reading without waiting on a named pipe, and
// refuses anything that is not a regular file with an error wrapping
// [ErrNotRegular]. For files in the vault folder, which anyone who can
// write to it may replace.
func OpenRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|NoBlock, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), ErrNotRegular)
	}
	return f, nil
}

// ReadRegular reads the regular file at path (see [OpenRegular]).
func ReadRegular(path string) ([]byte, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
