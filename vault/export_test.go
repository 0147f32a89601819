package vault

// SetMemoryLimitForTesting sets the largest database image that vaults opened
// afterwards may grow to, and returns a function that restores the previous
// limit.
func SetMemoryLimitForTesting(n int64) (restore func()) {
	old := memoryLimit
	memoryLimit = n
	return func() { memoryLimit = old }
}
