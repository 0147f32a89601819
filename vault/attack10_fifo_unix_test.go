//go:build !windows

package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tvault/tvault/vault"
)

// Attack (issue 10, review): whoever can write to the vault folder (a USB
// copy, a backup) puts a named pipe where tvault reads a file it does not
// vouch for: the attempts file, a key slot, the second data key file, the
// lock file, the snapshot, the journal.
// Opening a pipe for reading waits for a writer that never comes: unlock
// hangs, for every command, where it should fail (or ignore the file) with
// a clear message.
func TestAttackFIFOHangsUnlock(t *testing.T) {
	names := []string{"attempts", filepath.Join("keys", "a.age"), filepath.Join("keys", "data-B.age"),
		"lock", "vault.age", filepath.Join("journal", "0000000000000000.log")}
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			v, _ := MustCreate(t)
			dir := v.Dir()
			if err := v.Close(); err != nil {
				t.Fatal(err)
			}
			fifo := filepath.Join(dir, name)
			os.Remove(fifo)
			os.MkdirAll(filepath.Dir(fifo), 0o700)
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skipf("no named pipes here: %v", err)
			}
			done := make(chan error, 1)
			go func() {
				var bad error
				for _, ro := range []bool{true, false} {
					v, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: ro}, vault.PassphraseIdentity(passphrase))
					if err == nil {
						v.Close()
					} else if !errors.Is(err, vault.ErrDamaged) && bad == nil {
						bad = err
					}
				}
				done <- bad
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("a named pipe at %s: %v, want it ignored or ErrDamaged", name, err)
				}
			case <-time.After(20 * time.Second):
				// Let the blocked reader go, so that the test ends.
				for range 3 {
					if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
						w.Close()
					}
					time.Sleep(100 * time.Millisecond)
				}
				<-done
				t.Fatalf("unlock hung on a named pipe at %s", name)
			}
		})
	}
}
