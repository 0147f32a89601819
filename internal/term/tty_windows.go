//go:build windows

package term

import "os"

// Open opens the console for a prompt: CONIN$ to read the answer,
// CONOUT$ to write the question (a console's input handle cannot be written
// to). Standard input and output stay free for data. The caller closes both.
func Open() (in, out *os.File, err error) {
	// Read and write access: x/term sets the console mode on this handle to
	// turn echo off.
	in, err = os.OpenFile("CONIN$", os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	out, err = os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		in.Close()
		return nil, nil, err
	}
	return in, out, nil
}
