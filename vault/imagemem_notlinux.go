//go:build unix && !linux

package vault

// mapNoReserve: elsewhere an anonymous mapping is backed only once written,
// and not charged before.
const mapNoReserve = 0

// residentEnd: where tvault does not ask the system which pages are
// resident, the image is wiped up to the database's size.
func residentEnd(uintptr, int64, int64) int64 { return 0 }
