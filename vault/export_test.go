package vault

import (
	"os"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

// SetMemoryLimitForTesting sets the largest database image that vaults opened
// afterwards may grow to, and returns a function that restores the previous
// limit.
func SetMemoryLimitForTesting(n int64) (restore func()) {
	old := memoryLimit
	memoryLimit = n
	return func() { memoryLimit = old }
}

// DataKeysForTesting returns the data keys that v (the vault identity of the
// vault in dir) opens: the current generation's, and the previous one's if a
// crash kept it from being retired.
func DataKeysForTesting(dir string, v *age.HybridIdentity) []*age.HybridIdentity {
	var out []*age.HybridIdentity
	for _, name := range []string{dataKeyA, dataKeyB} {
		data, err := os.ReadFile(dataKeyPath(dir, name))
		if err != nil {
			continue
		}
		plain, err := crypto.Open(v, data)
		if err != nil {
			continue
		}
		if d, err := parseDataKey(name, plain); err == nil {
			out = append(out, d.id)
		}
	}
	return out
}

// StoreMACForTesting returns the store authentication key derived from v.
func StoreMACForTesting(v *age.HybridIdentity) []byte {
	k, _ := storeMAC(v)
	return k
}
