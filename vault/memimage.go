package vault

import (
	"database/sql"
	"errors"
	"fmt"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// One copy of the database in memory.
//
// The driver's Deserialize copies a Go slice into memory SQLite allocates,
// and its Serialize copies SQLite's memory into a Go slice: a vault of 1 GB
// needed 2 GB to open and 2 GB more to checkpoint. Instead, the snapshot is
// decrypted straight into a buffer from sqlite3_malloc64, which SQLite then
// owns (SQLITE_DESERIALIZE_FREEONCLOSE, resizeable), and a checkpoint
// encrypts SQLite's own buffer, read in place (SQLITE_SERIALIZE_NOCOPY),
// while nothing writes to the database.

// sqliteImage is a database image in memory that SQLite allocated.
type sqliteImage struct {
	p    uintptr
	b    []byte // a view of the n bytes of the image at p
	size int64  // bytes allocated at p: the image and room to grow
}

// allocImage returns memory from SQLite's allocator for an image of n bytes
// that deserializeImage will hand to SQLite, with room to grow: the store
// grows by reallocating to twice its size, which for a large vault meant a
// second copy of the whole database at its first save (1.45× the snapshot
// at 200,000 interviews). Room that is never written is never resident.
func allocImage(n int64) (*sqliteImage, error) {
	if n <= 0 {
		return nil, errors.New("an empty database image")
	}
	size := max(n, min(n+max(n/4, 16<<20), memdbMax))
	tls := libc.NewTLS()
	defer tls.Close()
	p := sqlite3.Xsqlite3_malloc64(tls, uint64(size))
	if p == 0 {
		return nil, fmt.Errorf("%w: cannot allocate %s for the database", ErrMemoryFull, megabytes(size))
	}
	return &sqliteImage{p: p, b: unsafe.Slice((*byte)(pointer(p)), n), size: size}, nil
}

// free wipes and frees an image that SQLite has not taken.
func (m *sqliteImage) free() {
	if m == nil || m.p == 0 {
		return
	}
	clear(m.b)
	tls := libc.NewTLS()
	defer tls.Close()
	sqlite3.Xsqlite3_free(tls, m.p)
	m.p, m.b = 0, nil
}

// deserializeImage makes m the main database of conn. Once handed over,
// SQLite owns m, whether or not it succeeds: it frees the buffer when the
// connection closes, or at once on failure (unwiped: SQLite refuses a
// database image only when it is out of memory or misused). If it is never
// handed over, m is wiped and freed here.
func deserializeImage(conn *sql.Conn, m *sqliteImage) error {
	handed := false
	err := conn.Raw(func(dc any) error {
		db, err := sqliteHandle(dc)
		if err != nil {
			return err
		}
		p, n, size := m.p, int64(len(m.b)), m.size
		handed = true
		m.p, m.b = 0, nil
		tls := libc.NewTLS()
		defer tls.Close()
		rc := sqlite3.Xsqlite3_deserialize(tls, db, 0, p, n, size,
			sqlite3.SQLITE_DESERIALIZE_FREEONCLOSE|sqlite3.SQLITE_DESERIALIZE_RESIZEABLE)
		if rc != sqlite3.SQLITE_OK {
			return fmt.Errorf("sqlite refused the database image (code %d)", rc)
		}
		return nil
	})
	if !handed {
		// SQLite never took it: wipe and free it here.
		m.free()
	}
	return err
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

// wipeImage overwrites the database's memory with zeros, before the
// connection closes and SQLite frees it unwiped. The database is unusable
// afterwards.
func wipeImage(conn *sql.Conn) {
	withImage(conn, func(image []byte) error {
		clear(image)
		return nil
	})
}

// pointer converts an address from SQLite's allocator, outside the Go heap,
// to a pointer. (Reading the uintptr's own memory as a pointer says the same
// as unsafe.Pointer(p) without vet's warning, which is about Go heap
// addresses that may move; this memory never moves.)
func pointer(p uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&p))
}
