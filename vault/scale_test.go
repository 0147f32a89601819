package vault_test

import (
	"bufio"
	"context"
	"errors"
	"os"
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
// JSON Lines files would, then opens, searches, saves to and checks it,
// logging times and peak memory. It runs only when TVAULT_SCALE is set to
// the number of interviews (issue figure: 200000, about 2.4 GB of testimony;
// it needs about half an hour and several GB of memory), never in CI:
//
//	TVAULT_SCALE=200000 go test ./vault -run TestScale -v -timeout 3h
func TestScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TVAULT_SCALE"))
	if n <= 0 {
		t.Skip("set TVAULT_SCALE=200000 to build and use a vault of that many interviews")
	}
	const batch = 10000
	c, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "vault")
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
	st, err := os.Stat(filepath.Join(dir, "vault.age"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built %d interviews in %v; snapshot %.0f MB; peak memory %s", n, time.Since(start).Round(time.Second), float64(st.Size())/1e6, peakRSS())

	runtime.GC()
	resetPeakRSS()
	start = time.Now()
	v, err = vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	list, err := v.List(context.Background())
	if err != nil || len(list) != n {
		t.Fatalf("list: %d, %v", len(list), err)
	}
	t.Logf("open + list: %v, peak memory %s (%.2f× the snapshot)", time.Since(start).Round(time.Millisecond), peakRSS(), float64(peakBytes())/float64(st.Size()))

	for _, q := range []string{"护照", "警察", "黄色的传唤", "yellow paper"} {
		start = time.Now()
		res, err := v.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("search %q: %d hits in %v", q, len(res), time.Since(start).Round(time.Millisecond))
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
	t.Logf("close: %v", time.Since(start).Round(time.Millisecond))

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
	t.Logf("check: %v, peak memory %s", time.Since(start).Round(time.Second), peakRSS())
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

// resetPeakRSS starts a new peak (Linux: writing 5 to clear_refs).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }
