package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
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
	lock     *os.File
	db       *sql.DB
	conn     *sql.Conn
	identity *age.HybridIdentity // V: decrypts the snapshot
	slot     string              // the key slot that unlocked V (slots.go)

	custodian *age.HybridRecipient
	member    member

	journal      *journal
	snapshotSize int64
	memoryLimit  int64 // the largest the database may grow to (memlimit.go)
	readOnly     bool
	warnings     []string

	// broken is set when a write reached memory but not the disk; every
	// later call returns it, so that nothing builds on state the disk lacks.
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
	v := &Vault{dir: dir, Now: time.Now}
	if err := v.acquireLock(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			v.Close()
		}
	}()

	if v.identity, err = crypto.NewIdentity(); err != nil {
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
	slot, err := crypto.SealSlot(v.identity, opts.Passphrase, v.Now())
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
	if err := v.writeSnapshot(); err != nil {
		return nil, err
	}
	v.journal = &journal{dir: dir}
	ok = true
	return v, nil
}

// Exists reports whether dir holds a vault.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, snapshotName))
	return err == nil
}

// Open unlocks the vault in dir with passphrase. It returns an error wrapping
// ErrNoVault, ErrInUse, ErrWrongPassphrase or ErrDamaged as the case is.
func Open(dir string, passphrase []byte) (*Vault, error) {
	return OpenWith(dir, passphrase, OpenOptions{})
}

// OpenOptions change how a vault is opened.
type OpenOptions struct {
	// ReadOnly opens the vault without changing any file: a torn last
	// journal frame is reported but not cut off, leftovers of a crash are
	// not cleaned up, nothing is saved and Close does not checkpoint.
	ReadOnly bool
}

// OpenWith is Open with options.
func OpenWith(dir string, passphrase []byte, opts OpenOptions) (*Vault, error) {
	return open(dir, opts, func() (*age.HybridIdentity, string, error) { return unlock(dir, passphrase) })
}

// open opens the vault in dir with the identity that unlockFn finds in a key
// slot, and the name of that slot.
func open(dir string, opts OpenOptions, unlockFn func() (*age.HybridIdentity, string, error)) (*Vault, error) {
	if !Exists(dir) {
		return nil, fmt.Errorf("%w: %q (create one with tvault init)", ErrNoVault, dir)
	}
	v := &Vault{dir: dir, Now: time.Now, readOnly: opts.ReadOnly}
	if err := v.acquireLock(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			v.Close()
		}
	}()
	if d := ThrottleDelay(dir); d > 0 {
		sleep(d)
	}
	id, slot, err := unlockFn()
	if errors.Is(err, ErrWrongPassphrase) && !opts.ReadOnly {
		recordFailedUnlock(dir)
	}
	if err != nil {
		return nil, err
	}
	v.identity, v.slot = id, slot
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
		v.removeLeftovers()
		v.recordUnlock()
	}
	ok = true
	return v, nil
}

// loadSnapshot decrypts vault.age into the in-memory database.
func (v *Vault) loadSnapshot() error {
	f, err := os.Open(filepath.Join(v.dir, snapshotName))
	if err != nil {
		return fmt.Errorf("failed to read the vault: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	v.snapshotSize = st.Size()
	image, err := crypto.OpenFileOwn(v.identity, f, st.Size())
	if err != nil {
		return fmt.Errorf("%s: %w", snapshotName, err)
	}
	// The image is the plaintext database: wipe it as soon as SQLite has
	// its own copy.
	defer crypto.Wipe(image)
	return v.openDB(image)
}

// replayJournal applies the frames saved since the snapshot.
func (v *Vault) replayJournal() error {
	gen, err := v.metaUint("journal_gen")
	if err != nil {
		return err
	}
	gens, err := journalFiles(v.dir)
	if err != nil {
		return err
	}
	for _, g := range gens {
		if g > gen {
			return fmt.Errorf("%w: the journal is newer than the snapshot (was vault.age replaced by an older copy?)", ErrDamaged)
		}
	}
	frames, j, torn, err := readJournal(v.dir, gen, v.identity)
	if err != nil {
		return err
	}
	v.journal = j
	if torn > 0 {
		v.warnings = append(v.warnings, "the last save in the journal was incomplete (interrupted before it was acknowledged) and was dropped")
	}
	if len(frames) == 0 {
		return nil
	}
	ctx := context.Background()
	tx, err := v.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, fr := range frames {
		if err := apply(ctx, tx, fr.Change); err != nil {
			return fmt.Errorf("journal frame %d: %w", fr.Seq, err)
		}
	}
	return tx.Commit()
}

// removeLeftovers deletes what a crash can leave behind: temporary snapshot
// files (ciphertext, never complete) and journals that a snapshot already
// covers. It also cuts a torn frame off the journal so that the next save
// appends after the last whole frame.
func (v *Vault) removeLeftovers() {
	if tmps, _ := filepath.Glob(filepath.Join(v.dir, "."+snapshotName+".tmp-*")); len(tmps) > 0 {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	gens, _ := journalFiles(v.dir)
	removed := false
	for _, g := range gens {
		if g < v.journal.gen {
			os.Remove(journalPath(v.dir, g))
			removed = true
		}
	}
	if removed {
		fsx.SyncDir(filepath.Join(v.dir, journalDir))
	}
	if st, err := os.Stat(journalPath(v.dir, v.journal.gen)); err == nil && st.Size() > v.journal.size {
		if err := os.Truncate(journalPath(v.dir, v.journal.gen), v.journal.size); err == nil {
			if f, err := os.OpenFile(journalPath(v.dir, v.journal.gen), os.O_RDWR, 0); err == nil {
				f.Sync()
				f.Close()
			}
		}
	}
}

// recordUnlock puts this unlock, and the failures before it, in the audit
// log. A vault that cannot record it still opens, with a warning.
func (v *Vault) recordUnlock() {
	var events []Event
	failed := readAttempts(v.dir).Failed
	for _, t := range failed {
		events = append(events, Event{Kind: EventUnlockFailed, Time: t, Details: "wrong passphrase or key"})
	}
	events = append(events, Event{Kind: EventUnlock, Subject: v.slot})
	if err := v.Record(events...); err != nil {
		v.warnings = append(v.warnings, "this unlock could not be recorded in the audit log")
		return
	}
	if len(failed) > 0 {
		v.warnings = append(v.warnings, fmt.Sprintf("%d failed unlock attempts since the last unlock (see tvault audit)", len(failed)))
		clearAttempts(v.dir)
	}
}

// Warnings returns what Open found and repaired, for the user to read.
func (v *Vault) Warnings() []string { return v.warnings }

// unlock tries every passphrase slot in keys/ with passphrase, and returns
// the identity and the name of the slot that opened.
func unlock(dir string, passphrase []byte) (*age.HybridIdentity, string, error) {
	slots, err := filepath.Glob(filepath.Join(dir, keysDir, "*.age"))
	if err != nil {
		return nil, "", err
	}
	sort.Strings(slots)
	if len(slots) == 0 {
		return nil, "", fmt.Errorf("%w: %s", ErrDamaged, errNoSlots)
	}
	var damaged error
	for _, path := range slots {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, "", err
		}
		id, err := crypto.OpenSlot(data, passphrase)
		if err == nil {
			return id, slotName(path), nil
		}
		if errors.Is(err, ErrDamaged) {
			damaged = fmt.Errorf("key slot %q: %w", filepath.Base(path), err)
		}
	}
	if damaged != nil {
		return nil, "", damaged
	}
	return nil, "", ErrWrongPassphrase
}

func (v *Vault) acquireLock() error {
	f, err := os.OpenFile(filepath.Join(v.dir, lockName), os.O_RDONLY|os.O_CREATE, fsx.FileMode)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("cannot open the vault's lock file: %w", err)
		}
		return err
	}
	if err := fsx.LockFile(f); err != nil {
		f.Close()
		if errors.Is(err, fsx.ErrLocked) {
			return ErrInUse
		}
		return err
	}
	v.lock = f
	return nil
}

// openDB opens the in-memory database on one held connection and, if image
// is not nil, loads it.
func (v *Vault) openDB(image []byte) error {
	// The memdb VFS keeps the database in one buffer, so a snapshot is one
	// copy; the name is random because memdb names are shared within a
	// process, and two open vaults must never see each other.
	db, err := sql.Open("sqlite", "file:/tvault-"+randomID()+randomID()+"?vfs=memdb")
	if err != nil {
		return err
	}
	// One connection for the life of the vault: an in-memory database is
	// private to its connection, so a second one would see an empty vault.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	v.db = db
	ctx := context.Background()
	if v.conn, err = db.Conn(ctx); err != nil {
		return err
	}
	if image != nil {
		// age authenticated every byte of the image, so a full integrity
		// check here would only cost time (seconds at 10,000 interviews);
		// `tvault check` runs one.
		if !bytes.HasPrefix(image, []byte("SQLite format 3\x00")) {
			return fmt.Errorf("%w: the snapshot does not hold a database", ErrDamaged)
		}
		err := v.conn.Raw(func(dc any) error {
			d, ok := dc.(interface{ Deserialize([]byte) error })
			if !ok {
				return errors.New("the sqlite driver cannot load a database image")
			}
			return d.Deserialize(image)
		})
		if err != nil {
			return fmt.Errorf("%w: the database image does not load: %v", ErrDamaged, err)
		}
	}
	for _, pragma := range []string{
		// Temporary tables and indices stay in memory: never a temp file.
		`PRAGMA temp_store = MEMORY`,
		// The rollback journal of an in-memory database lives in memory.
		`PRAGMA journal_mode = MEMORY`,
		`PRAGMA foreign_keys = ON`,
		// Deleted content is overwritten, not left in free pages: a purged
		// interview must not survive inside the next snapshot.
		`PRAGMA secure_delete = ON`,
	} {
		if _, err := v.conn.ExecContext(ctx, pragma); err != nil {
			return fmt.Errorf("%s: %w", pragma, err)
		}
	}
	// No cap while the vault loads: see memlimit.go.
	if _, err := setSizeLimit(v.conn, noLimit); err != nil {
		return err
	}
	return migrate(ctx, v.conn)
}

// writeSnapshot serializes the database, encrypts it to the vault identity
// and replaces vault.age atomically.
func (v *Vault) writeSnapshot() error {
	var image []byte
	err := v.conn.Raw(func(dc any) error {
		s, ok := dc.(interface{ Serialize() ([]byte, error) })
		if !ok {
			return errors.New("the sqlite driver cannot serialize")
		}
		var err error
		image, err = s.Serialize()
		return err
	})
	if err != nil {
		return fmt.Errorf("failed to serialize the database: %w", err)
	}
	defer crypto.Wipe(image)
	err = fsx.WriteFileAtomic(filepath.Join(v.dir, snapshotName), func(f *os.File) error {
		return crypto.EncryptTo(f, image, v.identity.Recipient())
	})
	if err != nil {
		return err
	}
	if st, err := os.Stat(filepath.Join(v.dir, snapshotName)); err == nil {
		v.snapshotSize = st.Size()
	}
	return nil
}

// Close writes a checkpoint if the journal has grown past its share of the
// snapshot, then releases the database and the lock. A small journal stays:
// the snapshot and the journal together are the vault, and rewriting a large
// snapshot because one interview was added would make every command cost as
// much as the whole vault. If the checkpoint fails nothing is lost: the
// journal still holds every save.
func (v *Vault) Close() error {
	var err error
	if v.conn != nil && !v.readOnly && v.broken == nil && v.journal != nil && v.journal.seq > 0 && v.checkpointDue(0) {
		err = v.Checkpoint()
	}
	if v.journal != nil {
		v.journal.close()
	}
	if v.conn != nil {
		if cerr := v.conn.Close(); err == nil {
			err = cerr
		}
		v.conn = nil
	}
	if v.db != nil {
		if cerr := v.db.Close(); err == nil {
			err = cerr
		}
		v.db = nil
	}
	v.identity = nil
	if v.lock != nil {
		fsx.UnlockFile(v.lock)
		v.lock.Close()
		v.lock = nil
	}
	return err
}

// Dir returns the vault's folder.
func (v *Vault) Dir() string { return v.dir }

// Custodian returns the recipient that identities are sealed to.
func (v *Vault) Custodian() *age.HybridRecipient { return v.custodian }

// Member returns this member's name.
func (v *Vault) Member() string { return v.member.Name }

// ErrReadOnly is returned by writes to a vault opened read-only.
var ErrReadOnly = errors.New("the vault is open read-only")

// checkpointFraction: a checkpoint is written when the journal grows past
// this fraction of the snapshot (and at least minCheckpoint bytes). Smaller
// means faster opens; larger means fewer snapshot rewrites.
const (
	checkpointFraction = 8
	minCheckpoint      = 1 << 20
)

func (v *Vault) checkpointDue(extra int64) bool {
	return v.journal.size+extra > max(v.snapshotSize/checkpointFraction, minCheckpoint)
}

// commit applies ch to the database and makes it durable before returning,
// as one journal frame, fsync'd. If that fails, the transaction is rolled
// back: nothing of ch is in the vault, in memory or on disk. A large change
// (a bulk add) is then checkpointed at once; the frame made it safe first,
// so a failed checkpoint loses nothing.
func (v *Vault) commit(ch *change) error {
	if v.broken != nil {
		return v.broken
	}
	if v.readOnly {
		return ErrReadOnly
	}
	ctx := context.Background()
	tx, err := v.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := apply(ctx, tx, ch); err != nil {
		return v.memoryFull(err)
	}
	// Before the change reaches the disk: a frame whose change cannot be
	// applied would fail again at every open.
	if err := v.checkRoom(ctx, tx); err != nil {
		return v.memoryFull(err)
	}
	if v.checkpointDue(ch.approxSize()) {
		return v.commitByCheckpoint(tx)
	}
	buf, err := v.journal.encodeFrame(v.identity.Recipient(), ch)
	if err != nil {
		return err
	}
	err = v.journal.append(buf)
	crypto.Wipe(buf) // ciphertext, but no longer needed
	if errors.Is(err, errJournalNotCutBack) {
		// Part of the frame may be on disk: the next open drops it as torn,
		// or, if it is whole, replays it. Either way memory cannot be
		// trusted to match.
		v.broken = fmt.Errorf("a save failed and the journal could not be repaired (%v); close and reopen the vault", err)
		return fmt.Errorf("failed to save; this change may or may not be in the vault when it is next opened: %w", err)
	}
	if err != nil {
		return fmt.Errorf("failed to save; nothing of this change was saved: %w", err)
	}
	if err := tx.Commit(); err != nil {
		// On disk but not in memory: reopening replays it.
		v.broken = fmt.Errorf("an earlier save did not reach memory (%v); close and reopen the vault", err)
		return v.broken
	}
	if v.checkpointDue(0) {
		if err := v.Checkpoint(); err != nil {
			v.warnings = append(v.warnings, "a checkpoint failed; the journal still holds every save")
		}
	}
	return nil
}

// commitByCheckpoint makes a large change (a bulk add, an import) durable
// as a new snapshot rather than as a journal frame that the next checkpoint
// would at once make redundant. The snapshot is of the committed database,
// so the transaction commits first; if the snapshot then cannot be written,
// the disk is as before the change and memory is ahead of it, so the
// database is reloaded from the disk. A crash in between leaves the old
// snapshot and journal: the change was never acknowledged.
func (v *Vault) commitByCheckpoint(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return err
	}
	err := v.Checkpoint()
	if err == nil {
		return nil
	}
	if rerr := v.reload(); rerr != nil {
		v.broken = fmt.Errorf("a save failed (%v) and the vault could not be reloaded (%v); close and reopen it", err, rerr)
	}
	return fmt.Errorf("failed to save; nothing of this change was saved: %w", err)
}

// reload replaces the in-memory database with what the disk holds.
func (v *Vault) reload() error {
	v.journal.close()
	if v.conn != nil {
		v.conn.Close()
		v.conn = nil
	}
	if v.db != nil {
		v.db.Close()
		v.db = nil
	}
	if err := v.loadSnapshot(); err != nil {
		return err
	}
	if err := v.replayJournal(); err != nil {
		return err
	}
	if err := v.loadMeta(); err != nil {
		return err
	}
	if err := v.limitMemory(); err != nil {
		return err
	}
	return nil
}

// Checkpoint writes the whole database as a new snapshot and retires the
// journal. A crash at any point opens to the same data: before the rename
// the old snapshot and journal are whole; after it, the new snapshot covers
// the old journal, which Open removes.
func (v *Vault) Checkpoint() error {
	if v.broken != nil {
		return v.broken
	}
	if v.readOnly {
		return ErrReadOnly
	}
	ctx := context.Background()
	// Tidy the search index while the snapshot is being rewritten anyway.
	v.conn.ExecContext(ctx, `INSERT INTO testimony_fts (testimony_fts, rank) VALUES ('merge', 64)`)
	v.conn.ExecContext(ctx, `INSERT INTO cjk_fts (cjk_fts, rank) VALUES ('merge', 64)`)
	old := v.journal.gen
	if err := v.setMeta(ctx, "journal_gen", []byte(strconv.FormatUint(old+1, 10))); err != nil {
		return err
	}
	if err := v.writeSnapshot(); errors.Is(err, fsx.ErrRenamedNotSynced) {
		// The new snapshot is in place: go on as if all went well, or saves
		// would land in a journal the next open treats as retired.
		v.warnings = append(v.warnings, "a checkpoint could not sync the vault folder; the disk may be failing")
	} else if err != nil {
		if rerr := v.setMeta(ctx, "journal_gen", []byte(strconv.FormatUint(old, 10))); rerr != nil {
			v.broken = fmt.Errorf("a checkpoint failed and could not be undone (%v); close and reopen the vault", rerr)
		}
		return err
	}
	v.journal.close()
	if err := os.Remove(journalPath(v.dir, old)); err == nil {
		fsx.SyncDir(filepath.Join(v.dir, journalDir))
	}
	v.journal = &journal{dir: v.dir, gen: old + 1}
	return nil
}

func (v *Vault) setMeta(ctx context.Context, key string, value []byte) error {
	_, err := v.conn.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

func (v *Vault) metaUint(key string) (uint64, error) {
	var b []byte
	err := v.conn.QueryRowContext(context.Background(), `SELECT value FROM meta WHERE key = ?`, key).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: setting %q", ErrDamaged, key)
	}
	return n, nil
}

func (v *Vault) initMeta(custodian *age.HybridRecipient, m member) error {
	ctx := context.Background()
	tx, err := v.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	set := func(k string, val []byte) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)`, k, val)
		return err
	}
	if err := set("custodian_recipient", []byte(custodian.String())); err != nil {
		return err
	}
	if err := set("member_name", []byte(m.Name)); err != nil {
		return err
	}
	seed := m.SigningKey.Seed()
	err = set("member_signing_key", seed)
	crypto.Wipe(seed)
	if err != nil {
		return err
	}
	// age prints identities as strings: that copy of the member's secret key
	// cannot be wiped; the byte copy handed to SQLite is, once stored.
	ident := []byte(m.Identity.String())
	err = set("member_identity", ident)
	crypto.Wipe(ident)
	if err != nil {
		return err
	}
	if err := seedCodebook(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (v *Vault) loadMeta() error {
	ctx := context.Background()
	get := func(k string) ([]byte, error) {
		var b []byte
		err := v.conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, k).Scan(&b)
		if err != nil {
			return nil, fmt.Errorf("%w: missing setting %q", ErrDamaged, k)
		}
		return b, nil
	}
	c, err := get("custodian_recipient")
	if err != nil {
		return err
	}
	if v.custodian, err = age.ParseHybridRecipient(string(c)); err != nil {
		return fmt.Errorf("%w: custodian recipient", ErrDamaged)
	}
	name, err := get("member_name")
	if err != nil {
		return err
	}
	seed, err := get("member_signing_key")
	if err != nil {
		return err
	}
	if len(seed) != ed25519.SeedSize {
		return fmt.Errorf("%w: member signing key", ErrDamaged)
	}
	ident, err := get("member_identity")
	if err != nil {
		return err
	}
	// age parses identities from strings: this copy of the member's secret
	// key cannot be wiped. The bytes read from the database can.
	mid, err := age.ParseHybridIdentity(string(ident))
	crypto.Wipe(ident)
	if err != nil {
		return fmt.Errorf("%w: member identity", ErrDamaged)
	}
	v.member = member{Name: string(name), SigningKey: ed25519.NewKeyFromSeed(seed), Identity: mid}
	crypto.Wipe(seed)
	return nil
}

// randomID returns a new interview ID: 64 random bits, hex.
func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return fmt.Sprintf("%x", b[:])
}

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
