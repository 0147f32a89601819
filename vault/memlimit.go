package vault

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The in-memory database's ceiling.
//
// SQLite's memdb store once capped a database at 1 GiB (its default) and, in
// a buffer it grew with sqlite3_realloc, at 2 GiB: a save that SQLite refused
// at commit, after its journal frame was on disk, made the vault unopenable
// (replaying that frame failed the same way). Now the store is memory the
// vault reserves (memimage.go):
//   - while Open loads the snapshot and replays the journal, the database may
//     fill the whole reservation (the machine's memory, at least the image and
//     a quarter), so a vault whose files are intact always opens;
//   - afterwards the limit is the machine's memory or the reservation,
//     whichever is less, and commit checks the size a change needs before its
//     frame is written ([ErrMemoryFull]): a save that cannot be applied fails
//     before anything reaches the disk.

// memoryLimit is the largest database image a vault may grow to: the
// machine's memory. Tests lower it.
var memoryLimit = physicalMemory()

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
	size, err := v.databaseSize(v.ctx, v.conn)
	if err != nil {
		return err
	}
	v.memoryLimit = max(min(memoryLimit, v.image.size), size)
	return nil
}

// databaseSize is the size of the database as q sees it, pages written in
// an open transaction included.
func (v *Vault) databaseSize(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, error) {
	var pages, pageSize int64
	if err := q.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, err
	}
	if err := q.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		return 0, err
	}
	return pages * pageSize, nil
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
	need, err := v.databaseSize(ctx, tx)
	if err != nil {
		return err
	}
	if v.memoryLimit > 0 && need > v.memoryLimit {
		allows := "this machine allows"
		if v.memoryLimit >= v.image.size {
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
