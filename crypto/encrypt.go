package crypto

import (
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
)

// ErrWrongKey means an age file is not encrypted to the identity given.
var ErrWrongKey = errors.New("not encrypted to this key")

// Encrypt encrypts plaintext to recipients and returns the age file.
func Encrypt(plaintext []byte, recipients ...age.Recipient) ([]byte, error) {
	return encrypt(plaintext, recipients...)
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
