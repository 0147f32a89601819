package vault_test

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/internal/synth"
	"github.com/tvault/tvault/vault"
)

// BenchmarkNativeFTS is the yardstick of issue 17 for BenchmarkAdd: the
// native sqlite3 tool inserting the same 10,000 public testimonies into an
// in-memory FTS5 trigram table, in one transaction (without
// contentless_delete, which the sqlite3 of Debian 12 lacks). Run it in the
// same run as BenchmarkAdd and BenchmarkBundle/…/import and compare (both on
// the same loaded or idle machine). Each also reports cpu-s/op, the CPU
// time of the timed work (here the sqlite3 child's), which a loaded machine
// disturbs less than wall time:
//
//	go test ./vault -run '^$' -bench 'BenchmarkAdd$|NativeFTS|ModerncFTS|Bundle/.*/import' -benchtime 2x
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
	cpu := cpuTime(true)
	for b.Loop() {
		cmd := exec.CommandContext(context.Background(), sqlite, ":memory:", ".read "+script)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("sqlite3: %v\n%s", err, out)
		}
	}
	cpuMetric(b, cpu, true)
}

// cpuMetric reports the CPU seconds per iteration since start (cpuTime),
// as cpu-s/op.
func cpuMetric(b *testing.B, start time.Duration, children bool) {
	b.ReportMetric((cpuTime(children)-start).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkModerncFTS is BenchmarkNativeFTS's work done in this process by
// the SQLite that tvault links (modernc.org/sqlite, C translated to Go): the
// same texts into the same FTS5 table, in memory, in one transaction, with
// one prepared statement. It is the floor of what indexing costs tvault,
// and the ratio of the two is what the translation costs.
func BenchmarkModerncFTS(b *testing.B) {
	var texts []string
	for _, in := range synth.Interviews(1, 10000, benchTestimony) {
		texts = append(texts, vault.RenderPublic(in.Testimony))
	}
	ctx := context.Background()
	cpu := cpuTime(false)
	for b.Loop() {
		db, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE t USING fts5(testimony, content='', detail=none, tokenize='trigram')`); err != nil {
			b.Fatal(err)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO t (testimony) VALUES (?)`)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range texts {
			if _, err := st.ExecContext(ctx, t); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
	cpuMetric(b, cpu, false)
}
