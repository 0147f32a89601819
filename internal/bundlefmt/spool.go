package bundlefmt

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"

	"filippo.io/age"
)

// spool is a line set aside in a temporary file, encrypted to a key that
// lives only in memory: nothing of it is readable on disk, and the file is
// removed on Close.
type spool struct {
	f   *os.File
	key *age.X25519Identity
}

// spoolLine copies one line of br, without its newline and at most max
// bytes, into a spool, and returns the line's SHA-256. The spool, if not
// nil, must be closed, also when the error is not nil.
func spoolLine(br *bufio.Reader, max int64) ([]byte, *spool, error) {
	key, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, nil, err
	}
	f, err := os.CreateTemp("", "tvault-bundle-*")
	if err != nil {
		return nil, nil, err
	}
	s := &spool{f: f, key: key}
	bw := bufio.NewWriterSize(f, 1<<16)
	aw, err := age.Encrypt(bw, key.Recipient())
	if err != nil {
		return nil, s, err
	}
	h := sha256.New()
	var n int64
	for {
		frag, err := br.ReadSlice('\n')
		data := frag
		if err == nil {
			data = frag[:len(frag)-1]
		}
		if n += int64(len(data)); n > max {
			return nil, s, ErrTooLarge
		}
		h.Write(data)
		if _, werr := aw.Write(data); werr != nil {
			return nil, s, werr
		}
		switch {
		case err == nil:
			if err := aw.Close(); err != nil {
				return nil, s, err
			}
			return h.Sum(nil), s, bw.Flush()
		case errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			return nil, s, ErrTruncated
		default:
			return nil, s, fmt.Errorf("the bundle is truncated or altered (%w)", err)
		}
	}
}

// readAll returns the spooled line.
func (s *spool) readAll() ([]byte, error) {
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	r, err := age.Decrypt(bufio.NewReaderSize(s.f, 1<<16), s.key)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// Close removes the spool's file.
func (s *spool) Close() error {
	err := s.f.Close()
	if rerr := os.Remove(s.f.Name()); err == nil {
		err = rerr
	}
	return err
}
