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
	"sort"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
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
	if name == "" {
		return nil, errors.New("a member name is required")
	}
	if err := mkdirPrivate(dir); err != nil {
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

	// The key slot first, the snapshot last: a folder without vault.age is
	// not a vault, so a crash in between leaves nothing that looks like one.
	slot, err := crypto.SealSlot(v.identity, opts.Passphrase, v.Now())
	if err != nil {
		return nil, err
	}
	if err := mkdirPrivate(filepath.Join(dir, keysDir)); err != nil {
		return nil, err
	}
	if err := writeNewFile(filepath.Join(dir, keysDir, "passphrase-1.age"), slot); err != nil {
		return nil, err
	}
	v.slot = "passphrase-1"
	if err := v.writeSnapshot(); err != nil {
		return nil, err
	}
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
	return open(dir, func() (*age.HybridIdentity, string, error) { return unlock(dir, passphrase) })
}

// open opens the vault in dir with the identity that unlockFn finds in a key
// slot, and the name of that slot.
func open(dir string, unlockFn func() (*age.HybridIdentity, string, error)) (*Vault, error) {
	if !Exists(dir) {
		return nil, fmt.Errorf("%w: %q (create one with tvault init)", ErrNoVault, dir)
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
	id, slot, err := unlockFn()
	if err != nil {
		return nil, err
	}
	v.identity, v.slot = id, slot
	snap, err := os.ReadFile(filepath.Join(dir, snapshotName))
	if err != nil {
		return nil, fmt.Errorf("failed to read the vault: %w", err)
	}
	image, err := crypto.OpenOwn(v.identity, snap)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", snapshotName, err)
	}
	// The image is the plaintext database: wipe it as soon as SQLite has
	// its own copy.
	defer crypto.Wipe(image)
	if err := v.openDB(image); err != nil {
		return nil, err
	}
	if err := v.loadMeta(); err != nil {
		return nil, err
	}
	ok = true
	return v, nil
}

// unlock tries every passphrase slot in keys/ with passphrase, and returns
// the identity and the name of the slot that opened.
func unlock(dir string, passphrase []byte) (*age.HybridIdentity, string, error) {
	slots, err := filepath.Glob(filepath.Join(dir, keysDir, "*.age"))
	if err != nil {
		return nil, "", err
	}
	sort.Strings(slots)
	if len(slots) == 0 {
		return nil, "", fmt.Errorf("%w: no key slots in %s", ErrDamaged, keysDir)
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
	f, err := os.OpenFile(filepath.Join(v.dir, lockName), os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("cannot open the vault's lock file: %w", err)
		}
		return err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return err
	}
	v.lock = f
	return nil
}

// openDB opens the in-memory database on one held connection and, if image
// is not nil, loads it.
func (v *Vault) openDB(image []byte) error {
	db, err := sql.Open("sqlite", ":memory:")
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
	} {
		if _, err := v.conn.ExecContext(ctx, pragma); err != nil {
			return fmt.Errorf("%s: %w", pragma, err)
		}
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
	return writeFileAtomic(filepath.Join(v.dir, snapshotName), func(f *os.File) error {
		return crypto.EncryptTo(f, image, v.identity.Recipient())
	})
}

// Close releases the database and the lock. It does not write: every change
// was written when it was made.
func (v *Vault) Close() error {
	var err error
	if v.conn != nil {
		err = v.conn.Close()
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
		unlockFile(v.lock)
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

// update runs fn in one transaction and makes the result durable before it
// returns. If fn fails nothing changes. If the disk write fails the vault is
// closed for writing: the in-memory state is ahead of the disk.
func (v *Vault) update(fn func(tx *sql.Tx) error) error {
	if v.broken != nil {
		return v.broken
	}
	ctx := context.Background()
	tx, err := v.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if err := v.writeSnapshot(); err != nil {
		v.broken = fmt.Errorf("the last change was not saved (%v); close and reopen the vault", err)
		return fmt.Errorf("failed to save the vault; nothing of this change was saved: %w", err)
	}
	return nil
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
	if err := set("member_signing_key", m.SigningKey.Seed()); err != nil {
		return err
	}
	if err := set("member_identity", []byte(m.Identity.String())); err != nil {
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
	mid, err := age.ParseHybridIdentity(string(ident))
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
