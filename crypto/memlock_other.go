//go:build !unix

package crypto

// Lock is a no-op where tvault has no mlock: on Windows, use full-disk
// encryption so that a page file holding a secret is encrypted too
// (docs/THREAT-MODEL.md).
func Lock(b []byte) {}
