//go:build unix

package vault_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tvault/tvault/vault"
)

// TestAttachmentFIFO: a named pipe planted in place of an attachment's file
// (by anyone who can write to the folder) is damage, reported at once:
// open, export and check never hang on it.
func TestAttachmentFIFO(t *testing.T) {
	ctx := context.Background()
	v, _ := MustCreate(t)
	ids, err := v.Add(ctx, []vault.Input{input("P", "testimony")})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := v.Attach(ctx, ids[0], strings.NewReader("a letter"), vault.AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(v.Dir(), "blobs", "*.age"))
	if len(files) != 1 {
		t.Fatalf("%d blob files", len(files))
	}
	os.Remove(files[0])
	if err := syscall.Mkfifo(files[0], 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := v.ReadAttachment(ctx, rep.Attachment.ID, io.Discard, vault.ReadOptions{})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, vault.ErrDamaged) {
			t.Fatalf("a planted pipe read as %v, want damage", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reading an attachment hangs on a named pipe planted in its place")
	}
}
