package vault_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// journalFileSize returns the vault's one journal file and its size (0 if none).
func journalFileSize(t *testing.T, dir string) (string, int64) {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(dir, "journal", "*.log"))
	if len(logs) != 1 {
		return "", 0
	}
	st, err := os.Stat(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	return logs[0], st.Size()
}

// cutBack closes v, cuts its journal back to size if the same file is still
// there (no checkpoint came since), and reopens it. It reports whether it
// cut anything.
func cutBack(t *testing.T, v *vault.Vault, file string, size int64) (*vault.Vault, bool) {
	t.Helper()
	dir := v.Dir()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	now, nowSize := journalFileSize(t, dir)
	cut := now == file && nowSize > size
	if cut {
		if err := os.Truncate(file, size); err != nil {
			t.Fatal(err)
		}
	}
	o, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o, cut
}

// Attack (issue 10, review): whoever can write to the vault folder, with no
// key at all, cuts the journal back at a frame boundary. Frames are
// authenticated one by one, and a shorter journal is what the vault was
// before the save, so the cut is silent, and check is clean. A purge is
// safe from this (its checkpoint retires the generation, and the data key
// with it), but two saves that end trust are journaled only:
//   - taking a teammate off the roster (their key was compromised): the cut
//     puts them back, and the next export is encrypted to them;
//   - learning a teammate's key rotation from a bundle: the cut puts the
//     retired key back on the roster, and the thief's bundle imports.
func TestAttackJournalCutUndoesTrustChange(t *testing.T) {
	ctx := context.Background()
	t.Run("TeamRemove", func(t *testing.T) {
		vs := crew(t, "alice", "bob")
		a := MustReopen(t, vs["alice"])
		file, size := journalFileSize(t, a.Dir())
		if err := a.RemoveMember("bob"); err != nil {
			t.Fatal(err)
		}
		a, cut := cutBack(t, a, file, size)
		if !cut {
			return
		}
		team, err := a.Team()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range team {
			if m.Name == "bob" {
				t.Fatalf("a journal cut by someone without a key put bob back on the roster after 'team remove'; check: %v", checkFailures(t, a))
			}
		}
	})
	t.Run("KeyChangeImport", func(t *testing.T) {
		vs := crew(t, "alice", "bob")
		a, evil := stolenCopy(t, vs["alice"])
		b := MustReopen(t, vs["bob"])
		if _, err := a.RotateMemberKey(ctx); err != nil {
			t.Fatal(err)
		}
		file, size := journalFileSize(t, b.Dir())
		mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
		b, cut := cutBack(t, b, file, size)
		if !cut {
			return
		}
		if _, err := evil.Add(ctx, []vault.Input{shareable("Forged", "the thief writes as alice")}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Import(ctx, strings.NewReader(string(export(t, evil, vault.ExportOptions{To: []string{"bob"}})))); err == nil {
			t.Fatalf("a journal cut by someone without a key undid alice's rotation at bob's: the thief's bundle, signed with the retired key, imports")
		}
	})
}
