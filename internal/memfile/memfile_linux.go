package memfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// New returns an anonymous file that lives in memory only (never on a
// disk, never in a file system a user can list), open for reading and
// writing. Closing every descriptor of it frees it.
func New(name string) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// Seal forbids any further change to f's contents and size, so that the
// viewer reads exactly what was checked.
func Seal(f *os.File) error {
	_, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE|unix.F_SEAL_SEAL)
	return err
}
