//go:build !windows

package vault

import (
	"os"
	"syscall"
)

// deviceOf names the file system that holds path: its device number.
func deviceOf(path string) (uint64, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(sys.Dev), true //nolint:unconvert // Dev is int32 on some systems
}
