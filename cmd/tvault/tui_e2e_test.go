//go:build !windows

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// TestTerminalUI runs tvault with no command in a pseudo-terminal and types
// as a person would: unlock, a new interview with Chinese testimony and a
// sensitive span, save, quit. Then it checks the vault. The tvault run is
// this test binary (testscript.Main put it on $PATH as "tvault"), so the
// scrypt work factor is the test one and no user can reach it.
func TestTerminalUI(t *testing.T) {
	bin, err := exec.LookPath("tvault")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	vdir := filepath.Join(dir, "vault")
	pass := filepath.Join(dir, "pass.txt")
	cpass := filepath.Join(dir, "cpass.txt")
	keyFile := filepath.Join(dir, "custodian.age")
	os.WriteFile(pass, []byte("correct horse battery staple\n"), 0o600)
	os.WriteFile(cpass, []byte("custodian passphrase\n"), 0o600)
	init := exec.Command(bin, "--vault", vdir, "init", "--name", "R1", "--custodian-key-out", keyFile,
		"--passphrase-file", pass, "--custodian-passphrase-file", cpass)
	if out, err := init.CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "--vault", vdir)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "NO_COLOR=1")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		tty.Close()
	})
	var mu sync.Mutex
	var out bytes.Buffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	mark := 0
	waitFor := func(s string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			ok := bytes.Contains(out.Bytes()[mark:], []byte(s))
			mu.Unlock()
			if ok {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		tail := out.Bytes()[mark:]
		if len(tail) > 3000 {
			tail = tail[len(tail)-3000:]
		}
		t.Fatalf("the screen did not show %q; it showed:\n%q", s, tail)
	}
	// typ types s a key at a time and pauses, as a person does: a lone ESC
	// followed at once by a letter would read as alt+letter, and text sent
	// in one write reaches the program as words, which bubbles' text input
	// can take for keys ("home", "end").
	typ := func(s string) {
		t.Helper()
		mu.Lock()
		mark = out.Len()
		mu.Unlock()
		for _, r := range s {
			if _, err := tty.Write([]byte(string(r))); err != nil {
				t.Fatal(err)
			}
			time.Sleep(3 * time.Millisecond)
		}
		time.Sleep(80 * time.Millisecond)
	}
	const (
		esc   = "\x1b"
		enter = "\r"
		ctrlK = "\x0b"
		ctrlS = "\x13"
	)

	waitFor("Passphrase:")
	typ("wrong passphrase" + enter)
	waitFor("Wrong passphrase")
	typ("correct horse battery staple" + enter)
	waitFor("0 interviews")
	typ("n")
	waitFor("Pseudonym (required)")
	typ("Lin Qiao")
	waitFor("Lin Qiao")
	typ(esc)
	waitFor("Identity: none")
	typ("e")
	waitFor("Testimony ·")
	typ("警察每周来两次，")
	waitFor("警察每周来两次，")
	typ("then to ")
	typ(ctrlK)
	waitFor("Secret (sealed to the custodian)")
	typ("Jiangxi")
	typ(enter)
	typ("the home province")
	typ(enter)
	waitFor("{{Jiangxi|the home province}}")
	typ(ctrlS)
	waitFor("Saved")
	typ(esc)
	waitFor("1 interview")
	typ("q")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("tvault exited with %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("tvault did not quit on q")
	}
	mu.Lock()
	all := out.Bytes()
	mu.Unlock()
	if !bytes.Contains(all, []byte("\x1b[?1049h")) || !bytes.Contains(all, []byte("\x1b[?1049l")) {
		t.Error("the alternate screen was not used")
	}

	p, _ := crypto.ReadPassphraseFile(pass)
	v, err := vault.Open(vdir, p)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	list, err := v.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Pseudonym != "Lin Qiao" {
		t.Fatalf("list=%+v", list)
	}
	got, err := v.Get(list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "警察每周来两次，then to [the home province]"; got.Testimony != want {
		t.Fatalf("testimony=%q, want %q", got.Testimony, want)
	}
	kf, _ := os.ReadFile(keyFile)
	cp, _ := crypto.ReadPassphraseFile(cpass)
	c, err := crypto.OpenCustodianKey(kf, cp)
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.Reveal(list[0].ID, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Spans) != 1 || r.Spans[0].Secret != "Jiangxi" {
		t.Fatalf("spans=%+v", r.Spans)
	}
}
