package vault

import (
	"crypto/subtle"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

// The custodian's key and the passphrases, for front ends: they create and
// open custodian keys through vault, never through package crypto.

// MinPassphraseLen is the shortest passphrase [CheckNewPassphrase] accepts.
const MinPassphraseLen = crypto.MinPassphraseLen

// Card is a member's card: name, recipient and signing key, signed.
type Card = crypto.Card

// CustodianKey is an open custodian key: it opens sealed identities and span
// secrets (see [Vault.Reveal]). Keep it no longer than one reveal.
type CustodianKey = age.HybridIdentity

// OpenCustodianKey opens the custodian key file keyFile with passphrase. The
// error wraps [ErrWrongPassphrase] for a wrong passphrase (or a file that is
// not a custodian key), or [ErrDamaged]. The caller wipes passphrase.
func OpenCustodianKey(keyFile, passphrase []byte) (*CustodianKey, error) {
	return crypto.OpenCustodianKey(keyFile, passphrase)
}

// ParseCustodianRecipient parses a custodian's recipient (age1pq1…), for
// [CreateOptions].Custodian.
func ParseCustodianRecipient(s string) (*age.HybridRecipient, error) {
	return crypto.ParseRecipient(s)
}

// CheckNewPassphrase returns an error saying what is wrong with p as a new
// passphrase (empty, shorter than [MinPassphraseLen]…), or nil. The error
// never repeats p.
func CheckNewPassphrase(p []byte) error {
	return crypto.CheckNewPassphrase(p)
}

// CheckPassphrasesDiffer returns [ErrSamePassphrase] if the
// vault passphrase and the custodian passphrase are the same: whoever
// coerces the interviewer's passphrase must not also get the custodian's.
// Every front end that creates a vault with a new custodian key checks it
// before the key file is written. The error never repeats either.
func CheckPassphrasesDiffer(vaultPassphrase, custodianPassphrase []byte) error {
	if subtle.ConstantTimeCompare(vaultPassphrase, custodianPassphrase) == 1 {
		return ErrSamePassphrase
	}
	return nil
}

// Strength is an estimate of how hard a passphrase is to guess.
type Strength = crypto.Strength

// PassphraseStrength estimates how hard p is to guess: the estimate that
// [CheckNewPassphrase] applies, for feedback as the passphrase is typed.
func PassphraseStrength(p []byte) Strength { return crypto.PassphraseStrength(p) }
