package crypto

import (
	"filippo.io/age"
)

// DefaultScryptWorkFactor is the log2 of scrypt's N for every passphrase
// tvault sets: about a second on a laptop, which is what makes guessing slow.
const DefaultScryptWorkFactor = 18

var scryptWorkFactor = DefaultScryptWorkFactor

// SetScryptWorkFactorForTesting lowers the scrypt work factor used for new
// passphrase slots and key files, and returns a function that restores it.
//
// It exists only so that test suites stay fast. It is not reachable from the
// command line or the environment: a user can never weaken their own vault.
func SetScryptWorkFactorForTesting(logN int) (restore func()) {
	old := scryptWorkFactor
	scryptWorkFactor = logN
	return func() { scryptWorkFactor = old }
}

// MinPassphraseLen is the shortest passphrase tvault accepts for a new slot
// or key file.
const MinPassphraseLen = 8

// passphraseRecipient returns an age scrypt recipient for p.
//
// age takes the passphrase as a string: that copy lives until the garbage
// collector reclaims it and cannot be wiped. The caller still wipes p.
func passphraseRecipient(p []byte) (*age.ScryptRecipient, error) {
	r, err := age.NewScryptRecipient(string(p))
	if err != nil {
		return nil, err
	}
	r.SetWorkFactor(scryptWorkFactor)
	return r, nil
}

// maxScryptWorkFactor is the highest work factor a slot or key file may ask
// for when it is opened. tvault writes 18; 20 leaves room to raise that
// (1 GiB and a few seconds). age's own ceiling, 22, let a planted slot cost
// 75 s and 8 GB at every unlock. It is a variable only so that fuzzing, which
// mutates the work factor, can lower it (export_test.go).
var maxScryptWorkFactor = 20

// minScryptWorkFactor is the lowest work factor a slot or key file may have:
// what tvault writes. A slot below it was not written by tvault (or was
// written by a test, which lowers both).
func minScryptWorkFactor() int { return min(DefaultScryptWorkFactor, scryptWorkFactor) }

// passphraseIdentity returns an age scrypt identity for p. As with
// passphraseRecipient, age forces a string copy of the passphrase.
func passphraseIdentity(p []byte) (*age.ScryptIdentity, error) {
	id, err := age.NewScryptIdentity(string(p))
	if err != nil {
		return nil, err
	}
	id.SetMaxWorkFactor(maxScryptWorkFactor)
	return id, nil
}

// Wipe overwrites b with zeros. Call it on every buffer that held a secret,
// as soon as the secret is no longer needed.
func Wipe(b []byte) {
	clear(b)
}
