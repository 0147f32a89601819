//go:build !windows

package vault

import "syscall"

// syscallNoFollow refuses a lock file that is a symbolic link.
const syscallNoFollow = syscall.O_NOFOLLOW
