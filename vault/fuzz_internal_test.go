package vault

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/journal"
)

// Fuzz targets for the parsers inside the store. Plain `go test` runs their
// seeds; docs/THREAT-MODEL.md says how long each has been fuzzed.
//
// The seeds in testdata/journal are the plaintext of each frame of a journal
// of three saves, and the vault identity they are encrypted to (test
// material only); the journal file itself seeds internal/journal's FuzzRead.
// They are made by
// go test ./vault -run TestSeedJournal -update-seeds

// seedGlob returns the files matching glob and fails if there are none: a
// seed corpus that silently went missing fuzzes nothing.
func seedGlob(f *testing.F, glob string) map[string][]byte {
	f.Helper()
	paths, err := filepath.Glob(glob)
	if err != nil {
		f.Fatal(err)
	}
	if len(paths) == 0 {
		f.Fatalf("no seed files match %s", glob)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out[filepath.Base(p)] = data
	}
	return out
}

func seedJournalIdentity(tb testing.TB) *age.HybridIdentity {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "journal", "identity.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	id, err := crypto.ParseIdentity(data)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// FuzzJournalFrame gets past the encryption: the fuzzer writes a frame's
// plaintext, which is encrypted to the vault identity as a save would, read
// back, and replayed into a vault. A frame only the vault identity could have
// written must still never crash the replay.
func FuzzJournalFrame(f *testing.F) {
	for _, data := range seedGlob(f, filepath.Join("testdata", "journal", "frame-*.json")) {
		f.Add(data)
	}
	id := seedJournalIdentity(f)
	c, err := crypto.NewIdentity()
	if err != nil {
		f.Fatal(err)
	}
	v, err := Create(filepath.Join(f.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
	if err != nil {
		f.Fatal(err)
	}
	defer v.Close()
	f.Fuzz(func(t *testing.T, plain []byte) {
		ct, err := crypto.Encrypt(plain, id.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		data := append(journal.Header(len(ct)), ct...)
		frames, _, torn, err := journal.Parse[change](data, journal.New("", 0), id)
		if err != nil {
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("err=%v, want ErrDamaged", err)
			}
			return
		}
		if len(frames) != 1 || torn != 0 {
			t.Fatalf("%d frames, torn %d; want 1, 0", len(frames), torn)
		}
		ctx := context.Background()
		tx, err := v.conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		// Errors are fine (Open reports them); a panic is not.
		_ = apply(ctx, tx, frames[0].Change)
	})
}

// FuzzParseSpans: sensitive-span parsing and rendering on any testimony.
// Spans lie inside the text, in order; rendering a stored text built from
// them never shows a secret.
func FuzzParseSpans(f *testing.F) {
	for _, s := range []string{
		"Officers came to {{Jiangxi|the home province}} twice a week.",
		"{{#1|the city}} and {{#2}} and {{南昌|一个城市}}",
		"{{open", "}}{{|}}", "{{a|{{b}}", "{{#0|x}}", "{{#-1|x}}", "{{#99999999999999999999|x}}",
		"当地公安局的警察每周两次到我父母家里来。 {{南昌|a city}}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		spans, err := parseSpans(text)
		rendered := RenderPublic(text)
		if !strings.Contains(text, "{{") && rendered != text {
			t.Fatal("text without spans changed by rendering")
		}
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err=%v, want ErrInvalid", err)
			}
			return
		}
		last := 0
		var stored strings.Builder
		for i, s := range spans {
			if s.start < last || s.end > len(text) || s.start+4 > s.end ||
				text[s.start:s.start+2] != "{{" || text[s.end-2:s.end] != "}}" {
				t.Fatalf("span %d at [%d,%d) in a text of %d bytes after %d", i, s.start, s.end, len(text), last)
			}
			if s.ref == 0 && strings.TrimSpace(s.secret) == "" {
				t.Fatalf("span %d has no secret and no marker", i)
			}
			stored.WriteString(text[last:s.start])
			fmt.Fprintf(&stored, "{{#%d|%s}}", i+1, s.description)
			last = s.end
		}
		stored.WriteString(text[last:])
		// As Add stores it, and as show prints it: a secret that the text
		// does not also hold outside its span never shows.
		public := RenderPublic(stored.String())
		for _, s := range spans {
			secret := s.secret
			if len(secret) < 4 || strings.ContainsAny(secret, "{}[]|#") || strings.ContainsAny(s.description, "|}") {
				continue
			}
			if strings.Count(public, secret) > strings.Count(text, secret)-1 {
				t.Fatalf("a span secret shows in the rendered text")
			}
		}
		if markedSpans(stored.String()) == nil && len(spans) > 0 {
			t.Fatal("stored text does not parse back")
		}
	})
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seeds in testdata/journal")

// TestSeedJournal checks the seeds of FuzzReadJournal and FuzzJournalFrame:
// the journal reads back whole, with no torn tail, under the identity stored
// beside it, and its frames decrypt to the frame-N.json files. With
// -update-seeds it makes new ones first.
func TestSeedJournal(t *testing.T) {
	if *updateSeeds {
		writeSeedJournal(t)
	}
	id := seedJournalIdentity(t)
	dir := filepath.Join("testdata", "journal")
	// The journal file lives with its parser's fuzz seeds.
	jdir := filepath.Join("..", "internal", "journal", "testdata")
	logs, err := filepath.Glob(filepath.Join(jdir, "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 {
		t.Fatalf("%d journals in %s, want 1", len(logs), jdir)
	}
	gen, ok := journal.ParseName(filepath.Base(logs[0]))
	if !ok {
		t.Fatalf("%s is not named like a journal", logs[0])
	}
	data, err := os.ReadFile(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	frames, _, torn, err := journal.Parse[change](data, journal.New("", gen), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 3 || torn != 0 {
		t.Fatalf("%d frames and a torn tail of %d bytes, want 3 and 0", len(frames), torn)
	}
	n := 0
	for off := 0; off < len(data); {
		n++
		size := journal.HeaderLen + int(binary.BigEndian.Uint64(data[off+4:off+12]))
		plain, err := crypto.OpenOwn(id, data[off+journal.HeaderLen:off+size])
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("frame-%d.json", n)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(plain, want) {
			t.Fatalf("frame %d of the journal is not frame-%d.json", n, n)
		}
		off += size
	}
	if files, err := filepath.Glob(filepath.Join(dir, "frame-*.json")); err != nil || len(files) != n {
		t.Fatalf("%d frame files for %d frames, %v", len(files), n, err)
	}
}

// writeSeedJournal writes testdata/journal: a journal of three saves, the
// plaintext of each frame, and the identity they are encrypted to.
func writeSeedJournal(t *testing.T) {
	// Old seeds would be left beside the new ones.
	if err := os.RemoveAll(filepath.Join("testdata", "journal")); err != nil {
		t.Fatal(err)
	}
	c, _ := crypto.NewIdentity()
	v, err := Create(filepath.Join(t.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var ids []string
	for i, testimony := range []string{
		"Officers came to {{Jiangxi|the home province}} twice a week.",
		"当地公安局的警察每周两次到我父母家里来。 {{南昌|一个城市}}",
		"no spans",
	} {
		in := Input{Identity: &Identity{Name: fmt.Sprintf("Synthetic Name %d", i), Relatives: []RelativeByName{{Relation: "sister", Name: "Synthetic Sister"}}}}
		in.Pseudonym = fmt.Sprintf("P%d", i)
		in.Testimony = testimony
		in.Tags = []string{"exit-ban"}
		in.Relatives = []Relative{{Relation: "sister", Harms: []string{"summoned"}}}
		if i == 2 {
			// An edit of the first interview, keeping its span.
			in.ID = ids[0]
			in.Testimony = "Officers came to {{#1|the home province}} again."
			in.Identity = nil
		}
		got, err := v.Add(context.Background(), []Input{in})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got...)
	}
	data, err := os.ReadFile(journal.Path(v.dir, v.journal.Gen))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "journal")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("identity.txt", crypto.MarshalIdentity(v.identity, v.Now()))
	// The journal file itself seeds FuzzRead in internal/journal.
	jdir := filepath.Join("..", "internal", "journal", "testdata")
	for name, b := range map[string][]byte{
		filepath.Base(journal.Path(v.dir, v.journal.Gen)): data,
		"identity.txt": crypto.MarshalIdentity(v.identity, v.Now()),
	} {
		if err := os.WriteFile(filepath.Join(jdir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for n, off := 1, 0; off < len(data); n++ {
		size := journal.HeaderLen + int(binary.BigEndian.Uint64(data[off+4:off+12]))
		plain, err := crypto.OpenOwn(v.identity, data[off+journal.HeaderLen:off+size])
		if err != nil {
			t.Fatal(err)
		}
		write(fmt.Sprintf("frame-%d.json", n), plain)
		off += size
	}
}
