package crypto

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"
)

// A vault pins its custodian: the recipient that identities are sealed to,
// and a custodian proof key, an Ed25519 key pair made for that vault whose
// private half is sealed to the custodian alone. A change of custodian is
// accepted only if signed by the pinned proof key, which takes the custodian
// identity to open: whoever holds the vault key but not the custodian key
// cannot make one. The pair is made by the vault, not derived from the
// custodian's secret, so that a vault created with only the custodian's
// recipient (a teammate's init) can pin it too.

// ErrBadCustodianProof means a change of custodian is not signed by the
// pinned custodian proof key.
var ErrBadCustodianProof = errors.New("the change of custodian is not signed by the pinned custodian's key")

const custodianChangeDomain = "tvault custodian change v1\n"

// CustodianFingerprint is what people compare out loud to know they seal to
// the same custodian: 128 bits of SHA-256 of the recipient, as 8 groups of 4
// hex digits, like a member's [Fingerprint].
func CustodianFingerprint(recipient string) string {
	sum := sha256.Sum256([]byte("tvault custodian fingerprint v1\n" + recipient))
	s := fmt.Sprintf("%X", sum[:16])
	var groups []string
	for i := 0; i < len(s); i += 4 {
		groups = append(groups, s[i:i+4])
	}
	return strings.Join(groups, " ")
}

// NewCustodianProofKey makes a proof key for custodian r: the public key,
// and the private key's seed sealed to r alone.
func NewCustodianProofKey(r age.Recipient) (ed25519.PublicKey, []byte, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, nil, err
	}
	defer Wipe(seed)
	sealed, err := Seal(r, seed)
	if err != nil {
		return nil, nil, err
	}
	priv := ed25519.NewKeyFromSeed(seed)
	defer Wipe(priv)
	return priv.Public().(ed25519.PublicKey), sealed, nil
}

// OpenCustodianProofKey opens a sealed proof key with the custodian
// identity c and checks it against the pinned public key. The error wraps
// [ErrWrongKey] if c does not open it. The caller wipes the key.
func OpenCustodianProofKey(c age.Identity, sealed []byte, pinned ed25519.PublicKey) (ed25519.PrivateKey, error) {
	seed, err := Unseal(c, sealed)
	if err != nil {
		return nil, err
	}
	defer Wipe(seed)
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: the custodian proof key", ErrDamaged)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if !priv.Public().(ed25519.PublicKey).Equal(pinned) {
		Wipe(priv)
		return nil, fmt.Errorf("%w: the sealed custodian proof key is not the pinned one", ErrDamaged)
	}
	return priv, nil
}

// CustodianChange is a change of a vault's custodian: from the pinned
// recipient Old to Next, whose proof key is NextKey (its seed sealed to
// Next as NextSealed).
type CustodianChange struct {
	Old, Next  string
	NextKey    ed25519.PublicKey
	NextSealed []byte
}

func (c *CustodianChange) statement() []byte {
	sealed := sha256.Sum256(c.NextSealed)
	return []byte(custodianChangeDomain +
		"old " + c.Old + "\n" +
		"next " + c.Next + "\n" +
		"next-key " + hex.EncodeToString(c.NextKey) + "\n" +
		"next-sealed " + hex.EncodeToString(sealed[:]) + "\n")
}

// Sign signs the change with the old custodian's proof key.
func (c *CustodianChange) Sign(oldKey ed25519.PrivateKey) []byte {
	return ed25519.Sign(oldKey, c.statement())
}

// Verify checks that sig is the pinned proof key's signature of the change.
func (c *CustodianChange) Verify(pinned ed25519.PublicKey, sig []byte) error {
	if len(pinned) != ed25519.PublicKeySize || len(c.NextKey) != ed25519.PublicKeySize ||
		!ed25519.Verify(pinned, c.statement(), sig) {
		return ErrBadCustodianProof
	}
	return nil
}
