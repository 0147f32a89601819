package crypto

import (
	"time"

	"filippo.io/age"
)

// SealCustodianKey returns a custodian key file: the custodian identity c in
// age's identity-file format, encrypted under the custodian passphrase with
// age's scrypt recipient. It belongs off field laptops.
func SealCustodianKey(c *age.HybridIdentity, passphrase []byte, now time.Time) ([]byte, error) {
	return SealSlot(c, passphrase, now)
}

// OpenCustodianKey decrypts a custodian key file. A wrong passphrase returns
// [ErrWrongPassphrase].
func OpenCustodianKey(keyFile, passphrase []byte) (*age.HybridIdentity, error) {
	id, _, err := openScryptKey(keyFile, passphrase)
	return id, err
}

// Seal encrypts plaintext to the custodian recipient alone. Whoever sealed it
// cannot open it again without the custodian key.
func Seal(custodian age.Recipient, plaintext []byte) ([]byte, error) {
	return encrypt(plaintext, custodian)
}

// Unseal decrypts data sealed with [Seal]. The wrong custodian key returns an
// error wrapping [ErrWrongKey]; an altered ciphertext returns [ErrDamaged].
func Unseal(custodian age.Identity, sealed []byte) ([]byte, error) {
	return Open(custodian, sealed)
}
