package vault_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/coerced"
	"github.com/tvault/tvault/internal/skipnote"
	"github.com/tvault/tvault/internal/synth"
	"github.com/tvault/tvault/vault"
)

func TestMain(m *testing.M) {
	crypto.SetScryptWorkFactorForTesting(10)
	if dir := os.Getenv("TVAULT_CRASH_CHILD"); dir != "" {
		crashChild(dir)
		os.Exit(0)
	}
	code := m.Run()
	skipnote.Report("vault")
	for _, dir := range benchVaults {
		os.RemoveAll(filepath.Dir(dir))
	}
	if code == 0 && benchFailed.Load() {
		// See failRun: go test would report a failed benchmark as PASS.
		fmt.Fprintln(os.Stderr, "FAIL: a benchmark failed (see --- FAIL above)")
		code = 1
	}
	os.Exit(code)
}

var passphrase = []byte("correct horse battery staple")

// MustCreate makes a vault in a temporary folder and returns it open, with
// the custodian identity that its sealed items open with.
func MustCreate(tb testing.TB) (*vault.Vault, *age.HybridIdentity) {
	tb.Helper()
	c, err := crypto.NewIdentity()
	if err != nil {
		tb.Fatal(err)
	}
	v, err := vault.Create(filepath.Join(tb.TempDir(), "vault"), vault.CreateOptions{
		Name: "R1", Custodian: c.Recipient(), Passphrase: passphrase,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { v.Close() })
	return v, c
}

// MustReopen closes v and opens its folder again.
func MustReopen(tb testing.TB, v *vault.Vault) *vault.Vault {
	tb.Helper()
	dir := v.Dir()
	if err := v.Close(); err != nil {
		tb.Fatal(err)
	}
	v2, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { v2.Close() })
	return v2
}

func input(pseudonym, testimony string) vault.Input {
	in := vault.Input{}
	in.Pseudonym = pseudonym
	in.Testimony = testimony
	return in
}

func TestAdd(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		v, c := MustCreate(t)
		in := input("Lin Qiao", "Officers came to {{Jiangxi|the home province}} twice a week.")
		in.Tags = []string{"exit-ban", "Asset-Freeze"}
		in.Identity = &vault.Identity{Name: "Zhou Canary", Contact: "+1 555 0100"}
		ids, err := v.Add(context.Background(), []vault.Input{in})
		if err != nil {
			t.Fatal(err)
		}
		v = MustReopen(t, v)
		got, err := v.Get(ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if got, want := got.Testimony, "Officers came to [the home province] twice a week."; got != want {
			t.Fatalf("testimony=%q, want %q", got, want)
		}
		if got, want := strings.Join(got.Tags, ","), "exit-ban,asset-freeze"; got != want {
			t.Fatalf("tags=%q, want %q", got, want)
		}
		if got.Heads != 1 || len(got.Revisions) != 1 || !got.Sealed {
			t.Fatalf("heads=%d revisions=%d sealed=%v", got.Heads, len(got.Revisions), got.Sealed)
		}
		r, err := v.Reveal(context.Background(), ids[0][:6], c)
		if err != nil {
			t.Fatal(err)
		}
		if r.Identity == nil || r.Identity.Name != "Zhou Canary" {
			t.Fatalf("revealed identity %+v", r.Identity)
		}
		if len(r.Spans) != 1 || r.Spans[0].Secret != "Jiangxi" || r.Spans[0].Description != "the home province" {
			t.Fatalf("revealed spans %+v", r.Spans)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		v, _ := MustCreate(t)
		bad := []vault.Input{
			input("", "no pseudonym"),
			input("A", "{{secret without description}}"),
			input("A", "{{unclosed|span"),
			input("A", "{{#3|no such span}}"),
		}
		bad = append(bad, input("B", "ok"))
		bad[4].InterviewedOn = "2018-02-30"
		for i, in := range bad {
			_, err := v.Add(context.Background(), []vault.Input{input("fine", "fine"), in})
			if !errors.Is(err, vault.ErrInvalid) {
				t.Fatalf("input %d: err=%v, want ErrInvalid", i, err)
			}
			// The message may say "{{secret|description}}" as syntax, but
			// never the input's own text.
			if len(in.Testimony) > 2 && strings.Contains(err.Error(), in.Testimony) {
				t.Fatalf("input %d: the error quotes the testimony: %v", i, err)
			}
		}
		// All or nothing: the good input before each bad one is not there.
		if n, err := v.Count(); err != nil || n != 0 {
			t.Fatalf("count=%d, %v after failed adds, want 0", n, err)
		}
	})

	t.Run("Edit", func(t *testing.T) {
		v, c := MustCreate(t)
		in := input("Lin Qiao", "First {{Jiangxi|the province}}.")
		in.Identity = &vault.Identity{Name: "Zhou Canary"}
		ids, err := v.Add(context.Background(), []vault.Input{in})
		if err != nil {
			t.Fatal(err)
		}
		edit := input("Lin Qiao", "Kept {{#1|the province}} and new {{Nanchang|the city}}.")
		edit.ID = ids[0]
		if _, err := v.Add(context.Background(), []vault.Input{edit}); err != nil {
			t.Fatal(err)
		}
		v = MustReopen(t, v)
		got, err := v.Get(ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Revisions) != 2 || got.Heads != 1 {
			t.Fatalf("revisions=%d heads=%d", len(got.Revisions), got.Heads)
		}
		if p := got.Revisions[1].Parents; len(p) != 1 || p[0] != got.Revisions[0].ID {
			t.Fatalf("parents=%v, want [%s]", p, got.Revisions[0].ID)
		}
		r, err := v.Reveal(context.Background(), ids[0], c)
		if err != nil {
			t.Fatal(err)
		}
		if r.Identity == nil || r.Identity.Name != "Zhou Canary" {
			t.Fatal("identity lost by an edit without one")
		}
		if len(r.Spans) != 2 || r.Spans[0].Secret != "Jiangxi" || r.Spans[1].Secret != "Nanchang" {
			t.Fatalf("spans=%+v", r.Spans)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		v, _ := MustCreate(t)
		in := input("A", "x")
		in.ID = "0123456789abcdef"
		if _, err := v.Add(context.Background(), []vault.Input{in}); !errors.Is(err, vault.ErrNotFound) {
			t.Fatalf("err=%v, want ErrNotFound", err)
		}
	})
}

func TestReveal(t *testing.T) {
	v, _ := MustCreate(t)
	in := input("A", "x")
	in.Identity = &vault.Identity{Name: "N"}
	ids, err := v.Add(context.Background(), []vault.Input{in})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := crypto.NewIdentity()
	if _, err := v.Reveal(context.Background(), ids[0], other); !errors.Is(err, vault.ErrWrongCustodianKey) {
		t.Fatalf("err=%v, want ErrWrongCustodianKey", err)
	}
}

func TestOpen(t *testing.T) {
	v, _ := MustCreate(t)
	ids, err := v.Add(context.Background(), synth.Interviews(1, 3, 500))
	if err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	v.Close()

	t.Run("ErrWrongPassphrase", func(t *testing.T) {
		before := snapshotFiles(t, dir)
		_, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte("not the passphrase")))
		if !errors.Is(err, vault.ErrWrongPassphrase) {
			t.Fatalf("err=%v, want ErrWrongPassphrase", err)
		}
		// Only the record of failed attempts changes (see attempts.go).
		after := snapshotFiles(t, dir)
		if _, ok := after[filepath.Join(dir, "attempts")]; !ok {
			t.Fatal("the failed attempt was not recorded")
		}
		delete(after, filepath.Join(dir, "attempts"))
		if !equalFiles(before, after) {
			t.Fatal("a failed unlock changed the vault's files")
		}
	})

	t.Run("ErrInUse", func(t *testing.T) {
		v1, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
		if err != nil {
			t.Fatal(err)
		}
		defer v1.Close()
		if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase)); !errors.Is(err, vault.ErrInUse) {
			t.Fatalf("err=%v, want ErrInUse", err)
		}
	})

	t.Run("ErrNoVault", func(t *testing.T) {
		if _, err := vault.Open(context.Background(), t.TempDir(), vault.OpenOptions{}, vault.PassphraseIdentity(passphrase)); !errors.Is(err, vault.ErrNoVault) {
			t.Fatalf("err=%v, want ErrNoVault", err)
		}
	})

	t.Run("ErrDamaged", func(t *testing.T) {
		// Every byte of a small snapshot flipped in turn would take minutes
		// at this size; flip a spread of positions that covers the header,
		// every payload chunk and the last bytes.
		path := filepath.Join(dir, "vault.age")
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(path, orig, 0o600)
		positions := []int{0, 5, 20, 40, 60, 100, 150, 200, 300, 400, 500, 700, 1000}
		for p := 1024; p < len(orig); p += len(orig) / 50 {
			positions = append(positions, p)
		}
		positions = append(positions, len(orig)-17, len(orig)-1)
		for _, pos := range positions {
			if pos >= len(orig) {
				continue
			}
			bad := bytes.Clone(orig)
			bad[pos] ^= 0x04
			os.WriteFile(path, bad, 0o600)
			v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
			if err == nil {
				v.Close()
				t.Fatalf("byte %d flipped: opened", pos)
			}
			if !errors.Is(err, vault.ErrDamaged) {
				t.Fatalf("byte %d flipped: err=%v, want ErrDamaged", pos, err)
			}
		}
		// Truncated.
		os.WriteFile(path, orig[:len(orig)/2], 0o600)
		if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase)); !errors.Is(err, vault.ErrDamaged) {
			t.Fatalf("truncated: err=%v, want ErrDamaged", err)
		}
	})

	t.Run("OK", func(t *testing.T) {
		v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		list, err := v.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(ids) {
			t.Fatalf("len=%d, want %d", len(list), len(ids))
		}
	})
}

func TestCreate(t *testing.T) {
	t.Run("ErrExists", func(t *testing.T) {
		v, c := MustCreate(t)
		dir := v.Dir()
		v.Close()
		_, err := vault.Create(dir, vault.CreateOptions{Name: "x", Custodian: c.Recipient(), Passphrase: passphrase})
		if !errors.Is(err, vault.ErrExists) {
			t.Fatalf("err=%v, want ErrExists", err)
		}
	})
	t.Run("Permissions", func(t *testing.T) {
		v, _ := MustCreate(t)
		v.Add(context.Background(), []vault.Input{input("A", "x")})
		filepath.Walk(v.Dir(), func(path string, info os.FileInfo, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			want := os.FileMode(0o600)
			if info.IsDir() {
				want = 0o700
			}
			if got := info.Mode().Perm(); got != want {
				t.Errorf("%s: mode %o, want %o", path, got, want)
			}
			return nil
		})
	})
}

func TestSearch(t *testing.T) {
	v, _ := MustCreate(t)
	ins := []vault.Input{
		input("A", "当地公安局的警察每周两次到我父母家里来。"),
		input("B", "Officers from the public security bureau came twice a week."),
		input("C", "我父亲去办护照的时候，办事员说他的名字在一个名单上。他住在{{南昌|一个城市}}。"),
	}
	ins[0].Identity = &vault.Identity{Name: "Hidden Name"}
	if _, err := v.Add(context.Background(), ins); err != nil {
		t.Fatal(err)
	}
	v = MustReopen(t, v)
	for _, tc := range []struct {
		query string
		want  string
	}{
		{"公安局", "A"},      // three characters, trigram index
		{"警察", "A"},       // two characters: substring scan
		{"护照", "C"},       // two characters
		{"办事员", "C"},      // inside a sentence
		{"security", "B"}, // English word
		{"SECURITY bureau", "B"},
		{"一个城市", "C"},  // a span's description is public
		{"南昌", ""},     // a span's secret is not indexed
		{"Hidden", ""}, // identities are not indexed
		{"x", ""},
		{`"quoted" AND`, ""}, // query syntax is text, not syntax
	} {
		got, err := v.Search(context.Background(), tc.query)
		if err != nil {
			t.Fatalf("%q: %v", tc.query, err)
		}
		var names []string
		for _, s := range got {
			names = append(names, s.Pseudonym)
		}
		if got, want := strings.Join(names, ","), tc.want; got != want {
			t.Errorf("search %q = %q, want %q", tc.query, got, want)
		}
	}
}

func TestNoPlaintextOnDisk(t *testing.T) {
	v, _ := MustCreate(t)
	canaries := []string{"CanaryTestimony7", "CanaryName7", "CanaryContact7", "CanaryRelative7", "CanarySpan7", "金丝雀证词", "金丝雀名字", "金丝雀秘密"}
	in := input("P", "CanaryTestimony7 金丝雀证词 {{CanarySpan7|a place}} {{金丝雀秘密|一个地方}}")
	in.Identity = &vault.Identity{Name: "CanaryName7", Aliases: []string{"金丝雀名字"}, Contact: "CanaryContact7",
		Relatives: []vault.RelativeByName{{Relation: "sister", Name: "CanaryRelative7"}}}
	if _, err := v.Add(context.Background(), []vault.Input{in}); err != nil {
		t.Fatal(err)
	}
	v = MustReopen(t, v)
	if _, err := v.Search(context.Background(), "CanaryTestimony7"); err != nil {
		t.Fatal(err)
	}
	files := 0
	err := filepath.Walk(v.Dir(), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, c := range canaries {
			if bytes.Contains(data, []byte(c)) {
				t.Errorf("%s holds %q in the clear", filepath.Base(path), c)
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
}

type fileState map[string]string

func snapshotFiles(t *testing.T, dir string) fileState {
	t.Helper()
	s := fileState{}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s[path] = string(data) + info.ModTime().Format(time.RFC3339Nano)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func equalFiles(a, b fileState) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCoercedInterviewer is the adversary who has the laptop and the vault
// passphrase: they decrypt everything the passphrase opens and find no real
// name, contact, relative's name or span secret.
func TestCoercedInterviewer(t *testing.T) {
	v, _ := MustCreate(t)
	in := input("Pseudo", "CanaryTestimony 金丝雀证词 {{CanarySpan|a place}} {{金丝雀秘密|一个地方}}")
	in.Identity = &vault.Identity{Name: "CanaryName", Aliases: []string{"金丝雀名字"}, Contact: "CanaryContact",
		Relatives: []vault.RelativeByName{{Relation: "sister", Name: "CanaryRelative"}, {Relation: "brother", Name: "金丝雀亲属"}},
		Notes:     "CanaryNotes"}
	if _, err := v.Add(context.Background(), []vault.Input{in}); err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	v.Close()

	var opened [][]byte
	slots, _ := filepath.Glob(filepath.Join(dir, "keys", "passphrase-*.age"))
	for _, s := range slots {
		data, _ := os.ReadFile(s)
		id, err := crypto.OpenSlot(data, passphrase)
		if err != nil {
			t.Fatal(err)
		}
		// Everything the passphrase opens: the snapshot and every journal
		// frame.
		opened = append(opened, decryptStore(t, dir, id)...)
	}
	if len(opened) == 0 {
		t.Fatal("no slot opened")
	}
	// The check can fail: the public testimony is in what was opened.
	if all := bytes.Join(opened, nil); !bytes.Contains(all, []byte("CanaryTestimony")) || !bytes.Contains(all, []byte("金丝雀证词")) {
		t.Fatal("what the passphrase opened does not hold the public testimony; the check below proves nothing")
	}
	for _, image := range opened {
		for _, c := range []string{"CanaryName", "金丝雀名字", "CanaryContact", "CanaryRelative", "金丝雀亲属", "CanaryNotes", "CanarySpan", "金丝雀秘密"} {
			if bytes.Contains(image, []byte(c)) {
				t.Errorf("the vault passphrase opens %q", c)
			}
		}
	}
}

// decryptStore returns the plaintext of the snapshot and of every journal
// frame of the vault in dir, opened with the vault identity id. A frame is a
// 16-byte header, whose bytes 4 to 12 are the big-endian length of the age
// file that follows (docs/FORMAT.md).
func decryptStore(t *testing.T, dir string, v *age.HybridIdentity) [][]byte {
	t.Helper()
	if ds := vault.DataKeysForTesting(dir, v); len(ds) > 1 {
		t.Fatalf("%d data keys open with the vault key, want 1", len(ds))
	}
	out, err := coerced.Open(dir, v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
