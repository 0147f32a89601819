package vault_test

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkRekey is `tvault rekey` of a vault of 10,000 interviews, less
// the KDF (the test binary's scrypt work factor is 2^10): a new vault key
// and slot, the snapshot rewritten under a new data key, the old slot and
// data key overwritten.
func BenchmarkRekey(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("interviews=%d", n), func(b *testing.B) {
			failRun(b)
			v := benchOpen(b, n)
			for b.Loop() {
				if _, err := v.Rekey(context.Background(), passphrase); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckpoint is a checkpoint of a vault of 10,000 interviews, data
// key rotation included (BenchmarkCheckpointDataKey is that part alone).
func BenchmarkCheckpoint(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("interviews=%d", n), func(b *testing.B) {
			failRun(b)
			v := benchOpen(b, n)
			for b.Loop() {
				if err := v.Checkpoint(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRotateMemberKey is `tvault whoami --rotate` of a vault of 10,000
// interviews: a new member key, the statement, and the checkpoint that
// crypto-erases the generation that held the old key.
func BenchmarkRotateMemberKey(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("interviews=%d", n), func(b *testing.B) {
			failRun(b)
			v := benchOpen(b, n)
			for b.Loop() {
				if _, err := v.RotateMemberKey(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
