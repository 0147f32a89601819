package vault_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/tvault/tvault/internal/journal"
	"github.com/tvault/tvault/vault"
)

// TestAttackJournalSparseLength: a frame header that claims 2 GiB, in a
// journal file that really is that long but sparse (it costs nothing on
// disk), with a tag that does not match. Reading the claimed bytes into one
// buffer before the tag is checked made open allocate 2 GiB for a frame that
// anyone who can write to the folder can plant: the open died with "fatal
// error: runtime: out of memory" (here under a 2 GiB address-space limit, so
// that the test cannot exhaust the machine). It must fail as damaged, in a
// little memory, and open again once the file is put back.
func TestAttackJournalSparseLength(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 2 GiB of a sparse file")
	}
	v, _ := MustCreate(t)
	saveN(t, v, 1, 2)
	dir := v.Dir()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	path := journalFile(t, dir)
	good := fileSize(t, path)
	const claim = 2 << 30
	h := make([]byte, journal.AuthHeaderLen)
	copy(h, "TVJ2")
	binary.BigEndian.PutUint64(h[4:12], claim)
	binary.BigEndian.PutUint32(h[44:48], crc32.Checksum(h[:44], crc32.MakeTable(crc32.Castagnoli)))
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(h, good); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(good + int64(len(h)) + claim); err != nil {
		t.Fatal(err)
	}
	f.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestAttackJournalSparseLengthChild$", "-test.v")
	cmd.Env = append(os.Environ(), "TVAULT_SPARSE_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "open refused: damaged") {
		tail := string(out)
		if len(tail) > 2000 {
			tail = tail[:2000]
		}
		t.Fatalf("opening a vault whose journal claims a %d-byte frame: %v\n%s", claim, err, tail)
	}

	if err := os.Truncate(path, good); err != nil {
		t.Fatal(err)
	}
	got, _, err := pseudonyms(t, dir)
	if err != nil || strings.Join(got, ",") != strings.Join(names(1, 2), ",") {
		t.Fatalf("put back: %v, %v", got, err)
	}
}

// TestAttackJournalSparseLengthChild is the child of
// TestAttackJournalSparseLength.
func TestAttackJournalSparseLengthChild(t *testing.T) {
	dir := os.Getenv("TVAULT_SPARSE_CHILD")
	if dir == "" {
		t.Skip("the child of TestAttackJournalSparseLength")
	}
	// Under the claimed size: an open that allocates it dies here rather
	// than taking the machine's memory.
	lim := &syscall.Rlimit{Cur: 2 << 30, Max: 2 << 30}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, lim); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	if err == nil {
		v.Close()
		t.Fatal("opened")
	}
	if !errors.Is(err, vault.ErrDamaged) {
		t.Fatalf("err=%v, want ErrDamaged", err)
	}
	fmt.Println("open refused: damaged")
}
