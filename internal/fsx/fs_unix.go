//go:build !windows

package fsx

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// SyncDir fsyncs a folder so that a file created or renamed in it survives
// a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// restrictDir makes dir readable by its owner only. Files are created 0600
// on their own.
func restrictDir(dir string) error { return os.Chmod(dir, DirMode) }

// placeNoReplace gives tmp the name path unless path exists: link(2) fails
// with EEXIST rather than replace, and is atomic, so a file that appears at
// path at any moment is never lost. The caller removes tmp.
func placeNoReplace(tmp, path string) error {
	err := os.Link(tmp, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	// No hard links here (FAT, exFAT, some network shares).
	return copyNoReplace(tmp, path)
}

// copyNoReplace is the fallback of placeNoReplace on file systems without
// hard links (FAT and exFAT USB sticks): it creates path with O_EXCL, which
// never replaces a file either, and copies tmp into it. A failed copy
// removes the partial file.
func copyNoReplace(tmp, path string) (err error) {
	src, err := os.Open(tmp)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			dst.Close()
			os.Remove(path)
		}
	}()
	if _, err := io.Copy(dst, src); err != nil {
		return err
	}
	if err := dst.Sync(); err != nil {
		return err
	}
	return dst.Close()
}

// NoBlock is added to the flags of a file opened for reading that someone
// may have replaced: opening a named pipe for reading waits for a writer,
// unless it does not block.
const NoBlock = syscall.O_NONBLOCK
