package vault

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/tvault/tvault/crypto"
)

// TestWipeRolledBackTail: a transaction that grows the database and is
// rolled back leaves its pages past the database's end, where a wipe of the
// database's size misses them; the wipe reaches them.
func TestWipeRolledBackTail(t *testing.T) {
	c, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	v, err := Create(filepath.Join(t.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	size := imageSize(v.conn)
	tx, err := v.conn.BeginTx(v.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.Repeat("rolled-back testimony ", 1000)
	if _, err := tx.Exec(`CREATE TABLE tail (b TEXT)`); err != nil {
		t.Fatal(err)
	}
	// More than SQLite's page cache holds, so that the pages reach the
	// store before the rollback.
	for range 1000 {
		if _, err := tx.Exec(`INSERT INTO tail (b) VALUES (?)`, secret); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := imageSize(v.conn); got != size {
		t.Fatalf("the database is %d bytes after the rollback, want %d", got, size)
	}
	mem := unsafe.Slice((*byte)(pointer(v.image.p)), min(v.image.size, size+64<<20))
	if !bytes.Contains(mem[size:], []byte(secret[:100])) {
		t.Fatal("the rolled-back pages are not past the database's end: the test shows nothing")
	}
	v.image.wipe(size)
	if bytes.Contains(mem, []byte(secret[:100])) {
		t.Fatal("the rolled-back testimony survived the wipe")
	}
}
