package vault

import (
	"hash/fnv"
	"path/filepath"
	"strings"
)

// deviceOf names the file system that holds path: its volume (C:, or a
// share), hashed to a number.
func deviceOf(path string) (uint64, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, false
	}
	vol := strings.ToUpper(filepath.VolumeName(abs))
	if vol == "" {
		return 0, false
	}
	h := fnv.New64a()
	h.Write([]byte(vol))
	return h.Sum64(), true
}
