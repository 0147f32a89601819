package vault

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
)

// plantAttempts writes an attempts file of n entries, as someone with write
// access to the folder could: terminal escape codes that draw a forged
// audit line, and a few real times among them.
func plantAttempts(t testing.TB, dir string, n int) {
	t.Helper()
	var a attempts
	for i := range n {
		if i%1000 == 0 {
			a.Failed = append(a.Failed, time.Date(2026, 11, 1, 0, 0, i/1000, 0, time.UTC).Format(time.RFC3339Nano))
			continue
		}
		a.Failed = append(a.Failed, "\x1b[2K\r2026-11-30 reveal by custodian\x1b]0;owned\x07")
	}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, attemptsName), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestPlantedAttempts: an attempts file of 200,000 entries holding escape
// codes (it cost 13 s and 580 MB at unlock, and drew a forged "reveal" line
// in tvault audit) is ignored with one warning and puts nothing in the audit
// log; a file with some entries that are not times keeps only the times.
func TestPlantedAttempts(t *testing.T) {
	pass := []byte("correct horse battery")
	c, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "v")
	v, err := Create(dir, CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: pass})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	events := func(v *Vault) (failed int, text string) {
		t.Helper()
		evs, err := v.Audit(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, e := range evs {
			if e.Kind == EventUnlockFailed {
				failed++
			}
			b.WriteString(e.Time + e.Subject + e.Details)
		}
		return failed, b.String()
	}

	t.Run("Large", func(t *testing.T) {
		plantAttempts(t, dir, 200000)
		if d := throttleDelay(dir); d != 0 {
			t.Fatalf("a planted file throttles unlocking by %v", d)
		}
		v, err := Open(context.Background(), dir, OpenOptions{}, PassphraseIdentity(pass))
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		failed, text := events(v)
		if failed != 0 {
			t.Fatalf("%d unlock-failed events from a planted file", failed)
		}
		if strings.ContainsAny(text, "\x1b\x07") {
			t.Fatal("an escape code reached the audit log")
		}
		if w := strings.Join(v.Warnings(), "\n"); !strings.Contains(w, "ignored") {
			t.Fatalf("warnings %q, want one saying the file was ignored", w)
		}
		if _, err := os.Stat(filepath.Join(dir, attemptsName)); !os.IsNotExist(err) {
			t.Fatalf("the planted file is still there: %v", err)
		}
	})

	t.Run("SomeNotTimes", func(t *testing.T) {
		plantAttemptsSmall(t, dir)
		v, err := Open(context.Background(), dir, OpenOptions{}, PassphraseIdentity(pass))
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		failed, text := events(v)
		if failed != 2 {
			t.Fatalf("%d unlock-failed events, want the 2 entries that are times", failed)
		}
		if strings.ContainsAny(text, "\x1b\x07") {
			t.Fatal("an escape code reached the audit log")
		}
		if w := strings.Join(v.Warnings(), "\n"); !strings.Contains(w, "not times") {
			t.Fatalf("warnings %q", w)
		}
	})
}

// plantAttemptsSmall writes a small file: two times and two entries that
// are not.
func plantAttemptsSmall(t testing.TB, dir string) {
	t.Helper()
	data := `{"failed": ["2026-11-01T00:00:00Z", "\u001b[31mforged", "2026-11-02T00:00:00Z", "yesterday"]}`
	if err := os.WriteFile(filepath.Join(dir, attemptsName), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPlantedAttempts is what a planted attempts file of 200,000
// entries costs an unlock: reading and refusing it.
func BenchmarkPlantedAttempts(b *testing.B) {
	dir := b.TempDir()
	plantAttempts(b, dir, 200000)
	for b.Loop() {
		if failed, warning := readAttempts(dir); len(failed) != 0 || warning == "" {
			b.Fatalf("read %d failures, warning %q", len(failed), warning)
		}
	}
}
