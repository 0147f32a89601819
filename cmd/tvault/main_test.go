package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tvault/tvault/crypto"
)

func TestMain(m *testing.M) {
	// The same binary runs the scripts' tvault commands, so this applies to
	// them too: scrypt at 2^10 keeps the suite fast. Users cannot reach it.
	crypto.SetScryptWorkFactorForTesting(10)
	testscript.Main(m, map[string]func(){
		"tvault": func() { os.Exit(Main()) },
	})
}

func TestScripts(t *testing.T) {
	testdata, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			env.Setenv("TESTDATA", testdata)
			// No vault unless a script names one.
			env.Setenv("TVAULT_DIR", "")
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, ".data"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"nocanary": cmdNoCanary,
			"flipbyte": cmdFlipByte,
			"perms":    cmdPerms,
			"holdlock": cmdHoldLock,
		},
	})
}

// nocanary DIR WORD...: no file under DIR holds any WORD as raw bytes.
func cmdNoCanary(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: nocanary DIR WORD...")
	}
	dir := ts.MkAbs(args[0])
	found := []string{}
	files := 0
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() {
			return nil
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, w := range args[1:] {
			if bytes.Contains(data, []byte(w)) {
				found = append(found, fmt.Sprintf("%s holds %q", path, w))
			}
		}
		return nil
	})
	if err != nil {
		ts.Fatalf("%v", err)
	}
	if neg {
		if len(found) == 0 {
			ts.Fatalf("no canary found in %d files (expected one)", files)
		}
		return
	}
	if len(found) > 0 {
		ts.Fatalf("plaintext on disk:\n%s", strings.Join(found, "\n"))
	}
	ts.Logf("%d files, no canary", files)
}

// flipbyte FILE OFFSET: flip one bit of the byte at OFFSET (negative: from
// the end).
func cmdFlipByte(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: flipbyte FILE OFFSET")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	off, err := strconv.Atoi(args[1])
	ts.Check(err)
	if off < 0 {
		off += len(data)
	}
	if off < 0 || off >= len(data) {
		ts.Fatalf("offset %d outside a file of %d bytes", off, len(data))
	}
	data[off] ^= 0x01
	ts.Check(os.WriteFile(path, data, 0o600))
}

// perms DIR: every file under DIR is 0600 and every folder 0700.
func cmdPerms(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: perms DIR")
	}
	err := filepath.Walk(ts.MkAbs(args[0]), func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if info.IsDir() {
			want = 0o700
		}
		if got := info.Mode().Perm(); got != want {
			ts.Fatalf("%s: mode %o, want %o", path, got, want)
		}
		return nil
	})
	ts.Check(err)
}
