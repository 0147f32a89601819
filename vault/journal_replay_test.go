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

	"github.com/tvault/tvault/internal/journal"
	"github.com/tvault/tvault/vault"
)

// journalBytes is the size of the vault's journal files.
func journalBytes(t *testing.T, dir string) int64 {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, journal.Dir, "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		n += st.Size()
	}
	return n
}

// TestJournalCapped: however large the snapshot, the journal is
// checkpointed once it passes a fixed size, so what an open replays is
// bounded. Here the cap is lowered to 64 KiB, below the 1 MiB that the
// share of the snapshot alone would allow; every save is kept.
func TestJournalCapped(t *testing.T) {
	const limit = 64 << 10
	restore := vault.SetJournalLimitsForTesting(8, limit)
	defer restore()
	v, _ := MustCreate(t)
	dir := v.Dir()
	text := strings.Repeat("a long enough testimony about the summons. ", 120) // 5 KB
	var ids []string
	for i := range 40 {
		id, err := v.Add(context.Background(), []vault.Input{input(fmt.Sprintf("P%d", i), text)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id[0])
		// A save that would take the journal past the limit is a
		// checkpoint instead.
		if n := journalBytes(t, dir); n > limit {
			t.Fatalf("after %d saves the journal holds %d bytes, past the %d-byte limit", i+1, n, limit)
		}
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if n := journalBytes(t, dir); n > limit {
		t.Fatalf("after a clean close the journal holds %d bytes, past the %d-byte limit", n, limit)
	}
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for _, id := range ids {
		if _, err := v.Get(id); err != nil {
			t.Fatalf("interview %s lost: %v", id, err)
		}
	}
}

// TestOpenReplaysInLittleMemory: opening a vault whose journal holds many
// saves replays them one frame at a time. Reading the whole journal first
// (its file, every frame decrypted, every change parsed, each through
// growing buffers) raised peak memory by 3.1× the database here, a 30 MB
// snapshot and a 27 MB journal; a frame at a time, by 1.3×, of which the
// part beyond the database (the engine's caches, the runtime, one frame)
// does not grow with the journal or the vault.
func TestOpenReplaysInLittleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 60 MB vault")
	}
	v, _ := MustCreate(t)
	// Few distinct trigrams: the image is mostly the testimony itself.
	text := strings.Repeat("the same words again and again ", 8000) // 248 KB
	add := func(n int, prefix string) {
		var batch []vault.Input
		for i := range n {
			batch = append(batch, input(fmt.Sprintf("%s%d", prefix, i), text))
		}
		if _, err := v.Add(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	add(120, "S") // the snapshot: about 30 MB
	if err := v.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Keep every later save in the journal, up to the snapshot's size: 11
	// frames of about 2.5 MB.
	restore := vault.SetJournalLimitsForTesting(1, 1<<40)
	for f := range 11 {
		add(10, fmt.Sprintf("J%d-", f))
	}
	dir := v.Dir()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	restore()
	jb := journalBytes(t, dir)
	st, err := os.Stat(filepath.Join(dir, "vault.age"))
	if err != nil {
		t.Fatal(err)
	}
	if jb < st.Size()*3/4 {
		t.Fatalf("the journal holds %d bytes, less than 3/4 of the %d-byte snapshot: the test needs it larger", jb, st.Size())
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenReplaysInLittleMemoryChild$", "-test.v")
	cmd.Env = append(os.Environ(), "TVAULT_REPLAY_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var before, after, image int64
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "peak "); ok {
			fmt.Sscanf(rest, "%d %d %d", &before, &after, &image)
		}
	}
	if after == 0 || image == 0 {
		t.Fatalf("the child did not report its memory:\n%s", out)
	}
	grew := after - before
	t.Logf("snapshot %.1f MB, journal %.1f MB, database %.1f MB; opening and a list raised peak memory by %.1f MB (%.2f× the database)",
		float64(st.Size())/1e6, float64(jb)/1e6, float64(image)/1e6, float64(grew)/1e6, float64(grew)/float64(image))
	if grew > image*16/10 {
		t.Fatalf("opening a %.1f MB database with a %.1f MB journal raised peak memory by %.1f MB: more than 1.6× the database\n%s",
			float64(image)/1e6, float64(jb)/1e6, float64(grew)/1e6, out)
	}
}

// TestOpenReplaysInLittleMemoryChild is the child of
// TestOpenReplaysInLittleMemory.
func TestOpenReplaysInLittleMemoryChild(t *testing.T) {
	dir := os.Getenv("TVAULT_REPLAY_CHILD")
	if dir == "" {
		t.Skip("the child of TestOpenReplaysInLittleMemory")
	}
	runtime.GC()
	before := vmHWM(t)
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := v.List(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := vmHWM(t)
	image, err := v.DatabaseBytesForTesting()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("peak %d %d %d\n", before, after, image)
}
