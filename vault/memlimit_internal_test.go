package vault

import (
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/crypto"
)

// TestMemoryLimitInForce: an open vault may grow to the machine's memory, not
// to SQLite's default 1 GiB, and SQLite itself agrees.
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
	if got, want := v.memoryLimit, physicalMemory(); got != want {
		t.Fatalf("memoryLimit=%d, want the machine's memory %d", got, want)
	}
	// A negative limit asks SQLite for the one in force.
	got, err := setSizeLimit(v.conn, -1)
	if err != nil {
		t.Fatal(err)
	}
	if want := physicalMemory(); got != want {
		t.Fatalf("SQLite's limit=%d, want %d", got, want)
	}
	if got <= 1<<30 {
		t.Fatalf("SQLite's limit=%d: no higher than its 1 GiB default (this machine has more)", got)
	}
}
