//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tvault/tvault/crypto"
	"golang.org/x/sys/unix"
)

// hygieneProbe runs in a child process (TVAULT_HYGIENE_PROBE=1): it runs
// tvault's own entry point, as a user would (`tvault --version`), then
// reports what the kernel says about the process.
func hygieneProbe() {
	os.Args = []string{"tvault", "--version"}
	if Main() != exitOK {
		os.Exit(1)
	}
	buf := []byte("a passphrase, kept out of swap")
	crypto.Lock(buf)
	dumpable, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	if err != nil {
		dumpable = -1
	}
	var rl unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_CORE, &rl)
	status, _ := os.ReadFile("/proc/self/status")
	limits, _ := os.ReadFile("/proc/self/limits")
	fmt.Printf("dumpable=%d\ncore=%d/%d\n%s%s", dumpable, rl.Cur, rl.Max, status, limits)
}

// TestProcessHygiene proves that a tvault process cannot dump core and is
// not dumpable (no ptrace attach by the same user, no /proc/PID/mem), and
// that crypto.Lock locks memory where the limit allows.
func TestProcessHygiene(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TVAULT_HYGIENE_PROBE=1", "TVAULT_DIR=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	report := string(out)
	for _, want := range []string{"dumpable=0\n", "core=0/0\n"} {
		if !strings.Contains(report, want) {
			t.Errorf("probe does not report %q", strings.TrimSpace(want))
		}
	}
	var line string
	for l := range strings.Lines(report) {
		if strings.HasPrefix(l, "Max core file size") {
			line = l
		}
	}
	if f := strings.Fields(line); len(f) < 6 || f[4] != "0" || f[5] != "0" {
		t.Errorf("/proc/self/limits: %q, want a core size of 0 0", strings.TrimSpace(line))
	}
	// mlock is best-effort: it needs RLIMIT_MEMLOCK room (or CAP_IPC_LOCK).
	var ml unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_MEMLOCK, &ml)
	if ml.Cur >= 1<<16 && !strings.Contains(report, "VmLck:\t       0 kB") {
		t.Logf("memory locked: %s", grepLine(report, "VmLck:"))
	} else if ml.Cur >= 1<<16 {
		t.Errorf("crypto.Lock locked nothing although RLIMIT_MEMLOCK is %d: %s", ml.Cur, grepLine(report, "VmLck:"))
	}
}

func grepLine(s, prefix string) string {
	for l := range strings.Lines(s) {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}
