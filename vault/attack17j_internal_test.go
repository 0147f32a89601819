package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/journal"
)

// journalOfFive is a closed vault whose journal holds five saves, P0 to P4,
// and what a test needs to forge frames of it.
type journalOfFive struct {
	dir    string
	pass   []byte
	gen    uint64
	mac    []byte
	data   []byte   // the journal file
	ends   []int64  // where each frame ends
	heads  []string // the hash of each frame
	frames [][]byte
	id     *age.HybridIdentity // the generation's data key
}

func makeJournalOfFive(t *testing.T) *journalOfFive {
	t.Helper()
	c, _ := crypto.NewIdentity()
	pass := []byte("correct horse battery")
	v, err := Create(filepath.Join(t.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: pass})
	if err != nil {
		t.Fatal(err)
	}
	j := &journalOfFive{dir: v.dir, pass: pass, id: v.data.id}
	for i := range 5 {
		in := Input{}
		in.Pseudonym = fmt.Sprintf("P%d", i)
		in.Testimony = fmt.Sprintf("警察 testimony %d", i)
		if _, err := v.Add(context.Background(), []Input{in}); err != nil {
			t.Fatal(err)
		}
		j.ends = append(j.ends, v.journal.Size)
		j.heads = append(j.heads, v.journal.Head)
	}
	j.gen, j.mac = v.journal.Gen, slices.Clone(v.mac)
	j.data, err = os.ReadFile(journal.Path(v.dir, j.gen))
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(j.data)) != j.ends[4] {
		t.Fatalf("the journal holds %d bytes, want %d: a save was not a frame", len(j.data), j.ends[4])
	}
	var start int64
	for _, end := range j.ends {
		j.frames = append(j.frames, j.data[start:end])
		start = end
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if n := fileLen(t, journal.Path(j.dir, j.gen)); n != int64(len(j.data)) {
		t.Fatalf("close left a journal of %d bytes, want %d", n, len(j.data))
	}
	return j
}

func fileLen(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// frame returns the JSON plaintext of frame i (0-based) of the original
// journal.
func (j *journalOfFive) plain(t *testing.T, i int) []byte {
	t.Helper()
	fr := j.frames[i][journal.AuthHeaderLen:]
	p, err := crypto.OpenOwn(j.id, fr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// forge returns a TVJ2 frame holding plain, encrypted to the journal's data
// key and tagged under mac as a frame of generation tagGen.
func (j *journalOfFive) forge(t *testing.T, plain []byte, mac []byte, tagGen uint64) []byte {
	t.Helper()
	ct, err := crypto.Encrypt(plain, j.id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	h := make([]byte, journal.AuthHeaderLen)
	copy(h, "TVJ2")
	binary.BigEndian.PutUint64(h[4:12], uint64(len(ct)))
	copy(h[12:44], journal.Tag(mac, tagGen, ct))
	binary.BigEndian.PutUint32(h[44:48], crc32.Checksum(h[:44], crc32.MakeTable(crc32.Castagnoli)))
	return append(h, ct...)
}

// frameJSON is the plaintext of a frame of the journal with change ch.
func frameJSON(t *testing.T, gen, seq uint64, prev string, ch any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"gen": gen, "seq": seq, "prev": prev, "change": ch})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// folderDigest hashes every file of dir but the lock.
func folderDigest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "lock" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// listed opens dir read-only and returns its pseudonyms and warnings.
func listed(t *testing.T, dir string, pass []byte) (string, []string) {
	t.Helper()
	v, err := Open(context.Background(), dir, OpenOptions{ReadOnly: true}, PassphraseIdentity(pass))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer v.Close()
	list, err := v.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Pseudonym)
	}
	slices.Sort(names)
	return strings.Join(names, ","), v.Warnings()
}

// TestAttackJournalThirdOfFive: a journal whose third of five frames is
// damaged, forged, reordered, duplicated or from another generation does
// not open, read-write or read-only, and the failed open changes no file
// (frames one and two were applied before the third was read: they must
// not be checkpointed or kept); put back, the journal opens with all five.
// A frame authenticated by the vault key whose change cannot be applied is
// damage too.
func TestAttackJournalThirdOfFive(t *testing.T) {
	j := makeJournalOfFive(t)
	f := j.frames
	path := journal.Path(j.dir, j.gen)
	otherKey := bytes.Repeat([]byte{7}, len(j.mac))
	// The third frame's plaintext, for forgeries that change one thing.
	var third map[string]json.RawMessage
	if err := json.Unmarshal(j.plain(t, 2), &third); err != nil {
		t.Fatal(err)
	}
	change := third["change"]
	flipped := bytes.Clone(f[2])
	flipped[len(flipped)/2] ^= 1
	// A TVJ1 frame to the right recipient, in sequence, but with no tag.
	old := journal.New(j.dir, j.gen)
	old.Seq, old.Head = 2, j.heads[1]
	untagged, err := journal.Encode(old, j.id.Recipient(), &change)
	if err != nil {
		t.Fatal(err)
	}
	badAudit := map[string]any{"audit": []map[string]any{{"body": "[1,2]", "hash": "00"}}}
	badCustodian := map[string]any{"custodian": "age1notarecipient"}
	for name, file := range map[string][]byte{
		"damaged":                cat(f[0], f[1], flipped, f[3], f[4]),
		"tag of another key":     cat(f[0], f[1], j.forge(t, j.plain(t, 2), otherKey, j.gen), f[3], f[4]),
		"no tag (TVJ1)":          cat(f[0], f[1], untagged, f[3], f[4]),
		"reordered":              cat(f[0], f[1], f[3], f[2], f[4]),
		"duplicated":             cat(f[0], f[1], f[1], f[3], f[4]),
		"missing":                cat(f[0], f[1], f[3], f[4]),
		"tagged for next gen":    cat(f[0], f[1], j.forge(t, frameJSON(t, j.gen+1, 3, j.heads[1], change), j.mac, j.gen+1), f[3], f[4]),
		"gen of next, tag right": cat(f[0], f[1], j.forge(t, frameJSON(t, j.gen+1, 3, j.heads[1], change), j.mac, j.gen), f[3], f[4]),
		"last is bad audit":      cat(f[0], f[1], f[2], f[3], j.forge(t, frameJSON(t, j.gen, 5, j.heads[3], badAudit), j.mac, j.gen)),
		"last is bad custodian":  cat(f[0], f[1], f[2], f[3], j.forge(t, frameJSON(t, j.gen, 5, j.heads[3], badCustodian), j.mac, j.gen)),
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path, file, 0o600); err != nil {
				t.Fatal(err)
			}
			before := folderDigest(t, j.dir)
			for _, ro := range []bool{false, true} {
				v, err := Open(context.Background(), j.dir, OpenOptions{ReadOnly: ro}, PassphraseIdentity(j.pass))
				if err == nil {
					v.Close()
					t.Fatalf("read-only %v: opened", ro)
				}
				if !errors.Is(err, ErrDamaged) {
					t.Fatalf("read-only %v: err=%v, want ErrDamaged", ro, err)
				}
				if after := folderDigest(t, j.dir); after != before {
					t.Fatalf("read-only %v: a failed open changed the vault's files", ro)
				}
			}
			if err := os.WriteFile(path, j.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if got, warns := listed(t, j.dir, j.pass); got != "P0,P1,P2,P3,P4" || len(warns) > 0 {
				t.Fatalf("put back: %s, warnings %q", got, warns)
			}
		})
	}

	t.Run("torn last", func(t *testing.T) {
		cut := j.ends[3] + (j.ends[4]-j.ends[3])/2
		if err := os.WriteFile(path, j.data[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		got, warnings := listed(t, j.dir, j.pass)
		if got != "P0,P1,P2,P3" || len(warnings) != 1 {
			t.Fatalf("torn fifth frame: %s, warnings %q; want P0 to P3 and one warning", got, warnings)
		}
	})
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestAttackFrameOverCap: a save is written as a frame only if the journal
// stays within its cap. The decision was taken on the change's approximate
// size, which counts testimony at its length in bytes, while in the frame's
// JSON a tab, a quote or a backslash takes two: a save of 40 KiB of tabs
// was written as an 80 KiB frame under a 64 KiB cap. Its checkpoint
// followed at once; here the checkpoint cannot be written (the next data
// key's file is a folder), as after a crash between the two, and the
// journal held twice the cap. The save must instead be a checkpoint, which
// fails here and saves nothing; every acknowledged save stays.
func TestAttackFrameOverCap(t *testing.T) {
	const limit = 64 << 10
	defer SetJournalLimitsForTesting(8, limit)()
	c, _ := crypto.NewIdentity()
	pass := []byte("correct horse battery")
	v, err := Create(filepath.Join(t.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: pass})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	add := func(name, text string) error {
		in := Input{}
		in.Pseudonym = name
		in.Testimony = text
		_, err := v.Add(context.Background(), []Input{in})
		return err
	}
	if err := add("small", "a short testimony"); err != nil {
		t.Fatal(err)
	}
	block := dataKeyPath(v.dir, otherDataKey(v.data))
	if err := os.Mkdir(block, 0o700); err != nil {
		t.Fatal(err)
	}
	tabs := "tabs:" + strings.Repeat("\t", 40<<10)
	err = add("tabs", tabs)
	if n := fileLen(t, journal.Path(v.dir, v.journal.Gen)); n > limit {
		t.Fatalf("a save of %d bytes of tabs (err=%v) left a journal of %d bytes, past its %d-byte cap", len(tabs), err, n, limit)
	}
	acked := "small"
	if err == nil {
		acked = "small,tabs"
	}
	if err := os.Remove(block); err != nil {
		t.Fatal(err)
	}
	if err := add("after", "after the folder is gone"); err != nil {
		t.Fatal(err)
	}
	acked += ",after"
	dir := v.dir
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	got, warns := listed(t, dir, pass)
	want := strings.Split(acked, ",")
	slices.Sort(want)
	if got != strings.Join(want, ",") || len(warns) > 0 {
		t.Fatalf("after reopening: %s, warnings %q; want %s and none", got, warns, strings.Join(want, ","))
	}
}

// TestAttackReloadAfterFailedCheckpoint: a save past the cap is a
// checkpoint; when it cannot be written, the database is reloaded from the
// snapshot and a replay of the journal. The reloaded vault holds every
// earlier save and not the failed one, goes on saving into the same
// journal, and reopens with exactly what was acknowledged.
func TestAttackReloadAfterFailedCheckpoint(t *testing.T) {
	const limit = 64 << 10
	defer SetJournalLimitsForTesting(8, limit)()
	c, _ := crypto.NewIdentity()
	pass := []byte("correct horse battery")
	v, err := Create(filepath.Join(t.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: pass})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	add := func(name string, size int) error {
		in := Input{}
		in.Pseudonym = name
		in.Testimony = name + " " + strings.Repeat("证词 testimony ", size/18)
		_, err := v.Add(context.Background(), []Input{in})
		return err
	}
	names := func() string {
		list, err := v.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range list {
			out = append(out, s.Pseudonym)
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	for _, n := range []string{"A", "B", "C"} {
		if err := add(n, 1000); err != nil {
			t.Fatal(err)
		}
	}
	gen, seq := v.journal.Gen, v.journal.Seq
	block := dataKeyPath(v.dir, otherDataKey(v.data))
	if err := os.Mkdir(block, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := add("Big", 2*limit); err == nil {
		t.Fatal("a save past the cap succeeded with its checkpoint blocked")
	}
	if v.broken != nil {
		t.Fatalf("the reload failed: %v", v.broken)
	}
	if got := names(); got != "A,B,C" {
		t.Fatalf("after the failed save: %s, want A,B,C", got)
	}
	if v.journal.Gen != gen || v.journal.Seq != seq {
		t.Fatalf("after the reload the journal is at gen %d seq %d, want %d %d", v.journal.Gen, v.journal.Seq, gen, seq)
	}
	if err := add("D", 1000); err != nil {
		t.Fatal(err)
	}
	if v.journal.Seq != seq+1 {
		t.Fatalf("a save after the reload is frame %d, want %d", v.journal.Seq, seq+1)
	}
	if err := os.Remove(block); err != nil {
		t.Fatal(err)
	}
	if err := add("Big2", 2*limit); err != nil {
		t.Fatal(err)
	}
	if err := add("E", 1000); err != nil {
		t.Fatal(err)
	}
	dir := v.dir
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if got, warns := listed(t, dir, pass); got != "A,B,Big2,C,D,E" || len(warns) > 0 {
		t.Fatalf("after reopening: %s, warnings %q; want A,B,Big2,C,D,E and none", got, warns)
	}
}

// TestAttackFailedReloadShowsNothing: when a save's checkpoint fails and
// the reload that follows cannot replay the journal (damaged on disk since
// the open), the vault is broken. It must not go on answering reads from
// the snapshot alone, which lacks the journal's saves: a list showed none
// of the three interviews saved in this session, with no error. A failed
// reload now closes the database, and every read refuses through ready()
// (TestBrokenVaultRefusesEverything calls each).
func TestAttackFailedReloadShowsNothing(t *testing.T) {
	const limit = 64 << 10
	defer SetJournalLimitsForTesting(8, limit)()
	c, _ := crypto.NewIdentity()
	v, err := Create(filepath.Join(t.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery")})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	add := func(name string, size int) error {
		in := Input{}
		in.Pseudonym = name
		in.Testimony = name + " " + strings.Repeat("证词 testimony ", size/18)
		_, err := v.Add(context.Background(), []Input{in})
		return err
	}
	for _, n := range []string{"A", "B", "C"} {
		if err := add(n, 1000); err != nil {
			t.Fatal(err)
		}
	}
	path := journal.Path(v.dir, v.journal.Gen)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 1
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dataKeyPath(v.dir, otherDataKey(v.data)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := add("Big", 2*limit); err == nil {
		t.Fatal("a save past the cap succeeded with its checkpoint blocked")
	}
	if v.broken == nil {
		t.Fatal("the reload of a damaged journal did not break the vault")
	}
	list, err := v.List(context.Background())
	if err == nil {
		t.Fatalf("a broken vault answered a list with %d interviews, not an error", len(list))
	}
}
