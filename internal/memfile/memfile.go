// Package memfile hands bytes to another program without writing them to
// disk: on Linux, an anonymous file in memory (memfd) that the program
// opens by its /dev/fd path.
package memfile

import "errors"

// ErrUnsupported means this platform has no file that lives only in
// memory; tvault then refuses rather than write a temporary file.
var ErrUnsupported = errors.New("this system cannot hand a file to a viewer without writing it to disk")
