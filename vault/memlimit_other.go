//go:build !linux && !darwin

package vault

// physicalMemory returns the machine's memory in bytes where tvault knows how
// to ask; elsewhere a ceiling no laptop reaches, so that only the memory
// itself limits a vault.
func physicalMemory() int64 { return fallbackMemory }
