package vault_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/synth"
	"github.com/tvault/tvault/vault"
)

// TestScale builds a large vault with Add, in batches as `tvault add` of
// JSON Lines files would, then, in a fresh process (so that peak memory is
// the use's, not the build's), opens, lists, searches, saves to and checks
// it, logging times and peak memory. It runs only when TVAULT_SCALE is set to
// the number of interviews (issue figure: 200000, about 1 GB of testimony at
// 5 KB each; it needs about half an hour), never in CI. TVAULT_SCALE_DIR
// keeps the vault there, and a second run uses it without building again:
//
//	TVAULT_SCALE=200000 TVAULT_SCALE_DIR=/some/dir go test ./vault -run TestScale -v -timeout 3h
func TestScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TVAULT_SCALE"))
	if n <= 0 {
		t.Skip("set TVAULT_SCALE=200000 to build and use a vault of that many interviews")
	}
	dir := filepath.Join(t.TempDir(), "vault")
	if keep := os.Getenv("TVAULT_SCALE_DIR"); keep != "" {
		dir = filepath.Join(keep, "vault")
	}
	if !vault.Exists(dir) {
		n = buildScale(t, dir, n)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestScaleUse$", "-test.v", "-test.timeout=3h")
	cmd.Env = append(os.Environ(), "TVAULT_SCALE_USE="+dir, "TVAULT_SCALE_N="+strconv.Itoa(n))
	out, err := cmd.CombinedOutput()
	t.Logf("use, in a fresh process:\n%s", out)
	if err != nil {
		t.Fatal(err)
	}
}

// TestScaleStore shows that the store holds a database past 2 GiB, which
// SQLite's memdb store could not while it grew its buffer with
// sqlite3_realloc: it adds TVAULT_SCALE_STORE_N interviews (default 2,000)
// with Add, fills the database with random filler to
// TVAULT_SCALE_STORE gigabytes (2.3 is past the old ceiling) through SQL, much
// faster than Add, and then, in a fresh process, opens, lists, searches,
// saves to and checks it as TestScale does. Never in CI:
//
//	TVAULT_SCALE_STORE=2.3 go test ./vault -run TestScaleStore -v -timeout 3h
func TestScaleStore(t *testing.T) {
	gb, _ := strconv.ParseFloat(os.Getenv("TVAULT_SCALE_STORE"), 64)
	if gb <= 0 {
		t.Skip("set TVAULT_SCALE_STORE=2.3 to fill a vault's database to that many GB")
	}
	n, _ := strconv.Atoi(os.Getenv("TVAULT_SCALE_STORE_N"))
	if n <= 0 {
		n = 2000
	}
	dir := filepath.Join(t.TempDir(), "vault")
	if keep := os.Getenv("TVAULT_SCALE_DIR"); keep != "" {
		dir = filepath.Join(keep, "vault")
	}
	if !vault.Exists(dir) {
		n = buildScale(t, dir, n)
		v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := vault.FillForTesting(context.Background(), v, int64(gb*1e9)); err != nil {
			t.Fatal(err)
		}
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("filled to %.1f GB and checkpointed in %v; peak memory %s", gb, time.Since(start).Round(time.Second), peakRSS())
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestScaleUse$", "-test.v", "-test.timeout=3h")
	cmd.Env = append(os.Environ(), "TVAULT_SCALE_USE="+dir, "TVAULT_SCALE_N="+strconv.Itoa(n))
	out, err := cmd.CombinedOutput()
	t.Logf("use, in a fresh process:\n%s", out)
	if err != nil {
		t.Fatal(err)
	}
}

func buildScale(t *testing.T, dir string, n int) int {
	const batch = 10000
	c, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.Create(dir, vault.CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: passphrase})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for done := 0; done < n; done += batch {
		if _, err := v.Add(context.Background(), synth.Interviews(uint64(done/batch+1), min(batch, n-done), benchTestimony)); err != nil {
			if !errors.Is(err, vault.ErrMemoryFull) {
				t.Fatalf("after %d interviews: %v", done, err)
			}
			// The in-memory store's ceiling: say where it is, and go on
			// with a vault that full.
			t.Logf("the batch after %d interviews does not fit: %v", done, err)
			n = done
			break
		}
		if (done/batch)%5 == 4 {
			t.Logf("%d interviews added in %v; peak memory so far %s", done+batch, time.Since(start).Round(time.Second), peakRSS())
		}
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("built %d interviews in %v; peak memory %s", n, time.Since(start).Round(time.Second), peakRSS())
	return n
}

// TestScaleUse is TestScale's child: it uses the vault TestScale built.
func TestScaleUse(t *testing.T) {
	dir := os.Getenv("TVAULT_SCALE_USE")
	if dir == "" {
		t.Skip("the child of TestScale")
	}
	n, _ := strconv.Atoi(os.Getenv("TVAULT_SCALE_N"))
	st, err := os.Stat(filepath.Join(dir, "vault.age"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("snapshot %.0f MB", float64(st.Size())/1e6)
	runtime.GC()
	base := peakBytes()
	start := time.Now()
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("open: %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	list, err := v.List(context.Background())
	if err != nil || (n > 0 && len(list) < n) {
		t.Fatalf("list: %d, %v", len(list), err)
	}
	image, err := v.DatabaseBytesForTesting()
	if err != nil {
		t.Fatal(err)
	}
	grew := float64(peakBytes() - base)
	t.Logf("list of %d: %v; peak memory %.2f GB above the process's start: %.2f× the database (%.0f MB), %.2f× the snapshot",
		len(list), time.Since(start).Round(time.Millisecond), grew/1e9, grew/float64(image), float64(image)/1e6, grew/float64(st.Size()))
	list = nil

	for _, q := range []string{"护照", "警察", "黄色的传唤", "yellow paper"} {
		start = time.Now()
		res, err := v.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("search %q: %d hits in %v", q, len(res), time.Since(start).Round(time.Millisecond))
		start = time.Now()
		page, total, err := v.SearchPage(context.Background(), q, 100)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("search %q, first page: %d of %d hits in %v", q, len(page), total, time.Since(start).Round(100*time.Microsecond))
	}
	var saves []time.Duration
	for i := range 20 {
		in := synth.Interview(999, i, benchTestimony)
		start = time.Now()
		if _, err := v.Add(context.Background(), []vault.Input{in}); err != nil {
			t.Fatal(err)
		}
		saves = append(saves, time.Since(start))
	}
	t.Logf("20 durable saves: median %v", median(saves))
	start = time.Now()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("close: %v; peak memory %.2f GB", time.Since(start).Round(time.Millisecond), float64(peakBytes())/1e9)

	start = time.Now()
	v, err = vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	results, err := v.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if !r.OK {
			t.Errorf("check: %+v", r)
		}
	}
	t.Logf("check: %v", time.Since(start).Round(time.Second))
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration{}, d...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}

// peakBytes is this process's peak resident memory (VmHWM), in bytes, or 0
// where /proc is not there.
func peakBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func peakRSS() string { return strconv.FormatFloat(float64(peakBytes())/1e9, 'f', 2, 64) + " GB" }
