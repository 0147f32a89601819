//go:build !unix

package vault_test

import "time"

// cpuTime is not measured here: the metric reads 0.
func cpuTime(children bool) time.Duration { return 0 }
