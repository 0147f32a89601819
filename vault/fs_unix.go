//go:build !windows

package vault

import "os"

// syncDir fsyncs a folder so that a file created or renamed in it survives a
// crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// restrictDir makes dir readable by its owner only. Files in a vault are
// created 0600 on their own.
func restrictDir(dir string) error { return os.Chmod(dir, dirMode) }
