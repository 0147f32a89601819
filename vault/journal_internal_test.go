package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/journal"
)

// journalOfThree makes a vault with three frames in its journal and returns
// the vault (open), the journal's bytes and where each frame ends.
func journalOfThree(t *testing.T) (*Vault, []byte, []int64) {
	t.Helper()
	c, _ := crypto.NewIdentity()
	v, err := Create(filepath.Join(t.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	var ends []int64
	for i := range 3 {
		in := Input{}
		in.Pseudonym = fmt.Sprintf("P%d", i)
		in.Testimony = "警察 testimony"
		if _, err := v.Add(context.Background(), []Input{in}); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, v.journal.Size)
	}
	data, err := os.ReadFile(journal.Path(v.dir, v.journal.Gen))
	if err != nil {
		t.Fatal(err)
	}
	return v, data, ends
}

// TestReadJournalEveryCut cuts the journal at every byte of its last frame:
// each cut reads as the two whole frames before it, the rest as torn.
func TestReadJournalEveryCut(t *testing.T) {
	v, data, ends := journalOfThree(t)
	for cut := ends[1]; cut <= ends[2]; cut++ {
		os.WriteFile(journal.Path(v.dir, v.journal.Gen), data[:cut], 0o600)
		frames, j, torn, err := journal.ReadAuth[change](v.dir, v.journal.Gen, v.data.id, v.mac)
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		wantFrames, wantTorn := 2, cut-ends[1]
		if cut == ends[2] {
			wantFrames, wantTorn = 3, 0
		}
		if len(frames) != wantFrames || torn != wantTorn || j.Size != ends[wantFrames-1] {
			t.Fatalf("cut at %d: %d frames, torn %d, size %d; want %d, %d, %d",
				cut, len(frames), torn, j.Size, wantFrames, wantTorn, ends[wantFrames-1])
		}
	}
}

// TestReadJournalEveryByte flips each byte of the journal in turn: every one
// is damage, never a torn frame, never a wrong frame.
func TestReadJournalEveryByte(t *testing.T) {
	v, data, _ := journalOfThree(t)
	for pos := range data {
		bad := bytes.Clone(data)
		bad[pos] ^= 0x01
		os.WriteFile(journal.Path(v.dir, v.journal.Gen), bad, 0o600)
		_, _, torn, err := journal.ReadAuth[change](v.dir, v.journal.Gen, v.data.id, v.mac)
		if !errors.Is(err, ErrDamaged) {
			t.Fatalf("byte %d of %d flipped: err=%v torn=%d, want ErrDamaged", pos, len(data), err, torn)
		}
	}
}
