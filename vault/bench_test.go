package vault_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/synth"
	"github.com/tvault/tvault/vault"
)

// Benchmarks use 10,000 interviews of about 5 KB of testimony, half English,
// half Chinese, each with an identity and a sensitive span. Run them with a
// small -benchtime on a small machine, for example:
//
//	go test ./vault -run '^$' -bench . -benchtime 3x

const (
	benchInterviews = 10000
	benchTestimony  = 5000
)

// BenchmarkAdd is `tvault add` of 10,000 interviews in one command, less the
// KDF: plan, seal, insert, index, write the snapshot.
func BenchmarkAdd(b *testing.B) {
	inputs := synth.Interviews(1, benchInterviews, benchTestimony)
	for b.Loop() {
		b.StopTimer()
		v, _ := MustCreate(b)
		batch := make([]vault.Input, len(inputs))
		for i, in := range inputs {
			c := in
			if in.Identity != nil {
				id := *in.Identity
				c.Identity = &id
			}
			batch[i] = c
		}
		b.StartTimer()
		if _, err := v.Add(batch); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		v.Close()
		b.StartTimer()
	}
}

var benchVaultDir string

// benchVault returns the folder of a 10,000-interview vault, made once per
// test binary run.
func benchVault(b *testing.B) string {
	if benchVaultDir != "" {
		return benchVaultDir
	}
	dir, err := os.MkdirTemp("", "tvault-bench-")
	if err != nil {
		b.Fatal(err)
	}
	c, _ := crypto.NewIdentity()
	v, err := vault.Create(filepath.Join(dir, "vault"), vault.CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: passphrase})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := v.Add(synth.Interviews(1, benchInterviews, benchTestimony)); err != nil {
		b.Fatal(err)
	}
	v.Close()
	benchVaultDir = filepath.Join(dir, "vault")
	return benchVaultDir
}

// BenchmarkOpen is unlocking a 10,000-interview vault. The KDF is measured
// apart (BenchmarkKDF) and subtracted in the note; here the work factor is
// the test one.
func BenchmarkOpen(b *testing.B) {
	dir := benchVault(b)
	st, _ := os.Stat(filepath.Join(dir, "vault.age"))
	b.ReportMetric(float64(st.Size())/(1<<20), "MB-snapshot")
	for b.Loop() {
		v, err := vault.Open(dir, passphrase)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		v.Close()
		runtime.GC()
		b.StartTimer()
	}
}

func BenchmarkSearch(b *testing.B) {
	dir := benchVault(b)
	v, err := vault.Open(dir, passphrase)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	for _, q := range []string{"公安局的", "passport", "警察"} {
		b.Run(fmt.Sprintf("q=%s", q), func(b *testing.B) {
			for b.Loop() {
				if _, err := v.Search(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
