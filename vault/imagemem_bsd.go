//go:build unix && !linux

package vault

// mapNoReserve: elsewhere an anonymous mapping is backed only once written,
// and not charged before.
const mapNoReserve = 0
