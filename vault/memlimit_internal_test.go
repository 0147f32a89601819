package vault

import (
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/crypto"
)

// TestMemoryLimitInForce: an open vault may grow to the machine's memory (or
// the most SQLite's in-memory store holds, 2 GiB), not to SQLite's default
// 1 GiB, and SQLite itself agrees.
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
	if got, want := v.memoryLimit, min(physicalMemory(), memdbMax); got != want {
		t.Fatalf("memoryLimit=%d, want the machine's memory or the store's most, %d", got, want)
	}
	// A negative limit asks SQLite for the one in force.
	got, err := setSizeLimit(v.conn, -1)
	if err != nil {
		t.Fatal(err)
	}
	if want := min(physicalMemory(), memdbMax); got != want {
		t.Fatalf("SQLite's limit=%d, want %d", got, want)
	}
	if got <= 1<<30 {
		t.Fatalf("SQLite's limit=%d: no higher than its 1 GiB default (this machine has more)", got)
	}
	// Below sqlite3_realloc's ceiling, so that the store's doubling is
	// clamped rather than refused.
	if got >= 0x7fffff00 {
		t.Fatalf("SQLite's limit=%d: the store could ask for more than sqlite3_realloc gives", got)
	}
}
