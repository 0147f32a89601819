package vault_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// BenchmarkOpenWithAttachments opens a vault of 200 interviews without
// attachments, and one whose interviews hold 10 GB of them (one file of
// 50 MB each, written sparse: open never reads a blob, so its cost cannot
// depend on their bytes, only on the records, a few hundred bytes each).
func BenchmarkOpenWithAttachments(b *testing.B) {
	for _, n := range []int{0, 200} {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			failRun(b)
			ctx := context.Background()
			v, _ := MustCreate(b)
			var batch []vault.Input
			for i := range 200 {
				batch = append(batch, input(fmt.Sprintf("P%d", i), "testimony"))
			}
			ids, err := v.Add(ctx, batch)
			if err != nil {
				b.Fatal(err)
			}
			for i := range n {
				if _, err := v.Attach(ctx, ids[i], strings.NewReader("a page"), vault.AttachOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			// The journal folded into the snapshot: what is measured is the
			// vault, not the replay of this benchmark's own saves.
			if err := v.Checkpoint(ctx); err != nil {
				b.Fatal(err)
			}
			dir := v.Dir()
			v.Close()
			// Each blob grows to 50 MB, sparse: 10 GB in all.
			files, _ := filepath.Glob(filepath.Join(dir, "blobs", "*.age"))
			for _, f := range files {
				if err := os.Truncate(f, 50<<20); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				v, err := vault.Open(ctx, dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
				if err != nil {
					b.Fatal(err)
				}
				v.Close()
			}
		})
	}
}
