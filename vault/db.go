package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// openDB opens the in-memory database on one held connection, in the memory
// image (a snapshot decrypted into it) or, if image is nil, in new memory for
// an empty database. The vault owns image from here on, whatever happens.
func (v *Vault) openDB(image *sqliteImage) error {
	if image == nil {
		var err error
		if image, err = allocImage(0); err != nil {
			return err
		}
	}
	v.image = image
	// A name without a leading "/" is private to its connection (with one,
	// memdb shares it within the process, behind a mutex that also stops
	// SQLite from handing out its buffer in place); random all the same, so
	// that two open vaults can never see each other.
	db, err := sql.Open("sqlite", "file:tvault-"+randomID()+randomID()+"?vfs=memdb")
	if err != nil {
		return err
	}
	// One connection for the life of the vault: an in-memory database is
	// private to its connection, so a second one would see an empty vault.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	v.db = db
	ctx := v.ctx
	if v.conn, err = db.Conn(ctx); err != nil {
		return err
	}
	// age authenticated every byte of the image, so a full integrity check
	// here would only cost time (seconds at 10,000 interviews); `tvault
	// check` runs one.
	if len(image.b) > 0 && !bytes.HasPrefix(image.b, []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%w: the snapshot does not hold a database", ErrDamaged)
	}
	if err := deserializeImage(v.conn, image); err != nil {
		return fmt.Errorf("%w: the database image does not load: %v", ErrDamaged, err)
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
	return migrate(ctx, v.conn)
}

// closeDB closes the database, then wipes its memory and gives it back. The
// memory is kept (wiped) if SQLite may still hold it: a connection that did
// not close.
func (v *Vault) closeDB() error {
	var err error
	var used int64
	if v.conn != nil {
		used = imageSize(v.conn)
		err = v.conn.Close()
		v.conn = nil
	}
	if v.db != nil {
		if cerr := v.db.Close(); err == nil {
			err = cerr
		}
		v.db = nil
	}
	// The memory is plaintext testimony.
	if err == nil {
		v.image.free(used)
	} else {
		v.image.wipe(used)
	}
	v.image = nil
	return err
}

func (v *Vault) setMeta(ctx context.Context, key string, value []byte) error {
	_, err := v.conn.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

func (v *Vault) metaUint(key string) (uint64, error) {
	var b []byte
	err := v.conn.QueryRowContext(v.ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&b)
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
	ctx := v.ctx
	tx, err := v.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	set := func(k string, val []byte) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)`, k, val)
		return err
	}
	pin, err := newPin(custodian)
	if err != nil {
		return err
	}
	if err := writePin(ctx, tx, pin); err != nil {
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
	ctx := v.ctx
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
