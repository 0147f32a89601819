//go:build windows

package vault

// syncDir is a no-op on Windows, where folders cannot be opened for fsync and
// NTFS makes renames durable with the file's own flush.
func syncDir(dir string) error { return nil }
