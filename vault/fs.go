package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// File and folder modes: nothing in a vault is readable by other users.
const (
	fileMode = 0o600
	dirMode  = 0o700
)

// mkdirPrivate creates dir (and parents) with mode 0700 and makes sure an
// existing dir is private too (restrictDir: mode bits on Unix, an access
// control list on Windows).
func mkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return err
	}
	return restrictDir(dir)
}

// writeFileAtomic replaces path with data so that a crash at any point leaves
// either the old file or the new one, never a mix: write a temporary file in
// the same folder, fsync it, rename it over path, fsync the folder so that
// the rename itself is durable. data is ciphertext: plaintext never goes
// through here.
func writeFileAtomic(path string, write func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("failed to create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(fileMode); err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		return fmt.Errorf("failed to write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("failed to sync %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		// The new file is in place: callers must not act as if the old one
		// still were.
		return fmt.Errorf("%w: %v", errRenamedNotSynced, err)
	}
	return nil
}

// errRenamedNotSynced means writeFileAtomic replaced the file but could not
// fsync its folder.
var errRenamedNotSynced = errors.New("the file was replaced but its folder could not be synced")

// writeNewFile writes data to path, which must not exist, and fsyncs the file
// and its folder.
func writeNewFile(path string, data []byte) error {
	return writeFileAtomic(path, func(f *os.File) error {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s already exists", filepath.Base(path))
		}
		_, err := f.Write(data)
		return err
	})
}

// WriteFileExclusive writes data to a new file at path with mode 0600 and
// syncs it; it fails if the file exists, and leaves nothing behind if the
// write fails. For files handed to people: custodian keys, cards, bundles.
func WriteFileExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
