package vault_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// crashCopy copies an open vault's folder as it is on disk now: what a crash
// at this moment would leave.
func crashCopy(t *testing.T, dir string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "crashed")
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		if d.Name() == "lock" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func journalFile(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "journal", "*.log"))
	if len(files) != 1 {
		t.Fatalf("%d journal files, want 1", len(files))
	}
	return files[0]
}

// pseudonyms opens dir and returns the sorted pseudonyms in it.
func pseudonyms(t *testing.T, dir string) ([]string, []string, error) {
	t.Helper()
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		return nil, nil, err
	}
	defer v.Close()
	list, err := v.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Pseudonym)
	}
	sort.Strings(names)
	return names, v.Warnings(), nil
}

// saveN adds n interviews one save at a time, named P1, P2, ….
func saveN(t *testing.T, v *vault.Vault, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		in := input(fmt.Sprintf("P%d", i), fmt.Sprintf("testimony %d 警察来了 {{secret %d|a place}}", i, i))
		if _, err := v.Add(context.Background(), []vault.Input{in}); err != nil {
			t.Fatal(err)
		}
	}
}

func names(from, n int) []string {
	var out []string
	for i := from; i < from+n; i++ {
		out = append(out, fmt.Sprintf("P%d", i))
	}
	sort.Strings(out)
	return out
}

func TestJournal(t *testing.T) {
	t.Run("ReplayAfterCrash", func(t *testing.T) {
		v, _ := MustCreate(t)
		saveN(t, v, 1, 5)
		dir := crashCopy(t, v.Dir())
		got, warnings, err := pseudonyms(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(got, ","), strings.Join(names(1, 5), ","); got != want {
			t.Fatalf("after crash: %s, want %s", got, want)
		}
		if len(warnings) != 0 {
			t.Fatalf("warnings %v", warnings)
		}
		// Search works on replayed interviews.
		v2, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
		if err != nil {
			t.Fatal(err)
		}
		res, _ := v2.Search(context.Background(), "testimony 3")
		if len(res) != 1 {
			t.Fatalf("search after replay: %d results", len(res))
		}
		v2.Close()
	})

	t.Run("CleanCloseKeepsSmallJournal", func(t *testing.T) {
		// A one-interview command must not rewrite the snapshot: a small
		// journal stays after a clean close, and the two are the vault.
		v, _ := MustCreate(t)
		dir := v.Dir()
		snap, err := os.ReadFile(filepath.Join(dir, "vault.age"))
		if err != nil {
			t.Fatal(err)
		}
		saveN(t, v, 1, 3)
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
		after, err := os.ReadFile(filepath.Join(dir, "vault.age"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(snap, after) {
			t.Fatal("a clean close after three small saves rewrote the snapshot")
		}
		files, err := filepath.Glob(filepath.Join(dir, "journal", "*.log"))
		if err != nil || len(files) != 1 {
			t.Fatalf("journal files after a clean close: %v, %v", files, err)
		}
		got, _, err := pseudonyms(t, dir)
		if err != nil || len(got) != 3 {
			t.Fatalf("got %v, %v", got, err)
		}
	})

	t.Run("EveryTruncationOfTheLastFrame", func(t *testing.T) {
		v, _ := MustCreate(t)
		saveN(t, v, 1, 2)
		before := crashCopy(t, v.Dir())
		prevSize := fileSize(t, journalFile(t, before))
		saveN(t, v, 3, 1)
		after := crashCopy(t, v.Dir())
		full, err := os.ReadFile(journalFile(t, after))
		if err != nil {
			t.Fatal(err)
		}
		step := 1
		for cut := int(prevSize); cut < len(full); cut += step {
			dir := crashCopy(t, after)
			if err := os.WriteFile(journalFile(t, dir), full[:cut], 0o600); err != nil {
				t.Fatal(err)
			}
			got, warnings, err := pseudonyms(t, dir)
			if err != nil {
				t.Fatalf("cut at %d of %d: %v", cut, len(full), err)
			}
			if got, want := strings.Join(got, ","), strings.Join(names(1, 2), ","); got != want {
				t.Fatalf("cut at %d: %s, want %s", cut, got, want)
			}
			if cut > int(prevSize) && len(warnings) != 1 {
				t.Fatalf("cut at %d: warnings %v, want one", cut, warnings)
			}
			// Open cut the torn frame off: the next save appends after the
			// last whole frame, and a reopen sees it.
			v2, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
			if err != nil {
				t.Fatal(err)
			}
			saveN(t, v2, 9, 1)
			crashed := crashCopy(t, dir)
			v2.Close()
			got, _, err = pseudonyms(t, crashed)
			if err != nil || len(got) != 3 {
				t.Fatalf("cut at %d, then a save: %v, %v", cut, got, err)
			}
			if step == 1 && cut > int(prevSize)+frameHeader {
				// Every cut goes through readJournal in
				// TestReadJournalEveryCut; through Open, the frame header
				// and then a spread.
				step = 127
			}
		}
	})

	t.Run("ErrDamaged", func(t *testing.T) {
		v, _ := MustCreate(t)
		saveN(t, v, 1, 3)
		base := crashCopy(t, v.Dir())
		full, _ := os.ReadFile(journalFile(t, base))
		// Every byte is flipped in TestReadJournalEveryByte; here a spread
		// goes through Open.
		for pos := 0; pos < len(full); pos += 89 {
			dir := crashCopy(t, base)
			bad := bytes.Clone(full)
			bad[pos] ^= 0x10
			os.WriteFile(journalFile(t, dir), bad, 0o600)
			_, _, err := pseudonyms(t, dir)
			if !errors.Is(err, vault.ErrDamaged) {
				t.Fatalf("byte %d of %d flipped: err=%v, want ErrDamaged", pos, len(full), err)
			}
		}
	})

	t.Run("MissingOrReorderedFrame", func(t *testing.T) {
		v, _ := MustCreate(t)
		saveN(t, v, 1, 1)
		a := fileSize(t, journalFile(t, v.Dir()))
		saveN(t, v, 2, 1)
		b := fileSize(t, journalFile(t, v.Dir()))
		saveN(t, v, 3, 1)
		base := crashCopy(t, v.Dir())
		full, _ := os.ReadFile(journalFile(t, base))
		f1, f2, f3 := full[:a], full[a:b], full[b:]
		for name, data := range map[string][]byte{
			"missing first":  cat(f2, f3),
			"missing middle": cat(f1, f3),
			"reordered":      cat(f1, f3, f2),
			"duplicated":     cat(f1, f2, f2, f3),
		} {
			dir := crashCopy(t, base)
			os.WriteFile(journalFile(t, dir), data, 0o600)
			if _, _, err := pseudonyms(t, dir); !errors.Is(err, vault.ErrDamaged) {
				t.Errorf("%s: err=%v, want ErrDamaged", name, err)
			}
		}
	})

	t.Run("CheckpointCrashWindows", func(t *testing.T) {
		v, _ := MustCreate(t)
		saveN(t, v, 1, 3)
		// Crash after the new snapshot was written but before the old
		// journal was removed: the new snapshot covers it.
		beforeCheckpoint := crashCopy(t, v.Dir())
		if err := v.Checkpoint(context.Background()); err != nil {
			t.Fatal(err)
		}
		dir := crashCopy(t, v.Dir())
		old, _ := filepath.Glob(filepath.Join(beforeCheckpoint, "journal", "*.log"))
		data, _ := os.ReadFile(old[0])
		os.WriteFile(filepath.Join(dir, "journal", filepath.Base(old[0])), data, 0o600)
		got, _, err := pseudonyms(t, dir)
		if err != nil || strings.Join(got, ",") != strings.Join(names(1, 3), ",") {
			t.Fatalf("stale journal beside a new snapshot: %v, %v", got, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "journal", filepath.Base(old[0]))); err == nil {
			t.Fatal("stale journal not removed")
		}
		// Crash while the new snapshot was being written: a temporary file
		// beside the old snapshot and the whole journal.
		dir = crashCopy(t, beforeCheckpoint)
		os.WriteFile(filepath.Join(dir, ".vault.age.tmp-123"), []byte("half a snapshot"), 0o600)
		got, _, err = pseudonyms(t, dir)
		if err != nil || strings.Join(got, ",") != strings.Join(names(1, 3), ",") {
			t.Fatalf("temporary snapshot: %v, %v", got, err)
		}
		// A snapshot rolled back behind its journal is damage.
		saveN(t, v, 4, 1)
		newer := crashCopy(t, v.Dir())
		j, _ := filepath.Glob(filepath.Join(newer, "journal", "*.log"))
		data, _ = os.ReadFile(j[0])
		os.WriteFile(filepath.Join(beforeCheckpoint, "journal", filepath.Base(j[0])), data, 0o600)
		if _, _, err := pseudonyms(t, beforeCheckpoint); !errors.Is(err, vault.ErrDamaged) {
			t.Fatalf("journal newer than snapshot: err=%v, want ErrDamaged", err)
		}
	})

	t.Run("ReadOnlyChangesNothing", func(t *testing.T) {
		v, _ := MustCreate(t)
		saveN(t, v, 1, 2)
		dir := crashCopy(t, v.Dir())
		jf := journalFile(t, dir)
		data, _ := os.ReadFile(jf)
		os.WriteFile(jf, data[:len(data)-10], 0o600)
		before := snapshotFiles(t, dir)
		ro, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ro.Add(context.Background(), []vault.Input{input("x", "y")}); !errors.Is(err, vault.ErrReadOnly) {
			t.Fatalf("err=%v, want ErrReadOnly", err)
		}
		ro.Close()
		delete(before, filepath.Join(dir, "lock"))
		after := snapshotFiles(t, dir)
		delete(after, filepath.Join(dir, "lock"))
		if !equalFiles(before, after) {
			t.Fatal("a read-only open changed files")
		}
	})
}

const frameHeader = 16

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
