//go:build !windows

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/term"
	"github.com/tvault/tvault/vault"
)

// session is tvault running in a pseudo-terminal of 80x24.
type session struct {
	t    *testing.T
	tty  *os.File
	done chan error
	mu   sync.Mutex
	out  bytes.Buffer
	mark int
}

func startSession(t *testing.T, bin string, args ...string) *session {
	t.Helper()
	return startSessionEnv(t, nil, bin, args...)
}

// startSessionEnv is startSession with more environment variables.
func startSessionEnv(t *testing.T, env []string, bin string, args ...string) *session {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "TERM=xterm-256color", "NO_COLOR=1"), env...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, tty: tty, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		tty.Close()
	})
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return s
}

// waitFor waits until the screen, since the last key typed, shows text.
func (s *session) waitFor(text string) {
	s.t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		ok := bytes.Contains(s.out.Bytes()[s.mark:], []byte(text))
		s.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tail := s.out.Bytes()[s.mark:]
	if len(tail) > 3000 {
		tail = tail[len(tail)-3000:]
	}
	s.t.Fatalf("the screen did not show %q; it showed:\n%q", text, tail)
}

// typ types text a key at a time and pauses, as a person does: a lone ESC
// followed at once by a letter would read as alt+letter, and text sent in
// one write reaches the program as words, which bubbles' text input can
// take for keys ("home", "end").
func (s *session) typ(text string) {
	s.t.Helper()
	s.mu.Lock()
	s.mark = s.out.Len()
	s.mu.Unlock()
	for _, r := range text {
		if _, err := s.tty.Write([]byte(string(r))); err != nil {
			s.t.Fatal(err)
		}
		time.Sleep(3 * time.Millisecond)
	}
	time.Sleep(80 * time.Millisecond)
}

// exited waits for tvault to end, and checks it used the alternate screen.
func (s *session) exited() {
	s.t.Helper()
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Fatalf("tvault exited with %v", err)
		}
	case <-time.After(40 * time.Second):
		s.t.Fatal("tvault did not quit")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !bytes.Contains(s.out.Bytes(), []byte("\x1b[?1049h")) || !bytes.Contains(s.out.Bytes(), []byte("\x1b[?1049l")) {
		s.t.Error("the alternate screen was not used")
	}
}

const (
	esc   = "\x1b"
	enter = "\r"
	ctrlK = "\x0b"
	ctrlS = "\x13"
)

// TestTerminalUI runs tvault with no command in a pseudo-terminal and types
// as a person would: unlock, a new interview with Chinese testimony and a
// sensitive span, save, quit. Then it checks the vault. The tvault run is
// this test binary (testscript.Main put it on $PATH as "tvault"), so the
// scrypt work factor is the test one and no user can reach it.
func TestTerminalUI(t *testing.T) {
	t.Parallel()
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

	s := startSession(t, bin, "--vault", vdir)
	waitFor, typ := s.waitFor, s.typ
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
	// huh moves focus asynchronously: on a loaded machine, keys typed
	// before it has moved land in the wrong place.
	waitFor("┃ Public description")
	typ("the home province")
	typ(enter)
	waitFor("{{Jiangxi|the home province}}")
	typ(ctrlS)
	waitFor("Saved")
	typ(esc)
	waitFor("1 interview")
	typ("q")
	s.exited()

	// Nothing readable on disk: not the testimony, not the span's secret.
	files := 0
	err = filepath.Walk(vdir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, w := range []string{"Jiangxi", "警察", "Lin Qiao"} {
			if bytes.Contains(data, []byte(w)) {
				t.Errorf("%s holds %q in the clear", filepath.Base(path), w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no files in the vault; the check above proves nothing")
	}

	p, _ := term.ReadPassphraseFile(pass)
	v, err := vault.Open(context.Background(), vdir, vault.OpenOptions{}, vault.PassphraseIdentity(p))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	list, err := v.List(context.Background())
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
	cp, _ := term.ReadPassphraseFile(cpass)
	c, err := crypto.OpenCustodianKey(kf, cp)
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.Reveal(context.Background(), list[0].ID, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Spans) != 1 || r.Spans[0].Secret != "Jiangxi" {
		t.Fatalf("spans=%+v", r.Spans)
	}
}

// TestTerminalUIFirstRun: tvault with no vault walks through creating one,
// with a custodian key file beside the vault folder (typed: tvault proposes
// none).
func TestTerminalUIFirstRun(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("tvault")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	vdir := filepath.Join(dir, "vault")
	s := startSession(t, bin, "--vault", vdir)
	s.waitFor("Welcome to tvault")
	s.waitFor("┃ Your name")
	s.typ(enter)
	s.waitFor("┃ Vault passphrase")
	s.typ("four random field words")
	s.waitFor("Strength:")
	s.typ(enter)
	s.waitFor("┃ The vault passphrase again")
	s.typ("four random field words" + enter)
	s.waitFor("┃ Real identities are sealed")
	s.typ(enter) // a new custodian key file
	s.waitFor("Keep the custodian key OFF this laptop")
	s.typ(filepath.Join(dir, "tvault-custodian.age") + enter) // tvault proposes no path
	s.waitFor("┃ Custodian passphrase")
	s.typ("custodian only words" + enter)
	s.waitFor("┃ The custodian passphrase again")
	s.typ("custodian only words" + enter)
	s.waitFor("Move it off this laptop")
	s.typ(enter)
	s.waitFor("0 interviews")
	s.typ("q")
	s.exited()

	kf, err := os.ReadFile(filepath.Join(dir, "tvault-custodian.age"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := crypto.OpenCustodianKey(kf, []byte("custodian only words"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(context.Background(), vdir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte("four random field words")))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if v.Custodian().String() != c.Recipient().String() {
		t.Fatal("the vault seals to another custodian than the key file's")
	}
}

// TestReadmeFirstCommand runs the README's first command as written, in a
// terminal of 80×24 with an empty home folder: it must land the person in
// the terminal UI, unlocked, on the demo vault; run again, on the same one.
// "go run ./cmd/tvault" is this test's tvault (the same main, with the
// test's scrypt work factor); the arguments are the README's, the shell's
// ~ expanded as a shell would.
func TestReadmeFirstCommand(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("tvault")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```sh\n")
	if !ok {
		t.Fatal("the README has no sh block")
	}
	first, _, _ := strings.Cut(block, "\n")
	first, _, _ = strings.Cut(first, "#")
	const run = "go run ./cmd/tvault"
	line := strings.TrimSpace(first)
	if !strings.HasPrefix(line, run) {
		t.Fatalf("the README's first command is %q, not %s …", line, run)
	}
	home := t.TempDir()
	var args []string
	for _, a := range strings.Fields(strings.TrimPrefix(line, run)) {
		if a == "~" || strings.HasPrefix(a, "~/") {
			a = filepath.Join(home, a[1:])
		}
		args = append(args, a)
	}
	for _, again := range []bool{false, true} {
		s := startSessionEnv(t, []string{"HOME=" + home, "TVAULT_DIR="}, bin, args...)
		s.waitFor("/ to search")
		s.waitFor("tvault — 40 interviews")
		s.typ("q")
		s.exited()
		if again {
			s.mu.Lock()
			made := bytes.Contains(s.out.Bytes(), []byte("Made a demo vault"))
			s.mu.Unlock()
			if made {
				t.Error("the second run made another demo")
			}
		}
	}
}
