package vault

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// mapNoReserve: Linux charges an anonymous mapping's size against its
// overcommit budget unless told it is a reservation. Pages are still backed
// only once written.
const mapNoReserve = unix.MAP_NORESERVE

// residentEnd returns how many bytes from p, of the size reserved there,
// reach the last page that is resident: past it nothing was written (or it
// was swapped out).
func residentEnd(p uintptr, size int64) int64 {
	pageSize := int64(unix.Getpagesize())
	const window = 1 << 18 // pages asked about per call
	vec := make([]byte, window)
	end := int64(0)
	for off := int64(0); off < size; off += window * pageSize {
		n := min(size-off, window*pageSize)
		pages := (n + pageSize - 1) / pageSize
		_, _, errno := unix.Syscall(unix.SYS_MINCORE, p+uintptr(off), uintptr(n), uintptr(unsafe.Pointer(&vec[0])))
		if errno != 0 {
			// Cannot tell (writing zeros to the whole reservation
			// would make it all resident): the database's size.
			return 0
		}
		for i := pages - 1; i >= 0; i-- {
			if vec[i]&1 != 0 {
				end = off + (i+1)*pageSize
				break
			}
		}
	}
	return end
}
