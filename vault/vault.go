package vault

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/internal/journal"
)

// Names inside a vault folder.
const (
	snapshotName = "vault.age"
	keysDir      = "keys"
	lockName     = "lock"
)

// Vault is an open, unlocked vault. It holds the folder's lock until Close.
// A Vault is not safe for concurrent use.
type Vault struct {
	dir      string
	lock     *DirLock
	db       *sql.DB
	conn     *sql.Conn
	image    *sqliteImage        // the database's memory (memimage.go)
	identity *age.HybridIdentity // V: decrypts the snapshot
	slot     string              // the key slot that unlocked V (slots.go)
	mac      []byte              // the store authentication key, from V (datakey.go)
	data     *dataKey            // the open generation's data key; nil in the old format

	custodian *age.HybridRecipient
	member    member
	keys      *keyOverlay // during an import: the key changes it brings

	journal      *journal.Log
	snapshotSize int64
	memoryLimit  int64 // the largest the database may grow to (memlimit.go)
	readOnly     bool
	warnings     []string

	// ctx is the vault's own context, for work that is short or must not
	// stop halfway and so takes none from its caller: opening, small reads,
	// and applying a save whose frame is already on disk. Close cancels it
	// once the last checkpoint is written. Long operations take a ctx of
	// their own.
	ctx    context.Context
	cancel context.CancelFunc

	// broken is set when a write reached memory but not the disk; every
	// later write returns it, so that nothing builds on state the disk
	// lacks. If the reload meant to undo the write failed too, there is no
	// database (conn is nil) and every read returns it as well (ready).
	broken error

	// Now returns the current time. Tests replace it.
	Now func() time.Time
}

// CreateOptions are the settings of a new vault.
type CreateOptions struct {
	// Name is this member's name, recorded as the author of revisions.
	Name string
	// Custodian is the recipient that identities and span secrets are sealed
	// to.
	Custodian *age.HybridRecipient
	// Passphrase opens the first key slot.
	Passphrase []byte
}

// Create makes a new vault in dir, which must be empty or absent, and returns
// it open.
func Create(dir string, opts CreateOptions) (*Vault, error) {
	if opts.Custodian == nil {
		return nil, errors.New("a custodian recipient is required")
	}
	if err := crypto.CheckNewPassphrase(opts.Passphrase); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(opts.Name)
	if err := crypto.CheckMemberName(name); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := fsx.MkdirPrivate(dir); err != nil {
		return nil, fmt.Errorf("failed to create vault folder: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.Name() != lockName {
			return nil, fmt.Errorf("%w: %q", ErrExists, dir)
		}
	}
	lock, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	v := &Vault{dir: dir, lock: lock, Now: time.Now}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	ok := false
	defer func() {
		if !ok {
			v.Close()
		}
	}()

	if v.identity, err = crypto.NewIdentity(); err != nil {
		return nil, err
	}
	if v.mac, err = storeMAC(v.identity); err != nil {
		return nil, err
	}
	if err := v.openDB(nil); err != nil {
		return nil, err
	}
	m, err := newMember(name)
	if err != nil {
		return nil, err
	}
	if err := v.initMeta(opts.Custodian, m); err != nil {
		return nil, err
	}
	if err := v.loadMeta(); err != nil {
		return nil, err
	}
	if err := v.limitMemory(); err != nil {
		return nil, err
	}

	// The key slot first, the snapshot last: a folder without vault.age is
	// not a vault, so a crash in between leaves nothing that looks like one.
	slot, err := crypto.SealSlot(v.identity, opts.Passphrase, v.Now(), slotNoteDataKeys)
	if err != nil {
		return nil, err
	}
	if err := fsx.MkdirPrivate(filepath.Join(dir, keysDir)); err != nil {
		return nil, err
	}
	if err := fsx.WriteFileExclusive(filepath.Join(dir, keysDir, "passphrase-1.age"), slot); err != nil {
		return nil, err
	}
	v.slot = "passphrase-1"
	did, err := crypto.NewIdentity()
	if err != nil {
		return nil, err
	}
	d := &dataKey{file: dataKeyA, gen: 0, id: did}
	if err := v.writeSnapshot(d, v.identity, v.mac); err != nil {
		return nil, err
	}
	v.data = d
	v.journal = journal.New(dir, 0)
	v.journal.MAC = v.mac
	ok = true
	return v, nil
}

// Exists reports whether dir holds a vault.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, snapshotName))
	return err == nil
}

// OpenOptions change how a vault is opened.
type OpenOptions struct {
	// ReadOnly opens the vault without changing any file: a torn last
	// journal frame is reported but not cut off, leftovers of a crash are
	// not cleaned up, failed attempts are not counted, nothing is saved and
	// Close does not checkpoint. It combines with any key.
	ReadOnly bool
}

// Open takes the lock of the vault in dir and unlocks the vault with the
// first key slot that one of ids opens: [PassphraseIdentity] for a
// passphrase slot, any other age identity (a key file, a plugin) for a
// recipient slot. The Vault holds the lock until Close.
//
// It returns an error wrapping [ErrNoVault], [ErrInUse], [ErrDamaged],
// [ErrWrongPassphrase] (a passphrase was given and opened nothing) or
// [ErrNoIdentitySlot] (an identity was given and opened nothing).
func Open(ctx context.Context, dir string, opts OpenOptions, ids ...age.Identity) (*Vault, error) {
	if !Exists(dir) {
		return nil, fmt.Errorf("%w: %q", ErrNoVault, dir)
	}
	lock := Lock
	if opts.ReadOnly {
		lock = lockReadOnly
	}
	l, err := lock(dir)
	if err != nil {
		return nil, err
	}
	v, err := l.Open(ctx, opts, ids...)
	if err != nil {
		l.Release()
		return nil, err
	}
	return v, nil
}

// Open unlocks the vault whose folder l locks, as [Open] does. On success
// the Vault takes the lock over (Close releases it, l.Release does nothing);
// on failure l still holds it.
func (l *DirLock) Open(ctx context.Context, opts OpenOptions, ids ...age.Identity) (*Vault, error) {
	dir := l.Dir()
	if !Exists(dir) {
		return nil, fmt.Errorf("%w: %q", ErrNoVault, dir)
	}
	if l.f == nil {
		return nil, errors.New("the vault's lock is not held")
	}
	if d := throttleDelay(dir); d > 0 {
		sleep(d)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var data *dataKey
	var mac, pass []byte
	var marked bool
	// A key slot is taken only if its V opens the store: after a crash
	// during a rekey, a slot may hold an older or newer V than the store.
	accept := func(id *age.HybridIdentity, notes []string, passphrase []byte) error {
		m, err := storeMAC(id)
		if err != nil {
			return err
		}
		data, mac, pass, marked = nil, m, passphrase, slices.Contains(notes, slotNoteDataKeys)
		if !hasDataKeys(dir) {
			// The old format, where the snapshot is to V: unless the
			// slot says otherwise (slotmark.go).
			return checkDowngrade(marked)
		}
		data, err = findDataKey(dir, id, m)
		return err
	}
	id, slot, err := unlock(dir, ids, accept)
	if errors.Is(err, ErrWrongPassphrase) && !opts.ReadOnly {
		recordFailedUnlock(dir)
	}
	if err != nil {
		return nil, err
	}
	lock, err := l.take()
	if err != nil {
		return nil, err
	}
	v := &Vault{dir: dir, lock: lock, Now: time.Now, readOnly: opts.ReadOnly, identity: id, slot: slot, data: data, mac: mac}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	ok := false
	defer func() {
		if !ok {
			// Close releases the lock: give it back to l instead.
			l.f, v.lock = v.lock.f, nil
			v.Close()
		}
	}()
	// scrypt at 2^18 leaves 256 MiB of garbage behind; collect it now so
	// that the snapshot's plaintext reuses that memory instead of adding
	// to it (the peak is what a laptop feels).
	runtime.GC()
	if err := v.loadSnapshot(); err != nil {
		return nil, err
	}
	// Replay first: a journaled change (a custodian rotation) may change
	// the settings loadMeta reads.
	if err := v.replayJournal(); err != nil {
		return nil, err
	}
	if err := v.loadMeta(); err != nil {
		return nil, err
	}
	if err := v.limitMemory(); err != nil {
		return nil, err
	}
	if !v.readOnly {
		v.markSlot(marked, pass)
		v.removeLeftovers()
		v.warnings = append(v.warnings, v.finishRecordings(v.ctx)...)
		if err := v.pinLegacyCustodian(); err != nil {
			v.warnings = append(v.warnings, fmt.Sprintf("the custodian could not be pinned: %v", err))
		}
		v.recordUnlock()
	}
	ok = true
	return v, nil
}

// recordUnlock puts this unlock, and the failures before it, in the audit
// log. A vault that cannot record it still opens, with a warning.
func (v *Vault) recordUnlock() {
	var events []Event
	failed, warning := readAttempts(v.dir)
	if warning != "" {
		v.warnings = append(v.warnings, warning)
	}
	for _, t := range failed {
		events = append(events, Event{Kind: EventUnlockFailed, Time: t.Format(time.RFC3339Nano), Details: "wrong passphrase or key"})
	}
	events = append(events, Event{Kind: EventUnlock, Subject: v.slot})
	if err := v.record(events...); err != nil {
		v.warnings = append(v.warnings, "this unlock could not be recorded in the audit log")
		return
	}
	if len(failed) > 0 {
		v.warnings = append(v.warnings, fmt.Sprintf("%d failed unlock attempts since the last unlock; the audit log lists them", len(failed)))
	}
	if len(failed) > 0 || warning != "" {
		clearAttempts(v.dir)
	}
}

// Warnings returns what Open found and repaired, for the user to read.
func (v *Vault) Warnings() []string { return v.warnings }

// Close writes a checkpoint if the journal has grown past its share of the
// snapshot, then releases the database and the lock. A small journal stays:
// the snapshot and the journal together are the vault, and rewriting a large
// snapshot because one interview was added would make every command cost as
// much as the whole vault. If the checkpoint fails nothing is lost: the
// journal still holds every save.
func (v *Vault) Close() error {
	var err error
	if v.conn != nil && !v.readOnly && v.broken == nil && v.journal != nil && v.journal.Seq > 0 && v.checkpointDue(0) {
		err = v.Checkpoint(v.ctx)
	}
	if v.cancel != nil {
		v.cancel()
	}
	if v.journal != nil {
		v.journal.Close()
	}
	if cerr := v.closeDB(); err == nil {
		err = cerr
	}
	v.identity, v.data = nil, nil
	crypto.Wipe(v.mac)
	v.mac = nil
	v.lock.Release()
	v.lock = nil
	return err
}

// Dir returns the vault's folder.
func (v *Vault) Dir() string { return v.dir }

// Custodian returns the recipient that identities are sealed to.
func (v *Vault) Custodian() *age.HybridRecipient { return v.custodian }

// Member returns this member's name.
func (v *Vault) Member() string { return v.member.Name }

// ready returns an error if the vault cannot be read: closed, or without a
// database after a failed reload.
func (v *Vault) ready() error {
	if v.conn == nil {
		if v.broken != nil {
			return v.broken
		}
		return ErrClosed
	}
	return nil
}
