package vault

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
)

// NewCustodianKey makes a new custodian identity, writes it to a new
// custodian key file at path under passphrase, and returns its recipient,
// for [CreateOptions].Custodian. It never replaces a file: if path exists the
// error wraps fs.ErrExist. Write the key file before creating the vault: a
// vault whose custodian key was never written would seal identities nobody
// can open.
func NewCustodianKey(path string, passphrase []byte) (*age.HybridRecipient, error) {
	c, err := crypto.NewIdentity()
	if err != nil {
		return nil, err
	}
	key, err := crypto.SealCustodianKey(c, passphrase, time.Now())
	if err != nil {
		return nil, err
	}
	if err := fsx.WriteFileExclusive(path, key); err != nil {
		return nil, fmt.Errorf("failed to write the custodian key file: %w", err)
	}
	return c.Recipient(), nil
}

// CheckCustodianKeyPath returns an error wrapping ErrKeyFileExists or
// ErrKeyFileInVault if a new custodian key file must not be written at path,
// for the vault in dir.
func CheckCustodianKeyPath(path, dir string) error {
	if strings.TrimSpace(path) == "" {
		return errors.New("a path is required")
	}
	if _, err := os.Lstat(path); err == nil {
		return ErrKeyFileExists
	}
	absKey, err1 := filepath.Abs(path)
	absDir, err2 := filepath.Abs(dir)
	if err1 == nil && err2 == nil {
		if rel, err := filepath.Rel(absDir, absKey); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return ErrKeyFileInVault
		}
	}
	return nil
}

// DefaultMemberName is the member name a new vault suggests: the user's
// login name ($USER, or the account's), or "member".
func DefaultMemberName() string {
	if n := os.Getenv("USER"); n != "" {
		return n
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "member"
}
