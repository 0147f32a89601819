package vault_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/internal/skipnote"
	"github.com/tvault/tvault/vault"
)

// needTool returns the path of an external tool, skipping the test when it is
// missing, except in CI, where .ci/run installs it and a skip would hide a
// broken recovery path.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; .ci/run installs it", name)
		}
		skipnote.Skip(t, "%s is not installed (go install filippo.io/age/cmd/...@v1.3.2; apt-get install sqlite3)", name)
	}
	return path
}

// TestRecoveryWithAgeAndSQLite follows docs/RECOVERY.md: with only the age
// and sqlite3 tools and the passphrase, the testimony comes back.
func TestRecoveryWithAgeAndSQLite(t *testing.T) {
	age := needTool(t, "age")
	needTool(t, "age-plugin-batchpass")
	sqlite := needTool(t, "sqlite3")

	v, _ := MustCreate(t)
	in := input("小河", "当地公安局的警察每周两次到我父母家里来。 {{南昌|a city}}")
	if _, err := v.Add(context.Background(), []vault.Input{in}); err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	// The snapshot holds the first interview; a clean close leaves the
	// second in the journal.
	if err := v.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Add(context.Background(), []vault.Input{input("后来", "第二次访谈的证词。")}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	work := t.TempDir()

	doc, err := os.ReadFile(filepath.Join("..", "docs", "RECOVERY.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{recoveryDataKeyScript, recoveryJournalScript, recoveryJournalQuery} {
		if !strings.Contains(string(doc), step) {
			t.Fatalf("docs/RECOVERY.md does not give this step as the test runs it:\n%s", step)
		}
	}

	// Step 1: age -d of a passphrase slot yields an identity file that age
	// -d -i accepts. (batchpass passes the passphrase without a terminal; a
	// person types it.)
	cmd := exec.Command(age, "-d", "-j", "batchpass", "-o", filepath.Join(work, "key.txt"), filepath.Join(dir, "keys", "passphrase-1.age"))
	cmd.Env = append(os.Environ(), "AGE_PASSPHRASE="+string(passphrase))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("age -d slot: %v\n%s", err, out)
	}
	// Step 2: the data key, from whichever data key file V opens.
	cmd = exec.Command("sh", "-c", strings.ReplaceAll(recoveryDataKeyScript, "~/vault", dir))
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the data key recipe: %v\n%s", err, out)
	}
	cmd = exec.Command(age, "-d", "-i", filepath.Join(work, "data.txt"), "-o", filepath.Join(work, "vault.db"), filepath.Join(dir, "vault.age"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("age -d snapshot: %v\n%s", err, out)
	}
	out, err := exec.Command(sqlite, filepath.Join(work, "vault.db"), recoveryQuery).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3: %v\n%s", err, out)
	}
	if got := string(out); !strings.Contains(got, "小河|当地公安局的警察每周两次到我父母家里来。 {{#1|a city}}") {
		t.Fatalf("recovered %q", got)
	}

	// Steps 5 and 6: the journal, with the shell, age and sqlite3, as the
	// document says.
	needTool(t, "od")
	script := strings.ReplaceAll(recoveryJournalScript, "~/vault", dir)
	cmd = exec.Command("sh", "-c", script)
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the journal recipe: %v\n%s", err, out)
	}
	// After the checkpoint the journal is generation 1.
	cmd = exec.Command(sqlite, ":memory:", strings.Replace(recoveryJournalQuery, "0000000000000000-0", "0000000000000001-0", 1))
	cmd.Dir = work
	out, err = cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3: %v\n%s", err, out)
	}
	if got := string(out); !strings.Contains(got, "后来|第二次访谈的证词。") {
		t.Fatalf("recovered from the journal %q", got)
	}
}

// recoveryDataKeyScript is step 2 of docs/RECOVERY.md, as written there.
const recoveryDataKeyScript = `for k in ~/vault/keys/data-*.age; do age -d -i key.txt "$k" >> data.txt 2>/dev/null || true; done`

// recoveryJournalScript is step 5 of docs/RECOVERY.md, as written there.
const recoveryJournalScript = `for log in ~/vault/journal/*.log; do
  size=$(wc -c < "$log"); off=0; n=0
  while [ "$off" -lt "$size" ]; do
    len=$(od -An -tu8 --endian=big -j $((off + 4)) -N 8 "$log" | tr -d ' ')
    tail -c +$((off + 49)) "$log" | head -c "$len" | age -d -i data.txt > "$(basename "$log" .log)-$n.json"
    off=$((off + 48 + len)); n=$((n + 1))
  done
done`

// recoveryJournalQuery is step 6 of docs/RECOVERY.md.
const recoveryJournalQuery = `SELECT json_extract(value, '$.body.record.pseudonym'), json_extract(value, '$.testimony')
                  FROM json_each(readfile('0000000000000000-0.json'), '$.change.revisions');`

// recoveryQuery is the query docs/RECOVERY.md gives.
const recoveryQuery = `SELECT json_extract(r.body, '$.record.pseudonym'), r.testimony
FROM heads h JOIN revisions r ON r.id = h.revision ORDER BY r.interview;`

func execOutput(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).CombinedOutput()
}

func now() time.Time { return time.Now() }
