package vault

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/crypto"
	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// TestMemoryLimitInForce: an open vault may grow to the machine's memory,
// past the 2 GiB that SQLite's allocator gives one buffer, and the memory
// SQLite was handed holds that much.
func TestMemoryLimitInForce(t *testing.T) {
	c, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	v, err := Create(filepath.Join(t.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if got, want := v.memoryLimit, min(physicalMemory(), v.image.size); got != want {
		t.Fatalf("memoryLimit=%d, want the machine's memory or the reservation, %d", got, want)
	}
	if physicalMemory() < 3<<30 {
		t.Skipf("this machine has %s of memory", megabytes(physicalMemory()))
	}
	if v.memoryLimit <= 0x7fffff00 {
		t.Fatalf("memoryLimit=%d: no higher than sqlite3_realloc's ceiling (this machine has %s)", v.memoryLimit, megabytes(physicalMemory()))
	}
	// SQLite agrees: its store is the vault's memory, all of it, fixed.
	st := memStore(t, v)
	if st.FaData != v.image.p || st.FszAlloc != v.image.size || st.FmFlags&sqlite3.SQLITE_DESERIALIZE_RESIZEABLE != 0 {
		t.Fatalf("SQLite's store: %#x, %d bytes, flags %#x; want the vault's %#x, %d bytes, fixed", st.FaData, st.FszAlloc, st.FmFlags, v.image.p, v.image.size)
	}
}

// memStore returns SQLite's memdb store of v's database.
func memStore(t *testing.T, v *Vault) sqlite3.TMemStore {
	t.Helper()
	var st sqlite3.TMemStore
	err := v.conn.Raw(func(dc any) error {
		db, err := sqliteHandle(dc)
		if err != nil {
			return err
		}
		tls := libc.NewTLS()
		defer tls.Close()
		pp := tls.Alloc(8)
		defer tls.Free(8)
		if rc := sqlite3.Xsqlite3_file_control(tls, db, 0, sqlite3.SQLITE_FCNTL_FILE_POINTER, pp); rc != sqlite3.SQLITE_OK {
			return fmt.Errorf("file control: %d", rc)
		}
		f := (*sqlite3.TMemFile)(pointer(*(*uintptr)(pointer(pp))))
		st = *(*sqlite3.TMemStore)(pointer(f.FpStore))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}
