package vault

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/crypto"
)

// BenchmarkCheckpointDataKey is what data keys add to a checkpoint: a new
// hybrid identity, its data key file written in place (encrypted to V,
// fsync'd), and the retired file overwritten with random bytes (fsync'd).
// The folder is TMPDIR's: run it with TMPDIR on the disk that matters.
func BenchmarkCheckpointDataKey(b *testing.B) {
	dir := b.TempDir()
	os.Mkdir(filepath.Join(dir, keysDir), 0o700)
	v, err := crypto.NewIdentity()
	if err != nil {
		b.Fatal(err)
	}
	var cur *dataKey
	for i := 0; b.Loop(); i++ {
		id, err := crypto.NewIdentity()
		if err != nil {
			b.Fatal(err)
		}
		d := &dataKey{file: otherDataKey(cur), gen: uint64(i), id: id, tag: make([]byte, 32)}
		if err := writeDataKey(dir, v, d); err != nil {
			b.Fatal(err)
		}
		if cur != nil {
			if err := retireDataKey(dir, cur.file); err != nil {
				b.Fatal(err)
			}
		}
		cur = d
	}
}

// BenchmarkSnapshotTag is the other cost: the snapshot's HMAC, once as it is
// written and once more as it is opened, per MiB.
func BenchmarkSnapshotTag(b *testing.B) {
	data := make([]byte, 1<<20)
	rand.Read(data)
	key := make([]byte, 32)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		m := snapshotMAC(key, 1)
		io.Copy(m, bytes.NewReader(data))
		m.Sum(nil)
	}
}

// TestDataKeyFileSize: a data key file is always the same size, so that an
// overwrite in place covers the whole of the key it replaces.
func TestDataKeyFileSize(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, keysDir), 0o700)
	v, _ := crypto.NewIdentity()
	size := int64(-1)
	for gen := range uint64(20) {
		id, _ := crypto.NewIdentity()
		d := &dataKey{file: dataKeyA, gen: gen << 40, id: id, tag: bytes.Repeat([]byte{byte(gen)}, 32)}
		if err := writeDataKey(dir, v, d); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(dataKeyPath(dir, dataKeyA))
		if err != nil {
			t.Fatal(err)
		}
		if size >= 0 && st.Size() != size {
			t.Fatalf("generation %d: %d bytes, want %d", gen, st.Size(), size)
		}
		size = st.Size()
		data, _ := os.ReadFile(dataKeyPath(dir, dataKeyA))
		plain, err := crypto.Open(v, data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseDataKey(dataKeyA, plain)
		if err != nil || got.gen != d.gen || !bytes.Equal(got.tag, d.tag) || got.id.String() != id.String() {
			t.Fatalf("generation %d does not read back: %v", gen, err)
		}
	}
	if err := retireDataKey(dir, dataKeyA); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(dataKeyPath(dir, dataKeyA)); st.Size() != size {
		t.Fatalf("retired: %d bytes, want %d", st.Size(), size)
	}
}
