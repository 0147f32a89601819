package vault_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tvault/tvault/internal/synth"
	"github.com/tvault/tvault/vault"
)

// BenchmarkNativeFTS is the yardstick of issue 17 for BenchmarkAdd: the
// native sqlite3 tool inserting the same 10,000 public testimonies into an
// in-memory FTS5 trigram table, in one transaction (without
// contentless_delete, which the sqlite3 of Debian 12 lacks). Run it in the same run as
// BenchmarkAdd and compare (both on the same loaded or idle machine):
//
//	go test ./vault -run '^$' -bench 'BenchmarkAdd$|NativeFTS' -benchtime 2x
func BenchmarkNativeFTS(b *testing.B) {
	sqlite, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("sqlite3 is not installed")
	}
	script := filepath.Join(b.TempDir(), "insert.sql")
	f, err := os.Create(script)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("CREATE VIRTUAL TABLE t USING fts5(testimony, content='', detail=none, tokenize='trigram');\nBEGIN;\n")
	for _, in := range synth.Interviews(1, 10000, benchTestimony) {
		w.WriteString("INSERT INTO t (testimony) VALUES ('")
		w.WriteString(strings.ReplaceAll(vault.RenderPublic(in.Testimony), "'", "''"))
		w.WriteString("');\n")
	}
	w.WriteString("COMMIT;\n")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	for b.Loop() {
		cmd := exec.CommandContext(context.Background(), sqlite, ":memory:", ".read "+script)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("sqlite3: %v\n%s", err, out)
		}
	}
}
