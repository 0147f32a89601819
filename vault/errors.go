package vault

import (
	"errors"

	"github.com/tvault/tvault/crypto"
)

var (
	// ErrWrongPassphrase means no key slot opened with the passphrase.
	ErrWrongPassphrase = crypto.ErrWrongPassphrase
	// ErrDamaged means a vault file failed authentication or parsing.
	ErrDamaged = crypto.ErrDamaged
	// ErrInUse means another process has the vault open.
	ErrInUse = errors.New("the vault is in use by another tvault process")
	// ErrNotFound means no interview has the ID given.
	ErrNotFound = errors.New("no such interview")
	// ErrAmbiguous means an ID prefix names more than one interview.
	ErrAmbiguous = errors.New("the ID prefix matches more than one interview")
	// ErrNoVault means the folder holds no vault.
	ErrNoVault = errors.New("no vault here")
	// ErrExists means a vault (or other files) already exist where one would
	// be created.
	ErrExists = errors.New("the folder is not empty")
	// ErrClosed means the vault was closed, or lost its database after a
	// failed save.
	ErrClosed = errors.New("the vault is closed")
	// ErrReadOnly is returned by writes to a vault opened read-only.
	ErrReadOnly = errors.New("the vault is open read-only")
	// ErrNotOpenedWithPassphrase means the vault was opened with an
	// identity, so it has no current passphrase to change.
	ErrNotOpenedWithPassphrase = errors.New("the vault was not opened with a passphrase, so there is no passphrase to change")
	// ErrInvalid means an interview failed validation.
	ErrInvalid = errors.New("invalid interview")
	// ErrSamePassphrase means a new vault passphrase is the same as the
	// custodian passphrase ([CheckPassphrasesDiffer]).
	ErrSamePassphrase = errors.New("the vault passphrase must differ from the custodian passphrase")
	// ErrMemoryFull means a save would grow the in-memory database past
	// what this machine can hold; nothing of it was saved. It is about
	// memory, not the disk.
	ErrMemoryFull = errors.New("not enough memory for this save")
)
