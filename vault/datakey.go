package vault

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
)

// Data keys and store authentication.
//
// Each store generation (a snapshot and the journal that follows it) is
// encrypted to its own data key D, a fresh hybrid age identity. D lives in a
// data key file, keys/data-A.age or keys/data-B.age, age-encrypted to the
// vault identity V; the two files take turns. A data key file always has the
// same size and is overwritten in place (opened for writing, written from
// offset 0, fsync'd), never unlinked and recreated, so that retiring a
// generation overwrites the very blocks that held its key: the old
// snapshot's and journal's blocks, wherever the disk kept them, no longer
// open with any key (crypto-erasure, as LUKS destroys a key slot).
//
// The store is authenticated with a key only holders of V's secret have:
// storeMAC = HKDF-SHA-256(V's secret key string, no salt, "tvault store
// authentication v1"). The snapshot's tag, HMAC-SHA-256(storeMAC, "tvault
// snapshot v1\n" || generation || vault.age), is recorded in the data key
// file; each journal frame carries its own (internal/journal). Both are
// checked before anything is decrypted. Someone who knows only a recipient
// (V's or D's) can encrypt a file that age opens, but not authenticate it.
//
// A vault written before data keys has neither file: it opens as before
// (snapshot and journal encrypted to V, no tags), and its next checkpoint
// writes the new format.

// Data key file names, without ".age".
const (
	dataKeyA      = "data-A"
	dataKeyB      = "data-B"
	dataKeyPrefix = "data-"

	dataKeyHeader   = "# tvault data key v1\n"
	snapshotDomain  = "tvault snapshot v1\n"
	storeAuthDomain = "tvault store authentication v1"
)

// dataKey is the data key of the open generation.
type dataKey struct {
	file string // dataKeyA or dataKeyB
	gen  uint64
	id   *age.HybridIdentity
	tag  []byte // of vault.age
}

// other returns the data key file the next generation goes to.
func otherDataKey(d *dataKey) string {
	if d != nil && d.file == dataKeyA {
		return dataKeyB
	}
	return dataKeyA
}

func dataKeyPath(dir, name string) string {
	return filepath.Join(dir, keysDir, name+".age")
}

// isDataKeyName reports whether a file name in keys/ is a data key file
// rather than a key slot.
func isDataKeyName(base string) bool {
	return base == dataKeyA+".age" || base == dataKeyB+".age"
}

// storeMAC derives the store authentication key from V's secret key.
func storeMAC(v *age.HybridIdentity) ([]byte, error) {
	// age gives the secret key only as a string: this copy cannot be wiped.
	return hkdf.Key(sha256.New, []byte(v.String()), nil, storeAuthDomain, sha256.Size)
}

// snapshotMAC returns a hash that, fed vault.age, gives its tag as the
// snapshot of generation gen.
func snapshotMAC(key []byte, gen uint64) interface {
	io.Writer
	Sum([]byte) []byte
} {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(snapshotDomain))
	var g [8]byte
	binary.BigEndian.PutUint64(g[:], gen)
	m.Write(g[:])
	return m
}

// marshalDataKey returns a data key file's plaintext: an age identity file
// (so `age -d -i` takes it) whose comments name the generation and the
// snapshot's tag. Its length is always the same.
func marshalDataKey(d *dataKey) []byte {
	var b bytes.Buffer
	b.WriteString(dataKeyHeader)
	fmt.Fprintf(&b, "# generation: %016x\n", d.gen)
	fmt.Fprintf(&b, "# snapshot: %s\n", hex.EncodeToString(d.tag))
	fmt.Fprintf(&b, "# public key: %s\n", d.id.Recipient())
	// age formats the key as a string: that copy cannot be wiped.
	fmt.Fprintf(&b, "%s\n", d.id)
	crypto.Lock(b.Bytes())
	return b.Bytes()
}

// parseDataKey parses a data key file's plaintext.
func parseDataKey(name string, plain []byte) (*dataKey, error) {
	d := &dataKey{file: name}
	lines := strings.Split(string(plain), "\n")
	if len(lines) != 6 || lines[0]+"\n" != dataKeyHeader || lines[5] != "" {
		return nil, fmt.Errorf("%w: data key %q does not parse", ErrDamaged, name)
	}
	genHex, ok1 := strings.CutPrefix(lines[1], "# generation: ")
	tagHex, ok2 := strings.CutPrefix(lines[2], "# snapshot: ")
	gen, err1 := strconv.ParseUint(genHex, 16, 64)
	tag, err2 := hex.DecodeString(tagHex)
	if !ok1 || !ok2 || err1 != nil || err2 != nil || len(genHex) != 16 || len(tag) != sha256.Size {
		return nil, fmt.Errorf("%w: data key %q does not parse", ErrDamaged, name)
	}
	id, err := crypto.ParseIdentity([]byte(lines[4]))
	if err != nil {
		return nil, fmt.Errorf("data key %q: %w", name, err)
	}
	d.gen, d.tag, d.id = gen, tag, id
	return d, nil
}

// hasDataKeys reports whether the vault in dir has a data key file, that
// is, whether it is of the authenticated format.
func hasDataKeys(dir string) bool {
	for _, name := range []string{dataKeyA, dataKeyB} {
		if _, err := os.Lstat(dataKeyPath(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// errStaleKey means a vault identity opens no data key file: the slot that
// gave it is left over from before a rekey.
var errStaleKey = errors.New("this key opens no data key of the vault")

// findDataKey returns the data key, among the data key files V opens, whose
// snapshot tag matches vault.age under mac. It returns errStaleKey if V
// opens neither file, and an error wrapping ErrDamaged if V opens one but
// vault.age matches none.
func findDataKey(dir string, v *age.HybridIdentity, mac []byte) (*dataKey, error) {
	var found []*dataKey
	for _, name := range []string{dataKeyA, dataKeyB} {
		data, err := fsx.ReadRegular(dataKeyPath(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if errors.Is(err, fsx.ErrNotRegular) {
			return nil, fmt.Errorf("%w: %w", ErrDamaged, err)
		}
		if err != nil {
			return nil, err
		}
		plain, err := crypto.Open(v, data)
		if err != nil {
			// Retired (random bytes), or of another vault identity.
			continue
		}
		d, err := parseDataKey(name, plain)
		crypto.Wipe(plain)
		if err != nil {
			return nil, err
		}
		found = append(found, d)
	}
	if len(found) == 0 {
		return nil, errStaleKey
	}
	f, err := fsx.OpenRegular(filepath.Join(dir, snapshotName))
	if errors.Is(err, fsx.ErrNotRegular) {
		return nil, fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read the vault: %w", err)
	}
	defer f.Close()
	for _, d := range found {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		m := snapshotMAC(mac, d.gen)
		if _, err := io.Copy(m, f); err != nil {
			return nil, fmt.Errorf("failed to read the vault: %w", err)
		}
		if hmac.Equal(m.Sum(nil), d.tag) {
			return d, nil
		}
	}
	return nil, fmt.Errorf("%w: %s is not authenticated by the vault key (replaced, or written by someone who does not hold it)", ErrDamaged, snapshotName)
}

// writeDataKey writes the data key file d.file, encrypted to v, in place:
// an existing file's blocks are overwritten, not replaced. It fsyncs the
// file (and, for a new file, the folder).
func writeDataKey(dir string, v *age.HybridIdentity, d *dataKey) error {
	plain := marshalDataKey(d)
	defer crypto.Wipe(plain)
	ct, err := crypto.Encrypt(plain, v.Recipient())
	if err != nil {
		return err
	}
	return overwriteInPlace(dataKeyPath(dir, d.file), ct)
}

// overwriteInPlace writes data over the file at path from offset 0, creating
// it if needed, cuts it to len(data) and fsyncs it.
func overwriteInPlace(path string, data []byte) error {
	st, err := os.Lstat(path)
	created := errors.Is(err, fs.ErrNotExist)
	if err != nil && !created {
		return err
	}
	if err == nil && !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", filepath.Base(path))
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fsx.FileMode)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		f.Close()
		return err
	}
	if err == nil && !created && st.Size() > int64(len(data)) {
		if err := f.Truncate(int64(len(data))); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if created {
		return fsx.SyncDir(filepath.Dir(path))
	}
	return nil
}

// retireDataKey overwrites the data key file name with random bytes of its
// length, in place, and fsyncs it: the generation it opened is erased.
func retireDataKey(dir, name string) error {
	path := dataKeyPath(dir, name)
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	buf := make([]byte, st.Size())
	rand.Read(buf)
	return overwriteInPlace(path, buf)
}

// retireOtherDataKey retires the data key file that d is not in, if it still
// holds a key (a crash came between a checkpoint's rename and retirement).
func retireOtherDataKey(dir string, d *dataKey) {
	if d == nil {
		return
	}
	name := otherDataKey(d)
	data, err := fsx.ReadRegular(dataKeyPath(dir, name))
	if err != nil {
		return
	}
	if _, err := crypto.StanzaTypes(data); err == nil {
		retireDataKey(dir, name)
	}
}
