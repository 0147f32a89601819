package vault

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
)

// BenchmarkAttachmentGrowth measures what one interview with 200
// attachments costs to store: every revision carries every attachment
// record, so n attachments store O(n²) bytes of revisions. It logs the
// figures at 1, 50, 100, 150 and 200 attachments and reports the totals:
//
//	go test ./vault -run '^$' -bench AttachmentGrowth -benchtime 1x -v
func BenchmarkAttachmentGrowth(b *testing.B) {
	for range b.N {
		bodies, folder := attachmentGrowth(b)
		b.ReportMetric(float64(bodies), "revision-bytes")
		b.ReportMetric(float64(folder), "folder-bytes")
	}
}

func attachmentGrowth(t testing.TB) (bodies, folder int64) {
	ctx := context.Background()
	c, _ := crypto.NewIdentity()
	dir := filepath.Join(t.TempDir(), "vault")
	v, err := Create(dir, CreateOptions{Name: "alice", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var in Input
	in.Pseudonym, in.Testimony = "P", "testimony"
	ids, err := v.Add(ctx, []Input{in})
	if err != nil {
		t.Fatal(err)
	}
	id := ids[0]
	sizeOf := func(skip string) (n int64) {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.Contains(p, skip) {
				if fi, err := d.Info(); err == nil {
					n += fi.Size()
				}
			}
			return nil
		})
		return n
	}
	start := time.Now()
	var lines []string
	for k := 1; k <= 200; k++ {
		t0 := time.Now()
		if _, err := v.Attach(ctx, id, strings.NewReader(fmt.Sprintf("file %d", k)), AttachOptions{FileName: fmt.Sprintf("letter-%03d.txt", k), Description: "a letter"}); err != nil {
			t.Fatal(err)
		}
		took := time.Since(t0)
		if k == 1 || k%50 == 0 {
			var revs, bodies0, last, sealed int64
			v.conn.QueryRowContext(ctx, `SELECT count(*), sum(length(body)) FROM revisions WHERE interview = ?`, id).Scan(&revs, &bodies0)
			v.conn.QueryRowContext(ctx, `SELECT length(body) FROM revisions WHERE interview = ? ORDER BY seq DESC LIMIT 1`, id).Scan(&last)
			v.conn.QueryRowContext(ctx, `SELECT coalesce(sum(length(data)), 0) FROM sealed WHERE interview = ?`, id).Scan(&sealed)
			if err := v.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			bodies, folder = bodies0, sizeOf(string(os.PathSeparator)+"blobs"+string(os.PathSeparator))
			lines = append(lines, fmt.Sprintf("%3d attachments: %3d revisions, bodies %8d B (last %6d B), sealed %8d B, vault folder without blobs %8d B, this attach %v",
				k, revs, bodies0, last, sealed, folder, took.Round(time.Millisecond)))
		}
	}
	t.Logf("200 attachments in %v\n%s", time.Since(start).Round(time.Millisecond), strings.Join(lines, "\n"))
	return bodies, folder
}
