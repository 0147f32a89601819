package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"
	"filippo.io/age/plugin"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/media/mediatest"
	"github.com/tvault/tvault/internal/skipnote"
	"github.com/tvault/tvault/internal/term"
	"github.com/tvault/tvault/vault"
)

func TestMain(m *testing.M) {
	// The same binary runs the scripts' tvault commands, so this applies to
	// them too: scrypt at 2^10 keeps the suite fast. Users cannot reach it.
	crypto.SetScryptWorkFactorForTesting(10)
	if os.Getenv("TVAULT_HYGIENE_PROBE") == "1" {
		hygieneProbe()
		os.Exit(0)
	}
	testscript.Main(reporting{m}, map[string]func(){
		"tvault":                func() { os.Exit(Main()) },
		"age-plugin-tvaulttest": runTestPlugin,
		"opensocket":            runOpenSocket,
	})
}

// reporting runs the tests, then says which skipped for a missing tool
// (skipnote): testscript.Main exits once they have run.
type reporting struct{ m *testing.M }

func (r reporting) Run() int {
	code := r.m.Run()
	skipnote.Report("cmd/tvault")
	return code
}

// straceNote notes the scripts' strace skip once.
var straceNote sync.Once

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
		Condition: func(cond string) (bool, error) {
			if cond == "strace" {
				ok, err := condStrace()
				if !ok && err == nil {
					straceNote.Do(func() {
						skipnote.Note("TestScripts/nonetwork", "strace is not installed (apt-get install strace), cannot trace here, or not Linux")
					})
				}
				return ok, err
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"nocanary":  cmdNoCanary,
			"flipbyte":  cmdFlipByte,
			"perms":     cmdPerms,
			"holdlock":  cmdHoldLock,
			"agekeygen": cmdAgeKeygen,
			"nonet":     cmdNoNet,
			"nowrite":   cmdNoWrite,
			"plant":     cmdPlantTombstone,
			"downgrade": cmdDowngrade,
			"mkmedia":   cmdMkMedia,
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
	if strings.Contains(path, "*") {
		// A pattern that names exactly one file: a blob's random name.
		matches, err := filepath.Glob(path)
		ts.Check(err)
		if len(matches) != 1 {
			ts.Fatalf("%s matches %d files, want 1", args[0], len(matches))
		}
		path = matches[0]
	}
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

// agekeygen KIND FILE: write a new identity of KIND to FILE and its
// recipient to FILE.pub. KIND is x25519, pq, plugin (age-plugin-tvaulttest,
// which this test binary provides) or yubikey (a well-formed
// age1yubikey1… recipient whose plugin is not installed; no identity).
func cmdAgeKeygen(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: agekeygen x25519|pq|plugin|yubikey FILE")
	}
	path := ts.MkAbs(args[1])
	var id, rcpt string
	switch args[0] {
	case "x25519":
		x, err := age.GenerateX25519Identity()
		ts.Check(err)
		id, rcpt = x.String(), x.Recipient().String()
	case "pq":
		x, err := age.GenerateHybridIdentity()
		ts.Check(err)
		id, rcpt = x.String(), x.Recipient().String()
	case "plugin":
		x, err := age.GenerateX25519Identity()
		ts.Check(err)
		id = plugin.EncodeIdentity("tvaulttest", []byte(x.String()))
		rcpt = plugin.EncodeRecipient("tvaulttest", []byte(x.Recipient().String()))
	case "yubikey":
		rcpt = plugin.EncodeRecipient("yubikey", bytes.Repeat([]byte{2}, 33))
	default:
		ts.Fatalf("unknown kind %q", args[0])
	}
	if id != "" {
		ts.Check(os.WriteFile(path, []byte("# test key\n"+id+"\n"), 0o600))
	}
	ts.Check(os.WriteFile(path+".pub", []byte(rcpt+"\n"), 0o600))
}

// runTestPlugin is age-plugin-tvaulttest: an age plugin whose recipients and
// identities wrap plain X25519 keys, standing in for a hardware-key plugin
// such as age-plugin-yubikey.
func runTestPlugin() {
	p, err := plugin.New("tvaulttest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	p.HandleRecipient(func(data []byte) (age.Recipient, error) {
		return age.ParseX25519Recipient(string(data))
	})
	p.HandleIdentity(func(data []byte) (age.Identity, error) {
		return age.ParseX25519Identity(string(data))
	})
	os.Exit(p.Main())
}

// plant DIR PASSFILE IDS N keep|drop: as someone who held the passphrase
// once, write a tombstone of the interview on line N of the file IDS,
// signed with the member key, without a
// purge: keep leaves its revisions in place (an edit of the decrypted
// snapshot), drop saves the tombstone as a change without its audit event.
func cmdPlantTombstone(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 5 || (args[4] != "keep" && args[4] != "drop") {
		ts.Fatalf("usage: plant DIR PASSFILE IDS N keep|drop")
	}
	n, err := strconv.Atoi(args[3])
	ts.Check(err)
	lines := strings.Fields(ts.ReadFile(args[2]))
	if n < 1 || n > len(lines) {
		ts.Fatalf("%s has no line %d", args[2], n)
	}
	pass, err := term.ReadPassphraseFile(ts.MkAbs(args[1]))
	ts.Check(err)
	ctx := context.Background()
	v, err := vault.Open(ctx, ts.MkAbs(args[0]), vault.OpenOptions{}, vault.PassphraseIdentity(pass))
	ts.Check(err)
	defer v.Close()
	ts.Check(v.PlantTombstoneForTesting(ctx, lines[n-1], args[4] == "keep"))
}

// mkmedia jpeg|png|pdf|pdf-updated|wav-streamed FILE: write a photo that
// carries a camera, a serial number (SN-0042-CANARY), a GPS position and,
// in the PNG, an author (Zhou CANARY); a PDF whose Info and XMP name an
// author (Zhou CANARY), as written or changed by an incremental update; a
// WAV of unknown length with tags (Zhou CANARY) after its audio.
func cmdMkMedia(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkmedia jpeg|png|pdf|pdf-updated|wav-streamed FILE")
	}
	var data []byte
	switch args[0] {
	case "jpeg":
		data = mediatest.JPEGWithEXIF()
	case "png":
		data = mediatest.PNGWithText()
	case "pdf":
		data = mediatest.PDFWithInfo()
	case "pdf-updated":
		data = mediatest.PDFIncremental()
	case "wav-streamed":
		data = mediatest.StreamedWAV()
	default:
		ts.Fatalf("unknown kind %q", args[0])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o600))
}
