//go:build unix

package vault

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// imageWant is the address space to reserve for a database of n bytes: the
// machine's memory (or more for a database larger than that). A reservation
// costs nothing until written, and writing is what the room check bounds.
func imageWant(n int64) int64 {
	return max(physicalMemory(), memoryLimit, imageMin(n))
}

// reserveImage reserves size bytes of zeroed, private memory outside the Go
// heap, resident only where written.
func reserveImage(size int64) (uintptr, error) {
	b, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|mapNoReserve)
	if err != nil {
		return 0, err
	}
	return uintptr(unsafe.Pointer(unsafe.SliceData(b))), nil
}

// releaseImage gives a reservation back to the system.
func releaseImage(p uintptr, size int64) error {
	return unix.Munmap(unsafe.Slice((*byte)(pointer(p)), size))
}
