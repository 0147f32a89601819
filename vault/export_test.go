package vault

import (
	"bytes"
	"context"
	"os"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/bundlefmt"
)

// SetMemoryLimitForTesting sets the largest database image that vaults opened
// afterwards may grow to, and returns a function that restores the previous
// limit.
func SetMemoryLimitForTesting(n int64) (restore func()) {
	old := memoryLimit
	memoryLimit = n
	return func() { memoryLimit = old }
}

// SetJournalLimitsForTesting sets when a journal is checkpointed: past
// 1/fraction of the snapshot, at least 1 MiB and at most max bytes. It
// returns a function that restores the previous limits.
func SetJournalLimitsForTesting(fraction, max int64) (restore func()) {
	oldF, oldM := checkpointFraction, maxJournal
	checkpointFraction, maxJournal = fraction, max
	return func() { checkpointFraction, maxJournal = oldF, oldM }
}

// DataKeysForTesting returns the data keys that v (the vault identity of the
// vault in dir) opens: the current generation's, and the previous one's if a
// crash kept it from being retired.
func DataKeysForTesting(dir string, v *age.HybridIdentity) []*age.HybridIdentity {
	var out []*age.HybridIdentity
	for _, name := range []string{dataKeyA, dataKeyB} {
		data, err := os.ReadFile(dataKeyPath(dir, name))
		if err != nil {
			continue
		}
		plain, err := crypto.Open(v, data)
		if err != nil {
			continue
		}
		if d, err := parseDataKey(name, plain); err == nil {
			out = append(out, d.id)
		}
	}
	return out
}

// StoreMACForTesting returns the store authentication key derived from v.
func StoreMACForTesting(v *age.HybridIdentity) []byte {
	k, _ := storeMAC(v)
	return k
}

// ExportWithFileForTesting exports interview to bob, as v's member signs
// it, with data in place of its first attachment's file: a roster member
// who sends a file its signed record does not name.
func ExportWithFileForTesting(tb testing.TB, v *Vault, interview string, data []byte) []byte {
	tb.Helper()
	ctx := context.Background()
	opts := ExportOptions{To: []string{"bob"}, IDs: []string{interview}}
	recipients, err := v.exportRecipients(ctx, opts)
	if err != nil {
		tb.Fatal(err)
	}
	body, err := v.bundleHeader(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if err := v.gatherInterviews(ctx, body, &ExportReport{}, opts, sentMark{}); err != nil {
		tb.Fatal(err)
	}
	atts, err := v.Attachments(ctx, interview)
	if err != nil || len(atts) == 0 {
		tb.Fatalf("no attachment to forge: %v", err)
	}
	body.Blobs = func(emit func(*bundlefmt.BlobChunk) error) error {
		return emit(&bundlefmt.BlobChunk{Attachment: atts[0].ID, Interview: interview, Data: data})
	}
	var buf bytes.Buffer
	if err := bundlefmt.Encrypt(&buf, body, v.member.SigningKey, recipients...); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FillForTesting adds about n bytes of random filler to v's database, in a
// table of its own, 100 MB per statement, and writes a checkpoint (the filler
// is not journaled): a database that large without the hours Add takes.
func FillForTesting(ctx context.Context, v *Vault, n int64) error {
	if _, err := v.conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS scale_filler (id INTEGER PRIMARY KEY, b BLOB)`); err != nil {
		return err
	}
	const row = 1000000
	for done := int64(0); done < n; done += 100 * row {
		_, err := v.conn.ExecContext(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
			INSERT INTO scale_filler (b) SELECT randomblob(?) FROM c`, min(100, (n-done+row-1)/row), row)
		if err != nil {
			return err
		}
	}
	return v.Checkpoint(ctx)
}

// DatabaseBytesForTesting returns the size of v's database image in memory.
func (v *Vault) DatabaseBytesForTesting() (int64, error) {
	if err := v.ready(); err != nil {
		return 0, err
	}
	var pages, size int64
	if err := v.conn.QueryRowContext(v.ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, err
	}
	if err := v.conn.QueryRowContext(v.ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		return 0, err
	}
	return pages * size, nil
}
