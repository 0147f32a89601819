package vault_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/synth"
	"github.com/tvault/tvault/vault"
)

// Benchmarks use vaults of synthetic interviews of about 5 KB of testimony,
// half English, half Chinese, each with an identity and a sensitive span.
// The test work factor of scrypt applies, so times exclude the KDF (about a
// second at the real work factor, measured by BenchmarkKDF). Run them with
// a small -benchtime on a small machine, for example:
//
//	go test ./vault -run '^$' -bench . -benchtime 3x

const benchTestimony = 5000

var benchVaults = map[int]string{}

// benchVault returns the folder of a vault of n interviews, made once per
// test binary run and closed cleanly (so its snapshot is complete).
func benchVault(b *testing.B, n int) string {
	if dir, ok := benchVaults[n]; ok {
		return dir
	}
	tmp, err := os.MkdirTemp("", "tvault-bench-")
	if err != nil {
		b.Fatal(err)
	}
	c, _ := crypto.NewIdentity()
	dir := filepath.Join(tmp, "vault")
	v, err := vault.Create(dir, vault.CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: passphrase})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := v.Add(synth.Interviews(1, n, benchTestimony)); err != nil {
		b.Fatal(err)
	}
	if err := v.Close(); err != nil {
		b.Fatal(err)
	}
	benchVaults[n] = dir
	return dir
}

// BenchmarkAdd is `tvault add` of 10,000 interviews in one command, less the
// KDF: validate, seal to the custodian, insert, index, write the snapshot.
func BenchmarkAdd(b *testing.B) {
	inputs := synth.Interviews(1, 10000, benchTestimony)
	for b.Loop() {
		b.StopTimer()
		v, _ := MustCreate(b)
		batch := make([]vault.Input, len(inputs))
		for i, in := range inputs {
			c := in
			id := *in.Identity
			c.Identity = &id
			batch[i] = c
		}
		b.StartTimer()
		if _, err := v.Add(batch); err != nil {
			b.Fatal(err)
		}
		if err := v.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSave is one durable save of one interview revision (about 5 KB)
// in a vault of 10 and of 10,000 interviews: the cost must not grow with
// the vault.
func BenchmarkSave(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(fmt.Sprintf("interviews=%d", n), func(b *testing.B) {
			dir := benchVault(b, n)
			v, err := vault.Open(dir, passphrase)
			if err != nil {
				b.Fatal(err)
			}
			defer v.Close()
			list, _ := v.List()
			in := synth.Interview(2, 0, benchTestimony) // English: cut at any byte below
			in.Identity = nil
			i := 0
			for b.Loop() {
				in.ID = list[i%len(list)].ID
				in.Testimony = fmt.Sprintf("%s %d", in.Testimony[:benchTestimony-10], i)
				i++
				if _, err := v.Add([]vault.Input{in}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpen is unlocking a cleanly closed vault of 10,000 interviews,
// less the KDF.
func BenchmarkOpen(b *testing.B) {
	b.Run("interviews=10000", func(b *testing.B) {
		dir := benchVault(b, 10000)
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
	})
}

// BenchmarkSearch is a Chinese and an English query, and a two-character
// Chinese word (no trigram: a scan), in a vault of 10,000 interviews.
func BenchmarkSearch(b *testing.B) {
	b.Run("interviews=10000", func(b *testing.B) {
		dir := benchVault(b, 10000)
		v, err := vault.Open(dir, passphrase)
		if err != nil {
			b.Fatal(err)
		}
		defer v.Close()
		for _, q := range []struct{ name, query string }{
			{"zh", synth.RareZH},
			{"en", synth.RareEN},
			{"zh-2", "护照"},
		} {
			b.Run("q="+q.name, func(b *testing.B) {
				var hits int
				for b.Loop() {
					res, err := v.Search(q.query)
					if err != nil {
						b.Fatal(err)
					}
					hits = len(res)
				}
				b.ReportMetric(float64(hits), "hits")
			})
		}
	})
}

// BenchmarkKDF is the cost of unlocking at the real scrypt work factor, to
// add to BenchmarkOpen.
func BenchmarkKDF(b *testing.B) {
	restore := crypto.SetScryptWorkFactorForTesting(crypto.DefaultScryptWorkFactor)
	id, _ := crypto.NewIdentity()
	slot, err := crypto.SealSlot(id, passphrase, time.Now())
	restore()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := crypto.OpenSlot(slot, passphrase); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBundle exports 10,000 interviews to a member and imports them
// into a fresh vault, beside age itself encrypting and decrypting the same
// number of bytes.
func BenchmarkBundle(b *testing.B) {
	dir := benchVault(b, 10000)
	src, err := vault.Open(dir, passphrase)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, _ := MustCreate(b)
	card, _, _ := dst.Card()
	if _, err := src.AddMember(card); err != nil {
		b.Fatal(err)
	}
	srcCard, _, _ := src.Card()
	opts := vault.ExportOptions{To: []string{"R1"}, IncludeUnshareable: true}
	var bundle bytes.Buffer
	if _, err := src.Export(&bundle, opts); err != nil {
		b.Fatal(err)
	}
	size := int64(bundle.Len())
	plain := make([]byte, size)
	id, _ := crypto.NewIdentity()
	ageFile, _ := crypto.Encrypt(plain, id.Recipient())

	b.Run("export", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := src.Export(io.Discard, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("age-encrypt", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if err := crypto.EncryptTo(io.Discard, plain, id.Recipient()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("import", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; b.Loop(); i++ {
			// A fresh vault each time (a second import changes nothing), and
			// a bundle for its member key; neither is timed.
			b.StopTimer()
			c, _ := crypto.NewIdentity()
			fresh, err := vault.Create(filepath.Join(b.TempDir(), "fresh"), vault.CreateOptions{
				Name: fmt.Sprintf("fresh%d", i), Custodian: c.Recipient(), Passphrase: passphrase})
			if err != nil {
				b.Fatal(err)
			}
			fresh.AddMember(srcCard)
			fc, _, _ := fresh.Card()
			src.AddMember(fc)
			var bb bytes.Buffer
			if _, err := src.Export(&bb, vault.ExportOptions{To: []string{fmt.Sprintf("fresh%d", i)}, IncludeUnshareable: true}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := fresh.Import(&bb); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			fresh.Close()
			b.StartTimer()
		}
	})
	b.Run("age-decrypt", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := crypto.Open(id, ageFile); err != nil {
				b.Fatal(err)
			}
		}
	})
}
