package vault

import "golang.org/x/sys/windows"

// imageWant is the memory to commit for a database of n bytes. Windows
// charges committed memory against the machine's commit limit whether or
// not it is written, so a vault commits twice its database (at least 1 GiB
// more), not the machine's memory: a session may grow the database that
// much, and the next open commits again from the new size.
func imageWant(n int64) int64 {
	return max(2*n, n+1<<30, imageMin(n))
}

// reserveImage commits size bytes of zeroed memory outside the Go heap,
// resident only where written.
func reserveImage(size int64) (uintptr, error) {
	return windows.VirtualAlloc(0, uintptr(size), windows.MEM_RESERVE|windows.MEM_COMMIT, windows.PAGE_READWRITE)
}

// releaseImage gives the memory back to the system.
func releaseImage(p uintptr, _ int64) error {
	return windows.VirtualFree(p, 0, windows.MEM_RELEASE)
}

// residentEnd: where tvault does not ask the system which pages are
// resident, the image is wiped up to the database's size.
func residentEnd(uintptr, int64, int64) int64 { return 0 }
