package vault_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
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
//
// With TVAULT_BENCH_LARGE=1 the benchmarks of Save, Open, Search and Bundle
// also run at 100,000 interviews (about 1.2 GB of database; building it
// takes minutes). CI does not set it.

const benchTestimony = 5000

// benchSizes are the vault sizes the benchmarks run at.
func benchSizes() []int {
	if os.Getenv("TVAULT_BENCH_LARGE") != "" {
		return []int{10000, 100000}
	}
	return []int{10000}
}

// benchFailed is set when a benchmark fails. With -count N, go test runs each
// benchmark after its first run in a fresh testing.B that has no parent: its
// failure is printed but does not fail the run (testing.processBench).
// TestMain fails the run instead.
var benchFailed atomic.Bool

// failRun makes a failure of b fail the whole run; every benchmark and
// sub-benchmark calls it first.
func failRun(b *testing.B) {
	b.Cleanup(func() {
		if b.Failed() {
			benchFailed.Store(true)
		}
	})
}

var benchVaults = map[int]string{}

// benchVault returns the folder of a vault of n interviews, made once per
// test binary run and closed cleanly (so its snapshot is complete). Nothing
// opens it: a benchmark opens a copy (benchCopy), so that what one does, an
// audit event included, does not change what the next one measures.
func benchVault(b *testing.B, n int) string {
	b.Helper()
	if dir, ok := benchVaults[n]; ok {
		return dir
	}
	tmp, err := os.MkdirTemp("", "tvault-bench-")
	if err != nil {
		b.Fatal(err)
	}
	c, err := crypto.NewIdentity()
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(tmp, "vault")
	v, err := vault.Create(dir, vault.CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: passphrase})
	if err != nil {
		b.Fatal(err)
	}
	// In saves of at most 10,000, as `tvault add` of files would be.
	for start := 0; start < n; start += 10000 {
		batch := make([]vault.Input, 0, 10000)
		for i := start; i < min(n, start+10000); i++ {
			batch = append(batch, synth.Interview(1, i, benchTestimony))
		}
		if _, err := v.Add(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := v.Close(); err != nil {
		b.Fatal(err)
	}
	benchVaults[n] = dir
	return dir
}

// benchCopy returns a copy of the vault of n interviews, removed when b ends.
func benchCopy(b *testing.B, n int) string {
	b.Helper()
	src := benchVault(b, n)
	dst := filepath.Join(b.TempDir(), "vault")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), info.Mode().Perm())
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, info.Mode().Perm())
	})
	if err != nil {
		b.Fatal(err)
	}
	return dst
}

// benchOpen opens a copy of the vault of n interviews, closed when b ends.
func benchOpen(b *testing.B, n int) *vault.Vault {
	b.Helper()
	v, err := vault.Open(context.Background(), benchCopy(b, n), vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Close() })
	return v
}

// BenchmarkAdd is `tvault add` of 10,000 interviews in one command, less the
// KDF: validate, seal to the custodian, insert, index, write the snapshot.
func BenchmarkAdd(b *testing.B) {
	failRun(b)
	inputs := synth.Interviews(1, 10000, benchTestimony)
	var cpu time.Duration // of the timed part only
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
		start := cpuTime(false)
		if _, err := v.Add(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		if err := v.Close(); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime(false) - start
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkSave is one durable save of one interview revision (about 5 KB)
// in a vault of 10, 1,000 and 10,000 interviews: the cost must not grow
// with the vault. Each run saves into its own copy of the vault. Besides
// the mean it reports the median save (ms-median), the figure issue 17
// sets: the mean includes the rare save that checkpoints. cpu-ms/op is a
// save's CPU time on every core, which other work on the machine changes
// less than its wall time.
func BenchmarkSave(b *testing.B) {
	for _, n := range append([]int{10, 1000}, benchSizes()...) {
		b.Run(fmt.Sprintf("interviews=%d", n), func(b *testing.B) {
			failRun(b)
			v := benchOpen(b, n)
			list, err := v.List(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			in := synth.Interview(2, 0, benchTestimony) // English: cut at any byte below
			in.Identity = nil
			i := 0
			var times []time.Duration
			var cpu time.Duration
			for b.Loop() {
				in.ID = list[i%len(list)].ID
				in.Testimony = fmt.Sprintf("%s %d", in.Testimony[:benchTestimony-10], i)
				i++
				start, startCPU := time.Now(), cpuTime(false)
				if _, err := v.Add(context.Background(), []vault.Input{in}); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
				cpu += cpuTime(false) - startCPU
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2])/1e6, "ms-median")
			b.ReportMetric(cpu.Seconds()*1e3/float64(len(times)), "cpu-ms/op")
		})
	}
}

// BenchmarkOpen is unlocking a cleanly closed vault of 10,000 interviews,
// less the KDF.
func BenchmarkOpen(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("interviews=%d", n), func(b *testing.B) {
			failRun(b)
			dir := benchCopy(b, n)
			st, err := os.Stat(filepath.Join(dir, "vault.age"))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := v.Close(); err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				b.StartTimer()
			}
			// After the loop: b.Loop resets the metrics reported before it.
			b.ReportMetric(float64(st.Size())/(1<<20), "MB-snapshot")
		})
	}
}

// BenchmarkSearch is List, and searches: a Chinese and an English phrase,
// two two-character Chinese words found in about half the interviews (护照,
// 警察) and one found in about one in two hundred (传唤, of RareZH's
// sentence). Each returns every hit, and, as q=NAME,page=100, the first 100
// and the total (SearchPage): what the terminal UI and search --limit ask.
func BenchmarkSearch(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("interviews=%d", n), func(b *testing.B) {
			failRun(b)
			v := benchOpen(b, n)
			b.Run("list", func(b *testing.B) {
				failRun(b)
				var rows int
				for b.Loop() {
					list, err := v.List(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					rows = len(list)
				}
				b.ReportMetric(float64(rows), "rows")
			})
			for _, q := range []struct{ name, query string }{
				{"zh", synth.RareZH},
				{"en", synth.RareEN},
				{"zh-2", "护照"},
				{"zh-2-police", "警察"},
				{"zh-2-rare", "传唤"},
				{"en-ik", "police questioned"},
			} {
				for _, limit := range []int{0, 100} {
					name := "q=" + q.name
					if limit > 0 {
						name += fmt.Sprintf(",page=%d", limit)
					}
					b.Run(name, func(b *testing.B) {
						failRun(b)
						var hits, total int
						for b.Loop() {
							res, n, err := v.SearchPage(context.Background(), q.query, limit)
							if err != nil {
								b.Fatal(err)
							}
							hits, total = len(res), n
						}
						b.ReportMetric(float64(hits), "hits")
						b.ReportMetric(float64(total), "total")
					})
				}
			}
		})
	}
}

// BenchmarkFind is Find of 护照 (about half the interviews): every hit with
// its excerpt, as `tvault search` prints by default, and the first 1,000
// with the total, as the terminal UI asks.
func BenchmarkFind(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("interviews=%d", n), func(b *testing.B) {
			failRun(b)
			v := benchOpen(b, n)
			for _, limit := range []int{0, 1000} {
				b.Run(fmt.Sprintf("page=%d", limit), func(b *testing.B) {
					failRun(b)
					var hits, total int
					for b.Loop() {
						res, n, err := v.FindPage(context.Background(), "护照", vault.Filter{}, limit)
						if err != nil {
							b.Fatal(err)
						}
						hits, total = len(res), n
					}
					b.ReportMetric(float64(hits), "hits")
					b.ReportMetric(float64(total), "total")
				})
			}
		})
	}
}

// BenchmarkKDF is the cost of unlocking at the real scrypt work factor, to
// add to BenchmarkOpen.
func BenchmarkKDF(b *testing.B) {
	failRun(b)
	restore := crypto.SetScryptWorkFactorForTesting(crypto.DefaultScryptWorkFactor)
	id, err := crypto.NewIdentity()
	if err != nil {
		b.Fatal(err)
	}
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
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("interviews=%d", n), func(b *testing.B) {
			failRun(b)
			benchBundle(b, n)
		})
	}
}

// freshMembers numbers the vaults that BenchmarkBundle/import makes, so
// that each has a roster name of its own on the source vault, over every
// run of the benchmark (-count) in the test binary.
var freshMembers atomic.Int64

func benchBundle(b *testing.B, n int) {
	src := benchOpen(b, n) // the roster changes below
	dst, _ := MustCreate(b)
	card, _, err := dst.Card()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := src.AddMember(card); err != nil {
		b.Fatal(err)
	}
	srcCard, _, err := src.Card()
	if err != nil {
		b.Fatal(err)
	}
	opts := vault.ExportOptions{To: []string{"R1"}, IncludeUnshareable: true}
	var bundle bytes.Buffer
	if _, err := src.Export(context.Background(), &bundle, opts); err != nil {
		b.Fatal(err)
	}
	size := int64(bundle.Len())
	plain := make([]byte, size)
	id, err := crypto.NewIdentity()
	if err != nil {
		b.Fatal(err)
	}
	ageFile, err := crypto.Encrypt(plain, id.Recipient())
	if err != nil {
		b.Fatal(err)
	}

	b.Run("export", func(b *testing.B) {
		failRun(b)
		b.SetBytes(size)
		for b.Loop() {
			if _, err := src.Export(context.Background(), io.Discard, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("age-encrypt", func(b *testing.B) {
		failRun(b)
		b.SetBytes(size)
		for b.Loop() {
			if err := crypto.EncryptTo(io.Discard, plain, id.Recipient()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("import", func(b *testing.B) {
		failRun(b)
		b.SetBytes(size)
		var cpu time.Duration // of the timed part only
		for b.Loop() {
			// A fresh vault each time (a second import changes nothing), and
			// a bundle for its member key; neither is timed.
			b.StopTimer()
			fresh, bundle := freshImport(b, src, srcCard)
			b.StartTimer()
			start := cpuTime(false)
			rep, err := fresh.Import(context.Background(), bundle)
			if err != nil {
				b.Fatal(err)
			}
			cpu += cpuTime(false) - start
			b.StopTimer()
			if rep.Interviews != n {
				b.Fatalf("imported %d interviews, want %d", rep.Interviews, n)
			}
			if err := fresh.Close(); err != nil {
				b.Fatal(err)
			}
			// Each holds a copy of the bundle: remove it now, not when
			// the benchmark ends.
			if err := os.RemoveAll(filepath.Dir(fresh.Dir())); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	})
	b.Run("age-decrypt", func(b *testing.B) {
		failRun(b)
		b.SetBytes(size)
		for b.Loop() {
			if _, err := crypto.Open(id, ageFile); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// freshImport makes an empty vault whose roster holds src, puts it on src's
// roster under a name no other has had, and returns it with a bundle of all
// of src for it.
func freshImport(b *testing.B, src *vault.Vault, srcCard []byte) (*vault.Vault, io.Reader) {
	b.Helper()
	name := fmt.Sprintf("fresh%d", freshMembers.Add(1))
	c, err := crypto.NewIdentity()
	if err != nil {
		b.Fatal(err)
	}
	tmp, err := os.MkdirTemp("", "tvault-bench-import-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(tmp) })
	fresh, err := vault.Create(filepath.Join(tmp, "vault"), vault.CreateOptions{
		Name: name, Custodian: c.Recipient(), Passphrase: passphrase})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := fresh.AddMember(srcCard); err != nil {
		b.Fatal(err)
	}
	fc, _, err := fresh.Card()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := src.AddMember(fc); err != nil {
		b.Fatal(err)
	}
	var bb bytes.Buffer
	if _, err := src.Export(context.Background(), &bb, vault.ExportOptions{To: []string{name}, IncludeUnshareable: true}); err != nil {
		b.Fatal(err)
	}
	return fresh, &bb
}
