// Package vault is tvault's domain and its encrypted store.
//
// # Records
//
// An [Interview] is pseudonymised testimony. Its real [Identity], and the
// secret half of every sensitive span (written {{secret|description}} in
// testimony), are sealed to the custodian's recipient when saved: after a
// save the vault itself cannot read them back. Only [Vault.Reveal], given the
// custodian's identity, opens them.
//
// Every save is an immutable [Revision]: its ID is the SHA-256 of its
// canonical JSON, it names its parents, and it is signed by the member who
// wrote it. Nothing edits a revision in place.
//
// # Store
//
// While a vault is open its SQLite database lives in memory, on one held
// connection; SQLite never writes a file. On disk, in the vault folder:
//
//	vault.age       the database image, age-encrypted to the vault identity
//	keys/*.age      key slots: the vault identity under a passphrase
//	lock            held by the operating system while a process has the vault open
//
// The snapshot is replaced atomically: temporary file, fsync, rename, fsync of
// the folder. A crash at any point leaves either the old or the new snapshot.
//
// # Errors
//
// [Open] returns an error wrapping [ErrWrongPassphrase] when no slot opens,
// [ErrDamaged] when a file fails authentication, and [ErrInUse] when another
// process holds the vault. Errors never contain testimony, names or
// passphrases.
//
// # What not to do
//
// Do not log or print [Identity] values or sealed payloads outside
// [Vault.Reveal]'s caller. Do not write the database image anywhere but
// through the snapshot code: it is plaintext.
package vault
