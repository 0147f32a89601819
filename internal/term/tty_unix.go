//go:build !windows

package term

import "os"

// Open opens the controlling terminal for a prompt: in to read the
// answer, out to write the question (the same file here). Standard input
// and output stay free for data. The caller closes both.
func Open() (in, out *os.File, err error) {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	return f, f, nil
}
