// Package vault is tvault's domain and its encrypted store.
//
// # Opening
//
// [Create] makes a vault; [Open] unlocks one:
//
//	v, err := vault.Open(ctx, dir, vault.OpenOptions{}, vault.PassphraseIdentity(p))
//	...
//	defer v.Close()
//
// Open takes any age identities: [PassphraseIdentity] opens passphrase key
// slots, any other identity (a key file, an age plugin) opens recipient
// slots. [OpenOptions].ReadOnly combines with any of them. A process that
// must keep others out before it has a key (the terminal UI, while locked)
// takes the folder's lock with [Lock] and later opens through
// [DirLock.Open]; the lock stays held if that fails.
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
//	vault.age        the database image (snapshot), age-encrypted to its generation's data key
//	journal/GEN.log  saves since that snapshot: frames, each age-encrypted to it and tagged
//	keys/*.age       key slots: the vault identity under a passphrase or a recipient
//	keys/data-?.age  the data key, encrypted to the vault identity (datakey.go)
//	lock             held by the operating system while a process has the vault open
//
// Every write is a change (revisions, sealed items, tombstones, roster,
// audit events) applied in one transaction and appended to the journal as
// one fsync'd frame before it is acknowledged ([Vault.Add] and the rest
// return only then). [Vault.Checkpoint] writes a new snapshot atomically
// and retires the journal. [Open] replays the journal; a torn last frame is
// dropped with a warning, any other damage is [ErrDamaged]. The file steps
// live in internal/fsx and the journal's frame format in internal/journal;
// this package decides what a change is and applies it.
//
// # Team
//
// Changes only add: revisions are unioned, heads are the revisions nobody
// names as a parent, and a tombstone keeps a purged interview out. That is
// what makes [Vault.Import] of a bundle idempotent and unable to roll
// anything back. [Vault.ExportFile] writes a bundle to a new file (never
// replacing one); [Vault.Purge] leaves tombstones; the audit log
// ([Vault.Audit], [Vault.VerifyAudit]) is a signed hash chain that only the
// vault itself appends to.
//
// # Errors
//
// Every sentinel error is in errors.go. [Open] returns an error wrapping
// [ErrWrongPassphrase] or [ErrNoIdentitySlot] when no slot opens,
// [ErrDamaged] when a file fails authentication, and [ErrInUse] when another
// process holds the vault. Error text names no command or key of a front
// end: the CLI and the terminal UI add their own hints, matching on the
// sentinel. Errors never contain testimony, names or passphrases.
//
// # What not to do
//
// Do not log or print [Identity] values or sealed payloads outside
// [Vault.Reveal]'s caller. Do not write the database image anywhere but
// through the snapshot code: it is plaintext. Do not hand a passphrase to
// [PassphraseIdentity] and forget it: Open does not copy it, so wipe it
// once Open returns.
package vault
