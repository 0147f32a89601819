package vault_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// TestOpenHoldsOneCopy opens a vault of about 60 MB in a child process, lists
// it and writes a checkpoint, and measures its peak memory: the database is
// held once (decrypted straight into SQLite's memory, and encrypted from it in
// place), not twice (a Go copy beside SQLite's).
func TestOpenHoldsOneCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 60 MB vault")
	}
	v, _ := MustCreate(t)
	// Few distinct trigrams: the image is mostly the testimony itself, and
	// cheap to index.
	text := strings.Repeat("the same words again and again ", 8000) // 248 KB
	var batch []vault.Input
	for i := range 240 {
		batch = append(batch, input(fmt.Sprintf("P%d", i), text))
	}
	if _, err := v.Add(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "vault.age"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenHoldsOneCopyChild$", "-test.v")
	cmd.Env = append(os.Environ(), "TVAULT_MEMORY_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var before, after int64
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "peak "); ok {
			fmt.Sscanf(rest, "%d %d", &before, &after)
		}
	}
	if after == 0 {
		t.Fatalf("the child did not report its memory:\n%s", out)
	}
	grew := after - before
	t.Logf("snapshot %.1f MB; opening and a checkpoint raised peak memory by %.1f MB (%.2f×)", float64(st.Size())/1e6, float64(grew)/1e6, float64(grew)/float64(st.Size()))
	if limit := st.Size() * 14 / 10; grew > limit {
		t.Fatalf("opening a %.1f MB vault raised peak memory by %.1f MB: more than 1.4 copies", float64(st.Size())/1e6, float64(grew)/1e6)
	}
}

// TestOpenHoldsOneCopyChild is the child of TestOpenHoldsOneCopy.
func TestOpenHoldsOneCopyChild(t *testing.T) {
	dir := os.Getenv("TVAULT_MEMORY_CHILD")
	if dir == "" {
		t.Skip("the child of TestOpenHoldsOneCopy")
	}
	runtime.GC()
	before := vmHWM(t)
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.List(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A checkpoint encrypts SQLite's own buffer, not a copy of it.
	if err := v.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := vmHWM(t)
	v.Close()
	fmt.Printf("peak %d %d\n", before, after)
}

func vmHWM(t *testing.T) int64 {
	n := peakBytes() // scale_test.go
	if n == 0 {
		t.Skip("no /proc/self/status: peak memory cannot be read here")
	}
	return n
}
