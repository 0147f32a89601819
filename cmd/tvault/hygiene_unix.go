//go:build unix && !linux

package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// hardenProcess turns off core dumps (RLIMIT_CORE 0), as on Linux
// (hygiene_linux.go). macOS and the BSDs have no PR_SET_DUMPABLE; there,
// only root or a debugger the user approved can read another process's
// memory.
func hardenProcess() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("could not turn off core dumps: %w", err)
	}
	return nil
}
