package vault

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

// strangerSize is the plaintext size of the stranger's bundles: 64 MiB,
// or 1 GiB with TVAULT_BENCH_LARGE=1 (the figure the issue asks for; CI
// does not set it).
func strangerSize() int64 {
	if os.Getenv("TVAULT_BENCH_LARGE") != "" {
		return 1 << 30
	}
	return 64 << 20
}

// strangerBundle writes to a file a bundle of about size bytes of tiny
// revisions, in the given format version (2 or 3), signed by a key on no
// roster and encrypted to to: member cards are handed out, so anyone can
// encrypt to a member. The plaintext is made as a stream into age, never
// whole in memory. It is written with literal strings only, so that the
// test runs on code that predates version 3 too.
func strangerBundle(t *testing.T, version int, to age.Recipient, size int64) string {
	t.Helper()
	pub, key, _ := ed25519.GenerateKey(nil)
	stranger, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("stranger-v%d.tvb", version))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	aw, err := age.Encrypt(f, to)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(aw, 1<<20)
	rec := `"id":"` + strings.Repeat("a", 64) + `","body":{"interview":"0123456789abcdef"},"testimony":"` +
		strings.Repeat("x", 800) + `","sig":"` + base64.StdEncoding.EncodeToString(make([]byte, 64)) + `"}`
	n := size / int64(len(rec)+20)
	exporter := `{"name":"alice","recipient":"` + stranger.Recipient().String() + `","signing_key":"` + base64.StdEncoding.EncodeToString(pub) + `"}`
	recipients := `["` + to.(fmt.Stringer).String() + `"]`
	switch version {
	case 2:
		w.WriteString("tvault bundle v2\n{\"exporter\":" + exporter + `,"recipients":` + recipients + `,"created_at":"","tombstones":[],"sealed":[],"revisions":[`)
		for i := range n {
			if i > 0 {
				w.WriteString(",")
			}
			w.WriteString("{" + rec)
		}
		w.WriteString("]}\n" + base64.StdEncoding.EncodeToString(make([]byte, 64)) + "\n")
	default:
		line := `{"kind":"revision",` + rec + "\n"
		header := `{"exporter":` + exporter + `,"recipients":` + recipients + `,"created_at":"","counts":{"revision":` + fmt.Sprint(n) + `},"size":` + fmt.Sprint(n*int64(len(line))) + `}`
		sum := sha256.Sum256([]byte(header))
		sig := ed25519.Sign(key, []byte("tvault bundle v3 header\n"+hex.EncodeToString(sum[:])))
		w.WriteString("tvault bundle v3\n" + header + "\n" + base64.StdEncoding.EncodeToString(sig) + "\n")
		for range n {
			w.WriteString(line)
		}
		// No end: the importer must refuse long before it would look.
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := aw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// peakRSS resets the process's peak resident size (Linux), and returns a
// function that reads it; both do nothing elsewhere.
func peakRSS() func() string {
	if os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) != nil {
		return func() string { return "n/a" }
	}
	return func() string {
		b, _ := os.ReadFile("/proc/self/status")
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				return strings.TrimSpace(v)
			}
		}
		return "n/a"
	}
}

// Attack 1 of issue 11: a stranger's large bundle, encrypted to this
// member, exhausted memory before its signer was looked at. It is refused
// in under a second, having allocated under 100 MB in all and read a few
// age chunks of the file, in the current format and in the previous one.
func TestAttackStrangerBundle(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large bundle")
	}
	bob := members(t, "bob")[0]
	size := strangerSize()
	for _, version := range []int{3, 2} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			path := strangerBundle(t, version, bob.member.Identity.Recipient(), size)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fi, _ := f.Stat()
			before := vaultDigest(t, bob)
			r := &countingReader{r: f}
			runtime.GC()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			peak := peakRSS()
			start := time.Now()
			_, err = bob.Import(context.Background(), r)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&m1)
			alloc := m1.TotalAlloc - m0.TotalAlloc
			t.Logf("bundle of %d MiB: refused in %v, %d MB allocated, peak RSS %s, %d KiB of the file read (%v)",
				fi.Size()>>20, elapsed.Round(time.Millisecond), alloc>>20, peak(), r.n>>10, err)
			if elapsed > time.Second {
				t.Errorf("refused in %v, want under 1 s", elapsed)
			}
			if alloc > 100<<20 {
				t.Errorf("allocated %d MB, want under 100 MB", alloc>>20)
			}
			if r.n > 1<<20 {
				t.Errorf("read %d KiB of the bundle before refusing it", r.n>>10)
			}
			if !errors.Is(err, ErrUnknownSigner) {
				t.Errorf("err=%v, want ErrUnknownSigner", err)
			}
			if vaultDigest(t, bob) != before {
				t.Error("a refused import changed the vault")
			}
		})
	}
}

// signedV3 is a version 3 bundle's plaintext, made by hand: header and
// record lines as given, signed by key; what a newer or a modified tvault
// can write.
func signedV3(key ed25519.PrivateKey, header string, records ...string) []byte {
	sign := func(msg string) string { return base64.StdEncoding.EncodeToString(ed25519.Sign(key, []byte(msg))) }
	hsum := sha256.Sum256([]byte(header))
	var b strings.Builder
	b.WriteString("tvault bundle v3\n" + header + "\n" + sign("tvault bundle v3 header\n"+hex.EncodeToString(hsum[:])) + "\n")
	h := sha256.New()
	for _, r := range records {
		b.WriteString(r + "\n")
		h.Write([]byte(r + "\n"))
	}
	end := fmt.Sprintf(`{"kind":"end","records":%d,"sha256":"%x"}`, len(records), h.Sum(nil))
	esum := sha256.Sum256([]byte(end))
	b.WriteString(end + "\n" + sign("tvault bundle v3 end\n"+hex.EncodeToString(hsum[:])+"\n"+hex.EncodeToString(esum[:])) + "\n")
	return []byte(b.String())
}

// A roster member's bundle with a kind of record this version does not
// know (a newer tvault's) is refused whole, as made by a newer tvault,
// whether the header declares the kind or not: a kind may carry what must
// not be skipped.
func TestImportNewerKind(t *testing.T) {
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	rec := `{"kind":"key_change","member":"alice"}`
	exporter := fmt.Sprintf(`{"name":"alice","recipient":%q,"signing_key":%q}`,
		alice.member.Identity.Recipient().String(), base64.StdEncoding.EncodeToString(alice.member.SigningKey.Public().(ed25519.PublicKey)))
	header := func(counts string) string {
		return fmt.Sprintf(`{"exporter":%s,"recipients":[%q],"created_at":"2026-11-27T12:00:00Z","counts":%s,"size":%d}`,
			exporter, bob.member.Identity.Recipient().String(), counts, len(rec)+1)
	}
	for name, counts := range map[string]string{"declared": `{"key_change":1}`, "undeclared": `{}`} {
		t.Run(name, func(t *testing.T) {
			ct, err := crypto.Encrypt(signedV3(alice.member.SigningKey, header(counts), rec), bob.member.Identity.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			before := vaultDigest(t, bob)
			_, err = bob.Import(context.Background(), strings.NewReader(string(ct)))
			if !errors.Is(err, ErrNewerBundle) || !strings.Contains(err.Error(), "newer tvault") {
				t.Fatalf("err=%v, want ErrNewerBundle", err)
			}
			if vaultDigest(t, bob) != before {
				t.Fatal("a refused import changed the vault")
			}
		})
	}
	// Without the record, the same bundle imports: the refusal is the kind's.
	ct, _ := crypto.Encrypt(signedV3(alice.member.SigningKey, strings.Replace(header(`{}`), fmt.Sprintf(`"size":%d`, len(rec)+1), `"size":0`, 1)), bob.member.Identity.Recipient())
	if _, err := bob.Import(context.Background(), strings.NewReader(string(ct))); err != nil {
		t.Fatal(err)
	}
}
