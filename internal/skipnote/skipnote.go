// Package skipnote makes a test skipped for a missing tool visible in a
// plain `go test ./...`. go test shows a passing package's output only with
// -v, so a skip says nothing there; a test that skips through [Skip] is
// noted, and [Report] writes one line per note where the person running
// the tests sees it. It is test support: only tests import it.
package skipnote

import (
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
)

var (
	mu    sync.Mutex
	notes []string
)

// Skip notes why t is skipped, then skips it.
func Skip(t testing.TB, format string, args ...any) {
	t.Helper()
	reason := fmt.Sprintf(format, args...)
	Note(t.Name(), reason)
	t.Skip(reason)
}

// Note notes that test is skipped, for a skip that does not go through
// Skip (a testscript condition).
func Note(test, reason string) {
	mu.Lock()
	defer mu.Unlock()
	notes = append(notes, test+": "+reason)
}

// Report writes one line per note, naming the package pkg, to the
// controlling terminal (/dev/tty): go test keeps a passing package's own
// output to itself. With -v, where go test shows every skip and its
// reason, or with no terminal (CI, a pipe), it writes nothing.
func Report(pkg string) {
	if testing.Verbose() {
		return
	}
	mu.Lock()
	lines := append([]string(nil), notes...)
	mu.Unlock()
	if len(lines) == 0 {
		return
	}
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer tty.Close()
	write(tty, pkg, lines)
}

func write(w io.Writer, pkg string, lines []string) {
	for _, l := range lines {
		// One write a line: packages run in parallel, and their lines must
		// not interleave.
		fmt.Fprintf(w, "skip   %s  %s\n", pkg, l)
	}
}
