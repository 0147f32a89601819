package vault

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Where a new custodian key file may go. The key opens every sealed
// identity, so it belongs off the field laptop: [CheckCustodianKeyPath]
// refuses what can never work or would put it inside the vault, and
// [CustodianKeyOnLaptop] warns when it would stay on the laptop's own disk.
// Every front end checks both as the path is given, before any passphrase
// is asked for or anything is written.

// CheckCustodianKeyPath returns an error if a new custodian key file must
// not, or cannot, be written at path, for the vault in dir: it wraps
// ErrKeyFileExists, ErrKeyFileInVault, ErrKeyFolderMissing or
// ErrKeyFolderNotWritable. It checks that the folder can be written by
// creating an empty file there and removing it.
func CheckCustodianKeyPath(path, dir string) error {
	if strings.TrimSpace(path) == "" {
		return errors.New("a path is required")
	}
	if _, err := os.Lstat(path); err == nil {
		return ErrKeyFileExists
	}
	absKey, err1 := filepath.Abs(path)
	absDir, err2 := filepath.Abs(dir)
	if err1 == nil && err2 == nil {
		if rel, err := filepath.Rel(absDir, absKey); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return ErrKeyFileInVault
		}
	}
	folder := filepath.Dir(filepath.Clean(path))
	st, err := os.Stat(folder)
	switch {
	case errors.Is(err, fs.ErrNotExist), err == nil && !st.IsDir():
		return ErrKeyFolderMissing
	case err != nil:
		return ErrKeyFolderNotWritable
	}
	// Permission bits do not tell (a read-only mount, root, ACLs): a probe
	// does. It is empty, and removed at once.
	f, err := os.CreateTemp(folder, ".tvault-probe-*")
	if err != nil {
		return ErrKeyFolderNotWritable
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// CustodianKeyOnLaptop returns ErrKeyFileOnLaptop if a custodian key file
// at path would be on the same file system as the vault in dir (or, if dir
// does not exist yet, its nearest existing parent) or as the home folder,
// and nil otherwise or when that cannot be told. It is a warning: the
// caller says it and lets the user choose.
func CustodianKeyOnLaptop(path, dir string) error {
	key, ok := deviceOf(filepath.Dir(filepath.Clean(path)))
	if !ok {
		return nil
	}
	places := []string{dir}
	if home, err := os.UserHomeDir(); err == nil {
		places = append(places, home)
	}
	for _, p := range places {
		if d, ok := deviceOf(existingParent(p)); ok && d == key {
			return ErrKeyFileOnLaptop
		}
	}
	return nil
}

// existingParent is p, or its nearest parent that exists.
func existingParent(p string) string {
	p, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	for {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		up := filepath.Dir(p)
		if up == p {
			return p
		}
		p = up
	}
}
