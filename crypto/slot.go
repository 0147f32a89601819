package crypto

import (
	"errors"
	"time"

	"filippo.io/age"
)

// SealSlot returns a passphrase key slot: the vault identity v, in age's
// identity-file format, encrypted with age's scrypt recipient under
// passphrase. `age -d` of the slot with the passphrase yields a file that
// `age -d -i` accepts; that is the documented recovery path.
func SealSlot(v *age.HybridIdentity, passphrase []byte, now time.Time) ([]byte, error) {
	if err := CheckNewPassphrase(passphrase); err != nil {
		return nil, err
	}
	r, err := passphraseRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	plain := MarshalIdentity(v, now)
	defer Wipe(plain)
	return encrypt(plain, r)
}

// OpenSlot decrypts a passphrase key slot and returns the vault identity.
// A passphrase that does not open the slot returns [ErrWrongPassphrase].
func OpenSlot(slot, passphrase []byte) (*age.HybridIdentity, error) {
	return openScryptKey(slot, passphrase)
}

func openScryptKey(data, passphrase []byte) (*age.HybridIdentity, error) {
	id, err := passphraseIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	plain, err := decrypt(data, id)
	// plain is the vault's secret key: out of swap while parsed, then wiped.
	Lock(plain)
	defer Wipe(plain)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			// A scrypt stanza that does not unwrap is what a wrong
			// passphrase looks like. A slot whose stanza was corrupted
			// looks the same; `tvault check` tells them apart.
			return nil, ErrWrongPassphrase
		}
		return nil, err
	}
	return ParseIdentity(plain)
}
