package vault

import (
	"fmt"
	"os"
	"os/user"
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
