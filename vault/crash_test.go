package vault_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tvault/tvault/vault"
)

// crashChild runs in a child process: it saves in a loop, and prints "ack"
// lines only after each save returned. The parent kills it with SIGKILL at a
// random moment.
func crashChild(dir string) {
	switch os.Getenv("TVAULT_CRASH_MODE") {
	case "rekey":
		rekeyCrashChild(dir)
		return
	case "attach":
		attachCrashChild(dir)
		return
	case "record":
		recordCrashChild(dir)
		return
	}
	if n, err := strconv.ParseInt(os.Getenv("TVAULT_CRASH_JOURNAL_MAX"), 10, 64); err == nil {
		// TestCrashJournalCap: most saves cross the cap.
		vault.SetJournalLimitsForTesting(8, n)
	}
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		fmt.Printf("open failed: %v\n", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	prefix := os.Getenv("TVAULT_CRASH_PREFIX")
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := 0; ; i++ {
		switch n := r.IntN(100); {
		case n < 10:
			if err := v.Checkpoint(context.Background()); err != nil {
				fmt.Printf("checkpoint failed: %v\n", err)
				os.Exit(3)
			}
		case n < 25:
			// A multi-interview add lands whole or not at all.
			var batch []vault.Input
			var names []string
			for k := range 3 {
				name := fmt.Sprintf("%s-%d-B%d", prefix, i, k)
				batch = append(batch, input(name, "batch testimony 警察 "+name))
				names = append(names, name)
			}
			if _, err := v.Add(context.Background(), batch); err != nil {
				fmt.Printf("add failed: %v\n", err)
				os.Exit(3)
			}
			fmt.Printf("ack %s\n", strings.Join(names, " "))
		default:
			name := fmt.Sprintf("%s-%d-S", prefix, i)
			if _, err := v.Add(context.Background(), []vault.Input{input(name, "single testimony "+name+" {{secret|a place}}")}); err != nil {
				fmt.Printf("add failed: %v\n", err)
				os.Exit(3)
			}
			fmt.Printf("ack %s\n", name)
		}
	}
}

// TestCrash kills a saving process with SIGKILL at random points, over and
// over, and checks after each kill that the vault opens, that every
// acknowledged save is there, and that no multi-interview add is there in
// part.
func TestCrash(t *testing.T) {
	kills := 200
	if testing.Short() {
		kills = 40
	}
	v, _ := MustCreate(t)
	dir := v.Dir()
	v.Close()

	acked := map[string]bool{}
	duringSaves := 0
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	for round := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "TVAULT_CRASH_CHILD="+dir, fmt.Sprintf("TVAULT_CRASH_PREFIX=r%d", round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan []string)
		ready := make(chan struct{})
		go func() {
			var got []string
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if sc.Text() == "ready" {
					close(ready)
					continue
				}
				got = append(got, sc.Text())
			}
			lines <- got
		}()
		// Most kills land while the child saves; some while it opens (and
		// cuts a torn frame, or removes a retired journal).
		if r.IntN(5) == 0 {
			time.Sleep(time.Duration(r.IntN(30)) * time.Millisecond)
		} else {
			select {
			case <-ready:
				duringSaves++
			case <-time.After(5 * time.Second):
				t.Fatalf("round %d: the child did not open the vault", round)
			}
			time.Sleep(time.Duration(r.IntN(25000)) * time.Microsecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		got := <-lines
		cmd.Wait()
		for _, l := range got {
			names, ok := strings.CutPrefix(l, "ack ")
			if !ok {
				t.Fatalf("round %d: child said %q", round, l)
			}
			for _, n := range strings.Fields(names) {
				acked[n] = true
			}
		}

		// Read-only, so that the next child finds the vault exactly as the
		// kill left it.
		ro, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
		if err != nil {
			t.Fatalf("round %d: the vault does not open after a kill: %v", round, err)
		}
		list, err := ro.List(context.Background())
		ro.Close()
		if err != nil {
			t.Fatal(err)
		}
		present := map[string]bool{}
		for _, s := range list {
			present[s.Pseudonym] = true
		}
		for n := range acked {
			if !present[n] {
				t.Fatalf("round %d: acknowledged save %s is missing", round, n)
			}
		}
		for n := range present {
			if base, ok := strings.CutSuffix(n, "-B0"); ok {
				if !present[base+"-B1"] || !present[base+"-B2"] {
					t.Fatalf("round %d: batch %s is there in part", round, base)
				}
			}
		}
	}
	t.Logf("%d kills (%d after the child had opened the vault), %d acknowledged saves, all present", kills, duringSaves, len(acked))
	if duringSaves < kills/2 {
		t.Fatalf("only %d of %d kills landed while saving", duringSaves, kills)
	}
}

// crashRound runs this test binary as a crash child with env, waits until
// it says "ready", lets it work for wait, kills it with SIGKILL, and returns
// what it printed after "ready".
func crashRound(t *testing.T, round int, env []string, wait time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan []string)
	ready := make(chan struct{})
	go func() {
		var got []string
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				close(ready)
				continue
			}
			got = append(got, sc.Text())
		}
		lines <- got
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("round %d: the child did not start: %v", round, <-lines)
	}
	time.Sleep(wait)
	cmd.Process.Signal(syscall.SIGKILL)
	got := <-lines
	cmd.Wait()
	return got
}
