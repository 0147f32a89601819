package vault

import (
	"errors"
	"fmt"

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

var (
	// ErrKeyFileExists means a custodian key file would be written over an
	// existing file: tvault never overwrites a key file.
	ErrKeyFileExists = errors.New("that file exists; tvault never overwrites a key file")
	// ErrKeyFileInVault means a custodian key file would be written inside
	// the vault folder, where whoever holds the vault would hold it too.
	ErrKeyFileInVault = errors.New("the custodian key must not live inside the vault folder")
	// ErrKeyFolderMissing means the folder a custodian key file would be
	// written to does not exist (often: the USB stick is not mounted).
	ErrKeyFolderMissing = errors.New("that folder does not exist (is the USB stick plugged in and mounted?)")
	// ErrKeyFolderNotWritable means the folder a custodian key file would
	// be written to cannot be written.
	ErrKeyFolderNotWritable = errors.New("that folder cannot be written to (is the USB stick read-only?)")
	// ErrKeyFileOnLaptop is a warning, not a refusal: the custodian key file
	// would be on the same file system as the vault or the home folder, so
	// whoever takes the laptop takes the key file too
	// ([CustodianKeyOnLaptop]).
	ErrKeyFileOnLaptop = errors.New("that is this laptop's own disk (the vault's or the home folder's): whoever takes the laptop takes the key too; write it to a USB stick and hand it over")
)

// ErrBadCard means a member card is not valid: malformed, or its signature
// does not verify.
var ErrBadCard = crypto.ErrBadCard

var (
	// ErrMixedRecipients means post-quantum and classic recipients were
	// given for one bundle, which age cannot do.
	ErrMixedRecipients = errors.New("post-quantum (age1pq1…) and classic (age1…, ssh-…) recipients cannot be mixed in one bundle")
	// ErrNoRecipients means an export names nobody to encrypt to.
	ErrNoRecipients = errors.New("a bundle needs at least one recipient")
	// ErrNothingNew means an export with SinceLast has nothing the members
	// were not sent already: no bundle is written.
	ErrNothingNew = errors.New("nothing new to send since the last export")
)

var (
	// ErrNotForMe means a bundle is not encrypted to this member.
	ErrNotForMe = errors.New("this bundle is not encrypted to you")
	// ErrUnknownSigner means a bundle's signer is not on the roster.
	ErrUnknownSigner = fmt.Errorf("%w: the bundle is signed by someone not on your team roster", ErrDamaged)
	// ErrNotAddressed means a bundle's signer did not encrypt it to this
	// member: someone it was sent to re-encrypted it.
	ErrNotAddressed = fmt.Errorf("%w: the bundle's signer did not send it to you; someone it was sent to passed it on", ErrDamaged)
	// ErrNewerBundle means a bundle holds a kind of record this version
	// does not know: made by a newer tvault. Refused, not skipped: the
	// record may be one that must not be missed.
	ErrNewerBundle = errors.New("the bundle was made by a newer tvault")
	// ErrRetiredCustodian means a bundle's current revisions use items
	// sealed to a custodian this vault rotated away from.
	ErrRetiredCustodian = errors.New("the bundle holds identities sealed to the custodian this vault rotated away from; the sender must rotate to the new custodian first")
)

// ErrPlantedTombstones means the vault holds tombstones without a matching
// purge here: written by someone who held the passphrase, or the member key,
// without purging anything on this laptop. Export refuses to spread them.
var ErrPlantedTombstones = errors.New("tombstones that this vault never purged")

// ErrWrongCustodianKey means the custodian identity given does not open this
// vault's sealed items.
var ErrWrongCustodianKey = errors.New("this custodian key does not open the vault's sealed identities")

var (
	// ErrLastSlot means removing a slot would leave the vault with none.
	ErrLastSlot = errors.New("this is the vault's only key slot; removing it would lock the vault forever")
	// ErrNoSlot means no key slot has the name given.
	ErrNoSlot = errors.New("no such key slot")
	// ErrNoIdentitySlot means no recipient slot opens with the identities
	// given.
	ErrNoIdentitySlot = errors.New("no key slot opens with this identity")
)

var (
	// ErrMemberExists means a different member already has the name.
	ErrMemberExists = errors.New("a member with this name is already on the roster with other keys")
	// ErrOwnCard means the card is this vault's own.
	ErrOwnCard = errors.New("this is your own card")
	// ErrNoMember means no member has the name.
	ErrNoMember = errors.New("no such member on the roster")
	// ErrAlreadyMember means the card is on the roster already, with the
	// same keys: adding it again changes nothing.
	ErrAlreadyMember = errors.New("already on the roster with this card")
)

var (
	// ErrKeyConflict means a bundle hands a member key over in a way that
	// conflicts with what this vault knows: a second, different rotation of
	// the same old key, or a rotation of this member's own key made
	// elsewhere. Someone holds a key they should not.
	ErrKeyConflict = fmt.Errorf("%w: conflicting member key change", ErrDamaged)
	// ErrRetiredKey means a bundle, or an item in it that this vault does
	// not have, is signed with a member key that was rotated away from.
	ErrRetiredKey = fmt.Errorf("%w: signed with a retired member key", ErrDamaged)
)

// ErrNotPlanted means an interview has no planted tombstone: none at all,
// or one that a purge here or a teammate's bundle made, which is never
// dropped.
var ErrNotPlanted = errors.New("no planted tombstone of that interview")

// Attachments.
var (
	// ErrNoAttachment means no attachment has the ID given.
	ErrNoAttachment = errors.New("no such attachment")
	// ErrSealedAttachment means an attachment is sealed to the custodian
	// and no custodian key was given.
	ErrSealedAttachment = errors.New("the attachment is sealed to the custodian")
	// ErrCannotClean means tvault has no metadata cleaner for a file type.
	ErrCannotClean = errors.New("cannot clean this kind of file")
	// ErrProofMismatch means a file is not the one an attachment proof
	// names.
	ErrProofMismatch = errors.New("the file does not match the proof")
)

// Quotes and publication.
var (
	// ErrNoPassage means a quote's passage is not in the testimony, or is
	// there more than once.
	ErrNoPassage = fmt.Errorf("%w: quote", ErrInvalid)
	// ErrNoQuote means no quote of the interview has the ID given.
	ErrNoQuote = errors.New("no such quote")
	// ErrInConflict means a quote was asked of an interview with two heads:
	// saved over both, it would keep only the newest one's text, and the
	// other version's edits would leave the interview unmerged.
	ErrInConflict = errors.New("the interview is in conflict (it has two versions)")
)

// SpanError is a sensitive span written wrong in testimony: where it starts
// and what is wrong, never its content. It wraps ErrInvalid.
type SpanError struct {
	// Offset is the number of characters before the span's {{.
	Offset int
	// Line and Column (in characters) of the {{, from 1.
	Line, Column int
	// Problem says what is wrong, e.g. "is not closed with }}".
	Problem string
}

func (e *SpanError) Error() string {
	return fmt.Sprintf("%v: the sensitive span at line %d, column %d %s", ErrInvalid, e.Line, e.Column, e.Problem)
}

// Unwrap returns ErrInvalid.
func (e *SpanError) Unwrap() error { return ErrInvalid }

// ErrBadFilter means a search filter is malformed: a date that is not
// YYYY, YYYY-MM or YYYY-MM-DD, or a consent other than record, quote or
// share.
var ErrBadFilter = errors.New("invalid search filter")

// ErrNoSuchPassage means a passage to redact is in no revision of the
// interview. It is an [ErrNotFound] too (errors.Is), for exit codes.
var ErrNoSuchPassage error = notFoundError("no such passage")

type notFoundError string

func (e notFoundError) Error() string        { return string(e) }
func (e notFoundError) Is(target error) bool { return target == ErrNotFound }
