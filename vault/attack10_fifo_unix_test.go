//go:build !windows

package vault_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tvault/tvault/vault"
)

// Attack (issue 10, review): whoever can write to the vault folder (a USB
// copy, a backup) puts a named pipe where tvault reads a file it does not
// vouch for: the attempts file, a key slot, the second data key file.
// Opening a pipe for reading waits for a writer that never comes: unlock
// hangs, for every command, where it should fail (or ignore the file) with
// a clear message.
func TestAttackFIFOHangsUnlock(t *testing.T) {
	for _, name := range []string{"attempts", filepath.Join("keys", "a.age"), filepath.Join("keys", "data-B.age")} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			v, _ := MustCreate(t)
			dir := v.Dir()
			if err := v.Close(); err != nil {
				t.Fatal(err)
			}
			fifo := filepath.Join(dir, name)
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skipf("no named pipes here: %v", err)
			}
			done := make(chan error, 1)
			go func() {
				v, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
				if err == nil {
					v.Close()
				}
				done <- err
			}()
			select {
			case <-done:
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
