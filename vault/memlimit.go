package vault

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"

	"modernc.org/libc"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The in-memory database's ceiling.
//
// SQLite's memdb VFS caps a database at 1 GiB (SQLITE_MEMDB_DEFAULT_MAXSIZE)
// unless told otherwise, and the driver never says otherwise: a vault of about
// 90,000 interviews stopped saving with "database or disk is full" while the
// disk had room, and a save that SQLite refused at commit, after its journal
// frame was on disk, made the vault unopenable (replaying that frame failed
// the same way).
//
// So the cap is set per connection with SQLITE_FCNTL_SIZE_LIMIT:
//   - while Open loads the snapshot and replays the journal the cap is the
//     most the store can hold (memdbMax), so a vault whose files are intact
//     always opens;
//   - afterwards the cap is the machine's memory or memdbMax, whichever is
//     less, and commit checks the size a change needs before its frame is
//     written ([ErrMemoryFull]): a save that cannot be applied fails before
//     anything reaches the disk.

// memoryLimit is the largest database image a vault may grow to: the
// machine's memory. Tests lower it.
var memoryLimit = physicalMemory()

// memdbMax is the largest database SQLite's in-memory store can hold: the
// store keeps the database in one buffer, and sqlite3_realloc refuses 2 GiB
// (0x7fffff00 bytes) or more. The store doubles its buffer to grow; a limit
// set below that clamps the doubling, where a larger one let a vault of
// 1.07 GB ask for 2.14 GB and fail "out of memory" on a machine with 18 GB
// free. It is also the cap while a vault loads: a vault SQLite can hold
// always opens.
const memdbMax = 0x7fff0000

// setSizeLimit sets the largest size, in bytes, that the in-memory database
// of conn may grow to, and returns the limit SQLite put in force (never less
// than the database's current size).
func setSizeLimit(conn *sql.Conn, limit int64) (int64, error) {
	err := conn.Raw(func(dc any) error {
		db, err := sqliteHandle(dc)
		if err != nil {
			return err
		}
		tls := libc.NewTLS()
		defer tls.Close()
		// The limit travels as a pointer to an sqlite3_int64 that SQLite
		// overwrites with the limit in force: in memory of the C side's
		// (tls.Alloc), as the transpiled code expects, not Go's.
		p := tls.Alloc(8)
		defer tls.Free(8)
		arg := (*int64)(pointer(p))
		*arg = limit
		// A NULL schema name means "main".
		rc := sqlite3.Xsqlite3_file_control(tls, db, 0, sqlite3.SQLITE_FCNTL_SIZE_LIMIT, p)
		if rc != sqlite3.SQLITE_OK {
			return fmt.Errorf("sqlite refused a size limit (code %d)", rc)
		}
		limit = *arg
		return nil
	})
	return limit, err
}

// sqliteHandle returns the sqlite3* of a modernc.org/sqlite connection. The
// driver does not export it (nor a size-limit call); its connection type
// keeps it in a field named db, which TestMemoryFull and TestMemoryLimitInForce check on every
// driver upgrade.
func sqliteHandle(dc any) (uintptr, error) {
	rv := reflect.ValueOf(dc)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return 0, errors.New("unexpected sqlite driver connection")
	}
	f := rv.FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Uintptr || f.Uint() == 0 {
		return 0, errors.New("unexpected sqlite driver connection: no database handle")
	}
	return uintptr(f.Uint()), nil
}

// fallbackMemory is the limit where the machine's memory cannot be read.
const fallbackMemory = 1 << 40

// limitMemory puts memoryLimit in force on the open database. A database
// already larger keeps its size as its limit: it opened, and only growth is
// refused.
func (v *Vault) limitMemory() error {
	limit, err := setSizeLimit(v.conn, min(memoryLimit, memdbMax))
	if err != nil {
		return err
	}
	v.memoryLimit = limit
	return nil
}

// checkRoom returns an error wrapping ErrMemoryFull if the database, with the
// pages tx has written, is larger than the limit in force. SQLite would refuse
// it only at commit, which for a journaled save is after the frame is on disk.
func (v *Vault) checkRoom(ctx context.Context, tx *sql.Tx) error {
	// FTS5 keeps new index entries in memory and writes them at commit:
	// write them now, so that the page count below includes them (commit
	// would write them anyway; this only moves the work earlier).
	for _, q := range []string{
		`INSERT INTO testimony_fts (testimony_fts) VALUES ('flush')`,
		`INSERT INTO cjk_fts (cjk_fts) VALUES ('flush')`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	var pages, pageSize int64
	if err := tx.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		return err
	}
	if need := pages * pageSize; v.memoryLimit > 0 && need > v.memoryLimit {
		allows := "this machine allows"
		if v.memoryLimit >= memdbMax {
			allows = "tvault's in-memory store holds at most"
		}
		return fmt.Errorf("%w: the vault would need %s of memory, and %s %s (the disk is not the problem); nothing was saved",
			ErrMemoryFull, megabytes(need), allows, megabytes(v.memoryLimit))
	}
	return nil
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// memoryFull turns SQLite's "database or disk is full", which for a database
// that lives in memory can only mean the size limit, into an error wrapping
// ErrMemoryFull; other errors pass through.
func (v *Vault) memoryFull(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL {
		return fmt.Errorf("%w: the vault would grow past the %s this machine allows (the disk is not the problem); nothing was saved",
			ErrMemoryFull, megabytes(v.memoryLimit))
	}
	return err
}
