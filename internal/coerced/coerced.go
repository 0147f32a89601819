// Package coerced decrypts what someone who holds a vault's key opens with
// age alone, following docs/RECOVERY.md and no tvault code that reads the
// store: the generation's data key, the snapshot and every journal frame.
// Tests use it to prove what a coerced interviewer (or a seized laptop with
// its passphrase) can read, and what not.
package coerced

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

// Open returns the plaintext of the snapshot of the vault in dir, then of
// every journal frame, opened with the vault identity v. The snapshot and
// journal are encrypted to the generation's data key, which v opens from one
// of keys/data-A.age and keys/data-B.age (the other holds random bytes); a
// vault of the old format has neither, and v opens them directly.
func Open(dir string, v *age.HybridIdentity) ([][]byte, error) {
	var id age.Identity = v
	for _, name := range []string{"data-A.age", "data-B.age"} {
		kf, err := os.ReadFile(filepath.Join(dir, "keys", name))
		if err != nil {
			continue
		}
		if plain, err := crypto.Open(v, kf); err == nil {
			if d, err := crypto.ParseIdentity(plain); err == nil {
				id = d
			}
		}
	}
	snap, err := os.ReadFile(filepath.Join(dir, "vault.age"))
	if err != nil {
		return nil, err
	}
	image, err := crypto.OpenOwn(id, snap)
	if err != nil {
		return nil, fmt.Errorf("vault.age: %w", err)
	}
	out := [][]byte{image}
	logs, err := filepath.Glob(filepath.Join(dir, "journal", "*.log"))
	if err != nil {
		return nil, err
	}
	for _, l := range logs {
		data, err := os.ReadFile(l)
		if err != nil {
			return nil, err
		}
		// A frame: a header (16 bytes for TVJ1, 48 for TVJ2, which carries
		// a 32-byte tag) whose bytes 4 to 12 are the big-endian length of
		// the age file that follows.
		for len(data) >= 16 {
			h := uint64(16)
			if string(data[:4]) == "TVJ2" {
				h = 48
			}
			n := binary.BigEndian.Uint64(data[4:12])
			if uint64(len(data)) < h || n > uint64(len(data))-h {
				return nil, fmt.Errorf("%s: a frame longer than the file", l)
			}
			plain, err := crypto.OpenOwn(id, data[h:h+n])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", l, err)
			}
			out = append(out, plain)
			data = data[h+n:]
		}
	}
	return out, nil
}
