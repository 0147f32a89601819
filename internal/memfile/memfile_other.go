//go:build !linux

package memfile

import "os"

// New returns [ErrUnsupported]: only Linux has memfd.
func New(name string) (*os.File, error) { return nil, ErrUnsupported }

// Seal returns [ErrUnsupported].
func Seal(f *os.File) error { return ErrUnsupported }
