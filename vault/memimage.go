package vault

import (
	"database/sql"
	"errors"
	"fmt"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// One copy of the database in memory, and no ceiling below the machine's.
//
// The database lives in SQLite's memdb store, in memory the vault owns: a
// reservation of address space outside the Go heap (imagemem_*.go), as large
// as the machine's memory, of which only the pages written are resident. The
// snapshot is decrypted straight into it, SQLite is handed it as a fixed
// buffer (sqlite3_deserialize without RESIZEABLE or FREEONCLOSE), and a
// checkpoint encrypts it in place (SQLITE_SERIALIZE_NOCOPY).
//
// Before, SQLite owned the buffer and grew it with sqlite3_realloc, which
// refuses 2 GiB: a vault stopped growing near 2 GiB of database (about
// 200,000 interviews) whatever the machine's memory. memdb's own offsets are
// 64-bit; only its allocator had the ceiling. A fixed buffer is never copied
// to grow, and memdb never frees it: the vault wipes it and gives it back
// after the connection closes.
//
// Why memdb and not a store of tvault's own: open, save and checkpoint run
// the very code they ran before, so they cost what they did. A page cache of
// our own (sqlite.RegisterPageCache over slabs) removed the ceiling too, but
// the driver's binding walked a Go map of every page at each commit: saves
// took 15-18 ms at 10,000 interviews against 8.6-11, 22 ms at 2.3 GB, and
// opening copied every page through SQLite's backup API (0.97-2.24 s against
// 0.49-0.91). A VFS of our own, in chunks, would have to reimplement what
// memdb does (reads, writes, truncation, locking, xFetch) in callbacks
// from the transpiled C, for the same result.

// sqliteImage is the memory of an open vault's database.
type sqliteImage struct {
	p    uintptr
	b    []byte // a view of the n bytes of the image at p (to decrypt into)
	size int64  // bytes reserved at p: the image and room to grow
}

// imageMin is the least memory a database of n bytes is given: itself and
// room to replay a journal and save.
func imageMin(n int64) int64 {
	return n + max(n/4, 64<<20)
}

// allocImage reserves memory for a database image of n bytes (0 for a new
// vault) with room to grow: the machine's memory where the system allows
// it, less where it does not, never less than imageMin(n).
func allocImage(n int64) (*sqliteImage, error) {
	if n < 0 {
		return nil, errors.New("a database image of negative size")
	}
	const page = 64 << 10
	least := (imageMin(n) + page - 1) / page * page
	var err error
	for size := (imageWant(n) + page - 1) / page * page; ; size = max(size/2/page*page, least) {
		var p uintptr
		if p, err = reserveImage(size); err == nil {
			return &sqliteImage{p: p, b: unsafe.Slice((*byte)(pointer(p)), n), size: size}, nil
		}
		if size == least {
			break
		}
	}
	return nil, fmt.Errorf("%w: cannot allocate %s for the database (%v)", ErrMemoryFull, megabytes(least), err)
}

// wipe overwrites with zeros every byte of the image SQLite may have
// written: the first used bytes (the database's size as SQLite last held
// it), the image as loaded, and, where the system says which pages are
// resident, up to the last of them (a rolled-back transaction that grew the
// database leaves its pages past the database's end).
func (m *sqliteImage) wipe(used int64) {
	if m == nil || m.p == 0 {
		return
	}
	n := min(max(int64(len(m.b)), used, residentEnd(m.p, m.size, max(int64(len(m.b)), used))), m.size)
	clear(unsafe.Slice((*byte)(pointer(m.p)), n))
}

// free wipes the image (see wipe) and gives its memory back. SQLite must no
// longer use it: the connection it was handed to is closed.
func (m *sqliteImage) free(used int64) {
	if m == nil || m.p == 0 {
		return
	}
	m.wipe(used)
	releaseImage(m.p, m.size)
	m.p, m.b = 0, nil
}

// deserializeImage makes m the main database of conn, as a fixed buffer
// that SQLite neither grows nor frees: m stays the caller's, to free after
// the connection is closed.
func deserializeImage(conn *sql.Conn, m *sqliteImage) error {
	return conn.Raw(func(dc any) error {
		db, err := sqliteHandle(dc)
		if err != nil {
			return err
		}
		tls := libc.NewTLS()
		defer tls.Close()
		rc := sqlite3.Xsqlite3_deserialize(tls, db, 0, m.p, int64(len(m.b)), m.size, 0)
		if rc != sqlite3.SQLITE_OK {
			return fmt.Errorf("sqlite refused the database image (code %d)", rc)
		}
		return nil
	})
}

// withImage calls fn with SQLite's own buffer of conn's main database, read
// in place. fn must not keep it, and nothing may write to the database while
// fn runs (the vault's one connection is held by the caller).
func withImage(conn *sql.Conn, fn func(image []byte) error) error {
	return conn.Raw(func(dc any) error {
		db, err := sqliteHandle(dc)
		if err != nil {
			return err
		}
		tls := libc.NewTLS()
		defer tls.Close()
		pSize := tls.Alloc(8) // C-side memory, as the transpiled code expects
		defer tls.Free(8)
		size := (*int64)(pointer(pSize))
		p := sqlite3.Xsqlite3_serialize(tls, db, 0, pSize, sqlite3.SQLITE_SERIALIZE_NOCOPY)
		if p == 0 || *size <= 0 {
			return errors.New("the database cannot be read in place")
		}
		return fn(unsafe.Slice((*byte)(pointer(p)), *size))
	})
}

// imageSize returns the size of conn's database as SQLite holds it, 0 if
// it cannot tell.
func imageSize(conn *sql.Conn) int64 {
	var n int64
	withImage(conn, func(image []byte) error {
		n = int64(len(image))
		return nil
	})
	return n
}

// pointer converts an address outside the Go heap to a pointer. (Reading
// the uintptr's own memory as a pointer says the same as unsafe.Pointer(p)
// without vet's warning, which is about Go heap addresses that may move;
// this memory never moves.)
func pointer(p uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&p))
}
