//go:build unix

package crypto

import "golang.org/x/sys/unix"

// Lock asks the operating system to keep the memory holding b out of swap
// (mlock), so that a passphrase or key does not end up in a swap file. It is
// best-effort: without the privilege or under RLIMIT_MEMLOCK it does nothing,
// and it locks whole pages, so use it on small buffers only. The pages stay
// locked until the process exits; Wipe the buffer when done as always.
func Lock(b []byte) {
	if len(b) == 0 {
		return
	}
	_ = unix.Mlock(b)
}
