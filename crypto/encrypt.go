package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"filippo.io/age"
)

// ErrWrongKey means an age file is not encrypted to the identity given.
var ErrWrongKey = errors.New("not encrypted to this key")

// Encrypt encrypts plaintext to recipients and returns the age file.
func Encrypt(plaintext []byte, recipients ...age.Recipient) ([]byte, error) {
	return encrypt(plaintext, recipients...)
}

// Encryptor is an age encryption begun before its plaintext is known. Making
// and wrapping the file key is the costly part for a post-quantum recipient
// (an ML-KEM-768 and an X25519 encapsulation, about 0.2 ms); a caller that
// knows it will encrypt soon starts an Encryptor on an idle core and gives it
// the plaintext when it has it. It is used once.
type Encryptor struct {
	buf bytes.Buffer
	w   io.WriteCloser
	err error
}

// NewEncryptor begins an encryption to recipients.
func NewEncryptor(recipients ...age.Recipient) *Encryptor {
	e := &Encryptor{}
	e.buf.Grow(4096)
	e.w, e.err = age.Encrypt(&e.buf, recipients...)
	return e
}

// Seal encrypts plaintext and returns the age file. The Encryptor cannot be
// used again.
func (e *Encryptor) Seal(plaintext []byte) ([]byte, error) {
	if e.err != nil {
		return nil, e.err
	}
	e.err = errors.New("an Encryptor is used once")
	e.buf.Grow(len(plaintext) + len(plaintext)>>12 + 256) // age adds 16 bytes per 64 KiB
	if _, err := e.w.Write(plaintext); err != nil {
		return nil, err
	}
	if err := e.w.Close(); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// EncryptTo streams the age encryption of plaintext to recipients into w, so
// that a large plaintext is not held twice.
func EncryptTo(w io.Writer, plaintext []byte, recipients ...age.Recipient) error {
	aw, err := age.Encrypt(w, recipients...)
	if err != nil {
		return err
	}
	if _, err := aw.Write(plaintext); err != nil {
		return err
	}
	return aw.Close()
}

// Open decrypts an age file with id. A file not encrypted to id returns
// [ErrWrongKey]; one that fails authentication or parsing returns
// [ErrDamaged]. The plaintext is the caller's to wipe.
func Open(id age.Identity, data []byte) ([]byte, error) {
	plain, err := decrypt(data, id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, ErrWrongKey
		}
		return nil, err
	}
	return plain, nil
}

// OpenOwn decrypts an age file that must be encrypted to id, such as the
// vault's own snapshot: a file that id does not open was altered, and is
// reported as [ErrDamaged].
func OpenOwn(id age.Identity, data []byte) ([]byte, error) {
	plain, err := Open(id, data)
	if errors.Is(err, ErrWrongKey) {
		return nil, fmt.Errorf("%w: no recipient stanza matches the vault key", ErrDamaged)
	}
	return plain, err
}

// OpenFileOwn decrypts an age file of size bytes read from src, which must be
// encrypted to id, as OpenOwn does. Chunks are decrypted on every core at
// once: a vault's snapshot is large, and opening it is what the user waits
// for. The plaintext is the caller's to wipe.
func OpenFileOwn(id age.Identity, src io.ReaderAt, size int64) ([]byte, error) {
	return OpenFileOwnInto(id, src, size, func(n int64) ([]byte, error) { return make([]byte, n), nil })
}

// OpenFileOwnInto is OpenFileOwn decrypting into a buffer that alloc returns
// for the plaintext's size, so that a caller who must hand the plaintext to
// memory it does not own (a database engine's) holds it once, not twice. If
// decryption fails after alloc, the buffer is wiped; freeing it is the
// caller's.
func OpenFileOwnInto(id age.Identity, src io.ReaderAt, size int64, alloc func(n int64) ([]byte, error)) ([]byte, error) {
	r, n, err := age.DecryptReaderAt(src, size, id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, fmt.Errorf("%w: no recipient stanza matches the vault key", ErrDamaged)
		}
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if n < 0 || n > 1<<40 {
		return nil, fmt.Errorf("%w: implausible size", ErrDamaged)
	}
	out, err := alloc(n)
	if err != nil {
		return nil, err
	}
	if int64(len(out)) != n {
		return nil, fmt.Errorf("a buffer of %d bytes for %d bytes of plaintext", len(out), n)
	}
	const chunk = 64 << 10 // age's payload chunk
	workers := int64(runtime.GOMAXPROCS(0))
	per := (n/workers/chunk + 1) * chunk
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := int64(0); w < workers; w++ {
		start := w * per
		if start >= n {
			break
		}
		end := min(start+per, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.ReadAt(out[start:end], start); err != nil && !errors.Is(err, io.EOF) {
				errs[w] = err
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			Wipe(out)
			return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
		}
	}
	return out, nil
}
