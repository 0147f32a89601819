package vault

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// mapNoReserve: Linux charges an anonymous mapping's size against its
// overcommit budget unless told it is a reservation. Pages are still backed
// only once written.
const mapNoReserve = unix.MAP_NORESERVE

// residentEnd returns how far from p, of the size reserved there, the pages
// SQLite wrote reach: from the database's size (used) upward, to the last
// resident page before a window of none. SQLite writes the store from its
// start without gaps, so past such a window nothing was written.
func residentEnd(p uintptr, size, used int64) int64 {
	pageSize := int64(unix.Getpagesize())
	const window = 1 << 14 // pages asked about per call
	vec := make([]byte, window)
	end := int64(0)
	for off := used / pageSize * pageSize; off < size; off += window * pageSize {
		n := min(size-off, window*pageSize)
		pages := (n + pageSize - 1) / pageSize
		_, _, errno := unix.Syscall(unix.SYS_MINCORE, p+uintptr(off), uintptr(n), uintptr(unsafe.Pointer(&vec[0])))
		if errno != 0 {
			// Cannot tell (writing zeros to the whole reservation
			// would make it all resident): the database's size.
			return end
		}
		last := int64(-1)
		for i := pages - 1; i >= 0; i-- {
			if vec[i]&1 != 0 {
				last = i
				break
			}
		}
		if last < 0 {
			break
		}
		end = off + (last+1)*pageSize
	}
	return end
}
