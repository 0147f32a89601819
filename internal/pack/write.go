package pack

import (
	"os"
	"path/filepath"

	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/vault"
)

// Write writes the pack's files into a new folder beside dir and renames
// it to dir: a failure leaves no half-written pack. dir must not exist. It
// returns the names of the files written, relative to dir.
func Write(dir string, p *vault.Pack) ([]string, error) {
	parent := filepath.Dir(filepath.Clean(dir))
	tmp, err := os.MkdirTemp(parent, ".tvault-pack-*")
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, fsx.DirMode); err != nil {
		return nil, err
	}
	files, err := Files(p)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		path := filepath.Join(tmp, f.Name)
		if err := os.MkdirAll(filepath.Dir(path), fsx.DirMode); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, f.Data, 0o600); err != nil {
			return nil, err
		}
		names = append(names, f.Name)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, err
	}
	ok = true
	return names, fsx.SyncDir(parent)
}
