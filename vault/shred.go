package vault

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tvault/tvault/internal/fsx"
)

// Shred.
//
// Every key slot holds the vault identity V, and nothing else on disk does:
// the snapshot, the journal and the blobs are encrypted to V. Destroying
// every slot therefore makes the vault unreadable for good, whatever
// passphrase or key anyone later holds. Shred overwrites each slot file with
// random bytes of the same length, fsyncs it, removes it and fsyncs the
// folder. The overwrite is best-effort: on an SSD, a journaling or
// copy-on-write file system, or in a backup or snapshot, the old bytes may
// survive. The ciphertext of the data is left in place; it is useless
// without V, and the user may delete the folder as well.

// errNoSlots is what opening a vault without key slots says.
const errNoSlots = "no key slots in " + keysDir + " (the vault was shredded, or the folder emptied): nothing can open this vault"

// ShredSlots destroys every key slot of the vault in dir and returns their
// names. It takes the vault's lock first, so it returns ErrInUse while
// another process has the vault open (that process holds V in memory and
// could write a new slot). It needs no passphrase: anyone who can delete the
// files can destroy the vault anyway, and a forgotten or coerced passphrase
// must not keep a user from destroying theirs.
func ShredSlots(dir string) ([]string, error) {
	if !Exists(dir) {
		return nil, fmt.Errorf("%w: %q", ErrNoVault, dir)
	}
	l, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	paths, err := filepath.Glob(filepath.Join(dir, keysDir, "*.age"))
	if err != nil {
		return nil, err
	}
	var done []string
	for _, p := range paths {
		if err := ShredFile(p); err != nil {
			return done, fmt.Errorf("failed to shred key slot %q: %w", slotName(p), err)
		}
		// The data key files go too (they are encrypted to V, which is
		// gone anyway), but they are not slots to report.
		if !isDataKeyName(filepath.Base(p)) {
			done = append(done, slotName(p))
		}
	}
	// Temporary slot files of an interrupted slot change hold V too.
	tmps, _ := filepath.Glob(filepath.Join(dir, keysDir, ".*.tmp-*"))
	for _, p := range tmps {
		if err := ShredFile(p); err != nil {
			return done, fmt.Errorf("failed to shred a temporary key slot: %w", err)
		}
	}
	if err := fsx.SyncDir(filepath.Join(dir, keysDir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return done, err
	}
	return done, nil
}

// ShredFile overwrites the regular file at path with random bytes of its
// length, fsyncs it and removes it, then fsyncs its folder. See the caveats
// above: the overwrite is best-effort.
func ShredFile(path string) error {
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		// Never follow a link and overwrite what it points to.
		return fmt.Errorf("%s is not a regular file", filepath.Base(path))
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	buf := make([]byte, 32<<10)
	for left := st.Size(); left > 0; {
		n := int(min(left, int64(len(buf))))
		rand.Read(buf[:n])
		if _, err := f.Write(buf[:n]); err != nil {
			f.Close()
			return err
		}
		left -= int64(n)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil {
		return err
	}
	return fsx.SyncDir(filepath.Dir(path))
}
