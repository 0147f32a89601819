//go:build unix

package vault_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user and system) of this process, or with
// children set, of its children that have ended. Benchmarks report it
// beside wall time: on a machine shared with other work, wall time says
// more about the neighbours than about the code.
func cpuTime(children bool) time.Duration {
	who := syscall.RUSAGE_SELF
	if children {
		who = syscall.RUSAGE_CHILDREN
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
