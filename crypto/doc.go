// Package crypto holds every key tvault uses, built on filippo.io/age.
//
// # Keys
//
// The vault identity V is an age post-quantum hybrid identity
// ([age.GenerateHybridIdentity]). The snapshot and journal are encrypted to
// it. Its secret key never touches the disk in the clear: it lives in key
// slots ([SealSlot], [OpenSlot]), each an age file whose plaintext is V in
// age's identity-file format, so that `age -d` of a passphrase slot yields a
// file `age -d -i` accepts.
//
// The custodian identity C is a second hybrid identity. Only its recipient is
// kept in the vault: data sealed with [Seal] cannot be read back on the
// laptop that sealed it. Its secret key lives in a custodian key file
// ([SealCustodianKey], [OpenCustodianKey]), encrypted under the custodian
// passphrase.
//
// Other key slots are encrypted to any age recipient ([SealRecipientSlot],
// [OpenRecipientSlot], [ParseAnyRecipient], [ParseIdentityFile]), including
// plugin recipients such as a hardware key's.
//
// # Share cards
//
// The custodian identity can be split into k-of-n share cards
// ([SplitCustodianKey], [RecoverCustodianKey], [ShareCard]): a random scalar
// is Shamir-shared, HKDF turns it into a key, and that key encrypts the
// identity with age; the small age file is on every card. Fewer than k
// cards, cards of different splits, or a wrong share are refused, never
// turned into a wrong key: do not add a recovery path that skips age's
// authentication of the result.
//
// # Passphrases
//
// Passphrases are []byte so that callers can [Wipe] them. age forces a string
// at the point where it derives the key; that copy cannot be wiped and the
// call sites say so. Asking for a passphrase, on the terminal or from a file,
// is not this package's business but internal/term's; this package checks a
// new passphrase ([CheckNewPassphrase]), wipes buffers ([Wipe]) and keeps
// them out of swap ([Lock]).
//
// The scrypt work factor is 18 (about a second). Tests lower it with
// [SetScryptWorkFactorForTesting]; nothing a user can reach changes it.
//
// # Errors
//
// Opening a slot or key file with the wrong passphrase returns an error
// wrapping [ErrWrongPassphrase]. Anything that fails authentication after the
// key was accepted returns an error wrapping [ErrDamaged]. Callers must not
// treat one as the other: a damaged file must never read as a typo.
package crypto
