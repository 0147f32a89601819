package main

// Exit codes. Scripts rely on them: never renumber one, only add.
const (
	exitOK = 0
	// exitFailure is any error not listed below.
	exitFailure = 1
	// exitUsage is a command line tvault does not understand.
	exitUsage = 2
	// exitWrongPassphrase is a passphrase (or key) that does not open the
	// vault, the custodian key file or the sealed identities.
	exitWrongPassphrase = 3
	// exitDamaged is a vault file, key file or input that failed
	// authentication or parsing: damaged or forged data.
	exitDamaged = 4
	// exitInUse is a vault another tvault process has open.
	exitInUse = 5
	// exitNotFound is a vault folder without a vault, or an unknown
	// interview ID.
	exitNotFound = 6
	// exitInvalid is input that is well-formed JSON but not a valid
	// interview: a missing pseudonym, a bad date, an open span.
	exitInvalid = 7
	// exitCancelled is a confirmation the user declined.
	exitCancelled = 8
)
