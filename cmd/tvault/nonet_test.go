package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tvault/tvault/internal/skipnote"
)

// No network.
//
// tvault is offline-first and never needs a socket. Two tests prove it:
//
//   - testdata/nonetwork.txt runs a whole command-line session with every
//     command under strace (the nonet command below), which records every
//     network system call: socket, connect, bind, sendto and the rest. Any
//     one fails the test.
//   - TestNoNetworkCode checks what the shipped binary is built from and
//     what it links: no HTTP, TLS or RPC package among its dependencies,
//     the net package pulled in only by the packages known to import it for
//     types and parsing (crypto/x509 for IP addresses in certificates,
//     golang.org/x/crypto/ssh through age's SSH recipients, google/uuid
//     through SQLite's libc, x/sys/windows), and no socket, dial or listen
//     function left in the linked binary.

// needTool returns the path of an external tool; without it the test is
// skipped, except in CI ($CI set), where .ci/run installs it and a skip
// would hide a promise nobody checks any more.
func needTool(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; .ci/run installs it", name)
		}
		skipnote.Skip(t, "%s is not installed (%s)", name, install)
	}
	return path
}

// condStrace is the script condition [strace]: strace can trace here.
// Outside Linux, or without a working strace outside CI, it is false and the
// script skips; in CI ($CI set) a missing or powerless strace is an error,
// as with needTool.
func condStrace() (bool, error) {
	if runtime.GOOS != "linux" {
		return false, nil
	}
	if _, err := exec.LookPath("strace"); err != nil {
		if os.Getenv("CI") != "" {
			return false, errors.New("strace is not installed; .ci/run installs it")
		}
		return false, nil
	}
	// A container without ptrace rights has strace but cannot use it.
	if out, err := exec.Command("strace", "-qq", "-o", os.DevNull, "true").CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			return false, fmt.Errorf("strace cannot trace here (%v: %s); the no-network test needs ptrace", err, bytes.TrimSpace(out))
		}
		return false, nil
	}
	return true, nil
}

// nonet PROGRAM ARGS...: run PROGRAM under strace and fail if it, or any
// process it starts, makes a network system call. Its output is the
// script's stdout and stderr, as with exec. With !, expect one.
func cmdNoNet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: nonet PROGRAM [ARGS...]")
	}
	log := ts.MkAbs(".strace.log")
	os.Remove(log)
	// -f follows every child; %network is every socket-related system call;
	// -qq and signal=none keep the log to calls only.
	straceArgs := append([]string{"-f", "-qq", "-e", "trace=%network", "-e", "signal=none", "-o", log}, args...)
	err := ts.Exec("strace", straceArgs...)
	data, rerr := os.ReadFile(log)
	if rerr != nil {
		ts.Fatalf("strace wrote no log (is ptrace allowed here?): %v", rerr)
	}
	var calls []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		// "PID ???( <detached ...>": a thread that exited while strace was
		// attaching to it; strace could not even tell which call it was in.
		// Every network call is named in the log, so this is not one.
		if line == "" || (strings.Contains(line, "???(") && strings.Contains(line, "<detached ...>")) {
			continue
		}
		calls = append(calls, line)
	}
	if neg {
		if len(calls) == 0 {
			ts.Fatalf("expected a network system call, found none")
		}
		return
	}
	if err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	if len(calls) > 0 {
		ts.Fatalf("network system calls:\n%s", strings.Join(calls, "\n"))
	}
}

// runOpenSocket is a program that opens a socket: the control that shows
// nonet would see one.
func runOpenSocket() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err == nil {
		l.Close()
	}
}

// Network packages tvault must never depend on.
var forbiddenPackages = []string{
	"net/http", "net/rpc", "net/smtp", "crypto/tls", "golang.org/x/net",
	"google.golang.org/grpc",
}

// The packages allowed to import net, and why: none of them opens a socket
// in tvault (the symbol check below proves it for the linked binary).
var netImporters = map[string]string{
	"crypto/x509":              "IP addresses in certificate SANs (types only)",
	"golang.org/x/crypto/ssh":  "age's ssh-ed25519 and ssh-rsa recipients; its dial helpers are not linked",
	"github.com/google/uuid":   "through modernc.org/libc, for a node ID from interfaces; not linked",
	"golang.org/x/sys/windows": "socket types in the Windows API bindings",
}

// Linked functions that would mean the binary can talk to a network.
var forbiddenSymbols = []string{
	"net.Dial", "net.(*Dialer)", "net.Listen", "net.(*ListenConfig)", "net.socket",
	"net.sysSocket", "net.(*netFD)", "net.internetSocket", "net.(*Resolver)",
	"syscall.Socket", "syscall.Connect", "syscall.Bind", "syscall.Listen",
	"syscall.Sendto", "syscall.socket", "syscall.connect",
	"net/http.", "crypto/tls.",
}

func TestNoNetworkCode(t *testing.T) {
	goTool := needTool(t, "go", "the Go toolchain")
	for _, target := range []string{"linux/amd64", "darwin/arm64", "windows/amd64"} {
		goos, goarch, _ := strings.Cut(target, "/")
		cmd := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}}:{{join .Imports \",\"}}", ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: go list: %v", target, err)
		}
		for line := range strings.Lines(string(out)) {
			pkg, imports, _ := strings.Cut(strings.TrimSpace(line), ":")
			for _, bad := range forbiddenPackages {
				if pkg == bad || strings.HasPrefix(pkg, bad+"/") {
					t.Errorf("%s: tvault depends on %s", target, pkg)
				}
			}
			for imp := range strings.SplitSeq(imports, ",") {
				if imp == "net" && netImporters[pkg] == "" && !strings.HasPrefix(pkg, "net") {
					t.Errorf("%s: %s imports net; if that is harmless, add it to netImporters with the reason", target, pkg)
				}
			}
		}
	}

	// The linked binary, as .ci/run builds it for release.
	bin := filepath.Join(t.TempDir(), "tvault")
	build := exec.Command(goTool, "build", "-buildvcs=false", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(goTool, "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	n := 0
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 3 || (f[1] != "T" && f[1] != "t") {
			continue
		}
		n++
		for _, bad := range forbiddenSymbols {
			if strings.HasPrefix(f[2], bad) {
				t.Errorf("the binary links %s", f[2])
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d functions in the symbol table: is the binary stripped?", n)
	}
}
