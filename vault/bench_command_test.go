package vault_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/internal/synth"
	"github.com/tvault/tvault/vault"
)

// BenchmarkCommand is what one CLI command costs beyond the KDF (the test
// work factor applies): open the vault, do one thing, close it. `add` of one
// interview should cost about what `list` costs, however large the vault:
// neither may rewrite the snapshot. Each iteration starts from a fresh copy
// of the vault, so the journal does not grow across iterations. With
// TVAULT_BENCH_LARGE=1 it also runs at 100,000 interviews (benchSizes).
//
//	go test ./vault -run '^$' -bench Command -benchtime 5x
func BenchmarkCommand(b *testing.B) {
	for _, n := range benchSizes() {
		benchCommand(b, n)
	}
}

func benchCommand(b *testing.B, n int) {
	src := benchVault(b, n)
	one := synth.Interviews(99, 1, benchTestimony)
	for _, cmd := range []struct {
		name string
		run  func(v *vault.Vault) error
	}{
		{"list", func(v *vault.Vault) error { _, err := v.List(context.Background()); return err }},
		{"add", func(v *vault.Vault) error {
			in := one[0]
			id := *in.Identity
			in.Identity = &id
			_, err := v.Add(context.Background(), []vault.Input{in})
			return err
		}},
	} {
		b.Run(fmt.Sprintf("interviews=%d/cmd=%s", n, cmd.name), func(b *testing.B) {
			failRun(b)
			for b.Loop() {
				b.StopTimer()
				dir := copyDir(b, src)
				b.StartTimer()
				v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
				if err != nil {
					b.Fatal(err)
				}
				if err := cmd.run(v); err != nil {
					b.Fatal(err)
				}
				if err := v.Close(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				os.RemoveAll(filepath.Dir(dir))
				b.StartTimer()
			}
		})
	}
}

// copyDir copies a vault folder into a new temporary folder.
func copyDir(b *testing.B, src string) string {
	b.Helper()
	tmp, err := os.MkdirTemp("", "tvault-bench-")
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(tmp, "vault")
	err = filepath.Walk(src, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(filepath.Join(dst, rel), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		b.Fatal(err)
	}
	return dst
}

// BenchmarkCheck is `tvault check` of 10,000 interviews: every hash and
// signature, the integrity check, heads and tombstones. It must grow
// linearly with the vault (a lookup without its key once made it
// quadratic: 200,000 interviews did not finish in 45 minutes).
func BenchmarkCheck(b *testing.B) {
	failRun(b)
	dir := benchCopy(b, 10000)
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	for b.Loop() {
		results, err := v.Check(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range results {
			if !r.OK {
				b.Fatalf("check: %+v", r)
			}
		}
	}
}
