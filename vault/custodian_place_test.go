package vault_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tvault/tvault/vault"
)

func TestCheckCustodianKeyPath(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "vault")
	exists := filepath.Join(root, "exists.age")
	if err := os.WriteFile(exists, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(root, "ro")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		want       error
	}{
		{"OK", filepath.Join(root, "key.age"), nil},
		{"ErrKeyFileExists", exists, vault.ErrKeyFileExists},
		{"ErrKeyFileInVault", filepath.Join(dir, "key.age"), vault.ErrKeyFileInVault},
		// The USB stick is not mounted.
		{"ErrKeyFolderMissing", filepath.Join(root, "usb", "key.age"), vault.ErrKeyFolderMissing},
		{"ErrKeyFolderMissing/file", filepath.Join(exists, "key.age"), vault.ErrKeyFolderMissing},
		{"ErrKeyFolderNotWritable", filepath.Join(readOnly, "key.age"), vault.ErrKeyFolderNotWritable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == vault.ErrKeyFolderNotWritable && (runtime.GOOS == "windows" || os.Geteuid() == 0) {
				t.Skip("root (or Windows) writes into a 0500 folder")
			}
			err := vault.CheckCustodianKeyPath(tc.path, dir)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err=%v, want %v", err, tc.want)
			}
		})
	}
	// The probe leaves nothing behind.
	if ents, _ := os.ReadDir(root); len(ents) != 2 {
		t.Fatalf("%d entries in the folder, want 2", len(ents))
	}
}

// TestCustodianKeyOnLaptop: a key file beside the vault, on the same file
// system, is warned about.
func TestCustodianKeyOnLaptop(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "vault") // not created yet: its parent counts
	if err := vault.CustodianKeyOnLaptop(filepath.Join(root, "key.age"), dir); !errors.Is(err, vault.ErrKeyFileOnLaptop) {
		t.Fatalf("err=%v, want ErrKeyFileOnLaptop", err)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home folder")
	}
	if err := vault.CustodianKeyOnLaptop(filepath.Join(home, "key.age"), dir); !errors.Is(err, vault.ErrKeyFileOnLaptop) {
		t.Fatalf("a key in the home folder: err=%v, want ErrKeyFileOnLaptop", err)
	}
}
