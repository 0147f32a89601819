package journal_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"runtime"
	"testing"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/journal"
)

type change struct {
	Note string `json:"note"`
}

// TestRoundTrip appends three frames, reads them back, then cuts the last
// one short (torn: dropped) and flips a byte in the first (damaged).
func TestRoundTrip(t *testing.T) {
	id, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	l := journal.New(dir, 7)
	var ends []int64
	for _, note := range []string{"one", "二", "three"} {
		buf, err := journal.Encode(l, id.Recipient(), &change{Note: note})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Append(buf); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, l.Size)
	}
	l.Close()
	frames, r, torn, err := journal.Read[change](dir, 7, id)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(frames), 3; got != want {
		t.Fatalf("frames=%d, want %d", got, want)
	}
	if got, want := frames[1].Change.Note, "二"; got != want {
		t.Fatalf("note=%q, want %q", got, want)
	}
	if r.Seq != 3 || r.Size != ends[2] || r.Head != l.Head || torn != 0 {
		t.Fatalf("read seq %d size %d torn %d, want 3 %d 0", r.Seq, r.Size, torn, ends[2])
	}

	data, err := os.ReadFile(journal.Path(dir, 7))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(journal.Path(dir, 7), data[:ends[2]-1], 0o600); err != nil {
		t.Fatal(err)
	}
	frames, r, torn, err = journal.Read[change](dir, 7, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2 || r.Size != ends[1] || torn != ends[2]-1-ends[1] {
		t.Fatalf("torn read: %d frames, size %d, torn %d", len(frames), r.Size, torn)
	}

	bad := append([]byte{}, data...)
	bad[journal.HeaderLen+40] ^= 1
	if _, _, _, err := journal.Parse[change](bad, journal.New(dir, 7), id); !errors.Is(err, crypto.ErrDamaged) {
		t.Fatalf("flipped byte: err=%v, want ErrDamaged", err)
	}
	if _, _, _, err := journal.Parse[change](data, journal.New(dir, 8), id); !errors.Is(err, crypto.ErrDamaged) {
		t.Fatalf("wrong generation: err=%v, want ErrDamaged", err)
	}
}

// TestAuth: a journal with a MAC key writes TVJ2 frames and accepts nothing
// else; a frame tagged with another key, or not tagged, is damage.
func TestAuth(t *testing.T) {
	id, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{7}, 32)
	other := bytes.Repeat([]byte{8}, 32)
	dir := t.TempDir()
	frame := func(mac []byte) []byte {
		l := journal.New(dir, 3)
		l.MAC = mac
		buf, err := journal.Encode(l, id.Recipient(), &change{Note: "n"})
		if err != nil {
			t.Fatal(err)
		}
		return buf
	}
	parse := func(data, mac []byte) error {
		l := journal.New(dir, 3)
		l.MAC = mac
		_, _, _, err := journal.Parse[change](data, l, id)
		return err
	}
	good := frame(key)
	if string(good[:4]) != "TVJ2" || len(good) < journal.AuthHeaderLen {
		t.Fatalf("frame starts %q", good[:4])
	}
	if err := parse(good, key); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ data, mac []byte }{
		"tagged with another key": {frame(other), key},
		"untagged (TVJ1)":         {frame(nil), key},
		"TVJ2 read as old format": {good, nil},
		"tag of another gen": {func() []byte {
			l := journal.New(dir, 4)
			l.MAC = key
			b, _ := journal.Encode(l, id.Recipient(), &change{})
			return b
		}(), key},
	} {
		if err := parse(c.data, c.mac); !errors.Is(err, crypto.ErrDamaged) {
			t.Errorf("%s: err=%v, want ErrDamaged", name, err)
		}
	}
	// Every torn cut of a tagged frame is torn, not damage.
	for cut := 1; cut < len(good); cut++ {
		l := journal.New(dir, 3)
		l.MAC = key
		frames, _, torn, err := journal.Parse[change](good[:cut], l, id)
		if err != nil || len(frames) != 0 || torn != int64(cut) {
			t.Fatalf("cut at %d: %d frames, torn %d, %v", cut, len(frames), torn, err)
		}
	}
}

// TestEachStreams: Each hands over each frame as soon as it is read and
// checked, before it reads the next, stops at damage in a later frame with
// the frames before it already given, and stops at fn's first error.
func TestEachStreams(t *testing.T) {
	id, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	l := journal.New(dir, 3)
	var ends []int64
	for _, note := range []string{"one", "two", "three"} {
		buf, err := journal.Encode(l, id.Recipient(), &change{Note: note})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Append(buf); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, l.Size)
	}
	l.Close()
	path := journal.Path(dir, 3)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte{}, data...)
	bad[ends[1]+journal.HeaderLen+40] ^= 1 // inside the third frame's age file
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	var seen []string
	_, _, err = journal.Each(dir, 3, id, nil, func(fr *journal.Frame[change]) error {
		seen = append(seen, fr.Change.Note)
		return nil
	})
	if !errors.Is(err, crypto.ErrDamaged) {
		t.Fatalf("damaged third frame: err=%v, want ErrDamaged", err)
	}
	if len(seen) != 2 || seen[0] != "one" || seen[1] != "two" {
		t.Fatalf("frames given before the damage: %q, want [one two]", seen)
	}

	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	seen = nil
	_, _, err = journal.Each(dir, 3, id, nil, func(fr *journal.Frame[change]) error {
		seen = append(seen, fr.Change.Note)
		return stop
	})
	if !errors.Is(err, stop) || len(seen) != 1 {
		t.Fatalf("fn's error: err=%v after %q, want stop after one frame", err, seen)
	}
}

// TestClaimedLengthNotAllocated: a frame header may claim as many bytes as
// the file holds, and a sparse file holds any number at no cost on disk.
// Reading such a frame, of either format, is damage found without a buffer
// of the claimed length (TestAttackJournalSparseLength in vault is the same
// through Open).
func TestClaimedLengthNotAllocated(t *testing.T) {
	id, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	const claim = 256 << 20
	for _, mac := range [][]byte{nil, []byte("a key for the test's journal....")} {
		dir := t.TempDir()
		l := journal.New(dir, 1)
		l.MAC = mac
		buf, err := journal.Encode(l, id.Recipient(), &change{Note: "one"})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Append(buf); err != nil {
			t.Fatal(err)
		}
		l.Close()
		// A second frame whose header claims claim bytes, all of them
		// there but never written: TVJ1's header is valid as it stands,
		// TVJ2's has a tag of zeros.
		h := journal.Header(claim)
		if mac != nil {
			h = make([]byte, journal.AuthHeaderLen)
			copy(h, "TVJ2")
			binary.BigEndian.PutUint64(h[4:12], claim)
			binary.BigEndian.PutUint32(h[44:48], crc32.Checksum(h[:44], crc32.MakeTable(crc32.Castagnoli)))
		}
		path := journal.Path(dir, 1)
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt(h, l.Size); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(l.Size + int64(len(h)) + claim); err != nil {
			t.Fatal(err)
		}
		f.Close()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err = journal.Each(dir, 1, id, mac, func(*journal.Frame[change]) error { return nil })
		runtime.ReadMemStats(&after)
		if !errors.Is(err, crypto.ErrDamaged) {
			t.Fatalf("MAC %v: err=%v, want ErrDamaged", mac != nil, err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > claim/8 {
			t.Fatalf("MAC %v: reading a frame that claims %d bytes allocated %d", mac != nil, claim, got)
		}
	}
}
