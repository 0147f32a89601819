//go:build linux

package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// hardenProcess runs first in every tvault process. While a vault is open
// its whole database, testimony included, is in this process's memory, and
// so are the vault key and any passphrase typed. Two things could copy that
// memory where it outlives the process:
//
//   - a core dump on a crash (a file on disk, or a crash reporter's upload
//     spool): RLIMIT_CORE 0 turns dumps off for this process and its
//     children;
//   - other processes of the same user reading it (gdb, /proc/PID/mem):
//     PR_SET_DUMPABLE 0 forbids ptrace attach by non-root processes and also
//     stops core dumps even where a core_pattern pipe ignores RLIMIT_CORE.
//
// Proved by TestProcessHygiene. A failure is reported, not fatal: a vault
// should still open in a sandbox that forbids these calls.
func hardenProcess() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("could not turn off core dumps: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("could not make the process undumpable: %w", err)
	}
	return nil
}
