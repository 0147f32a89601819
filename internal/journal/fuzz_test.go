package journal

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
)

// The seeds in testdata are a journal of three saves and the vault identity
// its frames are encrypted to (test material only), written by vault's
// TestWriteSeedJournal.

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

func seedIdentity(tb testing.TB) *age.HybridIdentity {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "identity.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	id, err := crypto.ParseIdentity(data)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// FuzzRead feeds arbitrary journal file content to the journal
// reader: it returns whole frames and a torn tail that add up to the file,
// or ErrDamaged, and never panics or reads past the end.
func FuzzRead(f *testing.F) {
	for name, data := range seedGlob(f, filepath.Join("testdata", "*.log")) {
		gen, ok := ParseName(name)
		if !ok {
			f.Fatalf("seed %s is not named like a journal", name)
		}
		f.Add(gen, data)
		// A second frame whose header claims near 2^63 bytes, all the
		// bytes after it, or all but one.
		for _, claim := range []uint64{1<<63 - 1, 64, 63} {
			f.Add(gen, append(append(append([]byte{}, data...), Header(int(claim))...), make([]byte, 64)...))
		}
	}
	id := seedIdentity(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, gen uint64, data []byte) {
		if err := os.MkdirAll(filepath.Join(dir, Dir), fsx.DirMode); err != nil {
			t.Fatal(err)
		}
		path := Path(dir, gen)
		if err := os.WriteFile(path, data, fsx.FileMode); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(path)
		frames, j, torn, err := Read[json.RawMessage](dir, gen, id)
		if err != nil {
			if !errors.Is(err, crypto.ErrDamaged) {
				t.Fatalf("err=%v, want ErrDamaged", err)
			}
			return
		}
		if j.Size+torn != int64(len(data)) {
			t.Fatalf("frames of %d bytes and a torn tail of %d in a file of %d", j.Size, torn, len(data))
		}
		if uint64(len(frames)) != j.Seq {
			t.Fatalf("%d frames, seq %d", len(frames), j.Seq)
		}
		for _, fr := range frames {
			if fr.Change == nil || fr.Gen != gen {
				t.Fatalf("frame %d accepted with gen %d or no change", fr.Seq, fr.Gen)
			}
		}
	})
}

// FuzzReadAuth is FuzzRead of an authenticated journal (TVJ2 frames): the
// seeds are two good frames, and the old-format seeds, which must be damage.
func FuzzReadAuth(f *testing.F) {
	id := seedIdentity(f)
	key := []byte("a fixed key for the fuzz seeds..")
	const gen = 5
	l := New(f.TempDir(), gen)
	l.MAC = key
	var good []byte
	for _, note := range []string{`{"a":1}`, `"two"`} {
		change := json.RawMessage(note)
		buf, err := Encode(l, id.Recipient(), &change)
		if err != nil {
			f.Fatal(err)
		}
		good = append(good, buf...)
		l.Seq++
		sum := sha256.Sum256(buf)
		l.Head = hex.EncodeToString(sum[:])
	}
	f.Add(uint64(gen), good)
	// A frame of no bytes, and one that claims near 2^63, after the good
	// ones: their tags are checked without a buffer of their length.
	for _, claim := range []uint64{0, 1<<63 - 1} {
		var empty []byte
		if claim == 0 {
			empty = []byte{}
		}
		f.Add(uint64(gen), append(append([]byte{}, good...), headerAuthClaim(key, gen, claim, empty)...))
	}
	for _, data := range seedGlob(f, filepath.Join("testdata", "*.log")) {
		f.Add(uint64(gen), data)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, gen uint64, data []byte) {
		if err := os.MkdirAll(filepath.Join(dir, Dir), fsx.DirMode); err != nil {
			t.Fatal(err)
		}
		path := Path(dir, gen)
		if err := os.WriteFile(path, data, fsx.FileMode); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(path)
		frames, j, torn, err := ReadAuth[json.RawMessage](dir, gen, id, key)
		if err != nil {
			if !errors.Is(err, crypto.ErrDamaged) {
				t.Fatalf("err=%v, want ErrDamaged", err)
			}
			return
		}
		if j.Size+torn != int64(len(data)) || uint64(len(frames)) != j.Seq {
			t.Fatalf("frames of %d bytes and a torn tail of %d in a file of %d; %d frames, seq %d", j.Size, torn, len(data), len(frames), j.Seq)
		}
		for off := 0; off < int(j.Size); {
			if string(data[off:off+4]) != magicAuth {
				t.Fatalf("a frame at %d is not TVJ2", off)
			}
			off += AuthHeaderLen + int(binary.BigEndian.Uint64(data[off+4:off+12]))
		}
	})
}

// headerAuthClaim is the header of an authenticated frame that claims
// length bytes, with the tag of ct.
func headerAuthClaim(key []byte, gen, length uint64, ct []byte) []byte {
	h := headerAuth(key, gen, ct)
	binary.BigEndian.PutUint64(h[4:12], length)
	binary.BigEndian.PutUint32(h[44:48], crc32.Checksum(h[:44], castagnoli))
	return h
}
