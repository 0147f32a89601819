package vault

import (
	"crypto/ed25519"
	"crypto/rand"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

// member is this vault's own member key: a hybrid identity that receives
// bundles and an Ed25519 key that signs revisions.
type member struct {
	Name       string
	SigningKey ed25519.PrivateKey
	Identity   *age.HybridIdentity
}

func newMember(name string) (member, error) {
	_, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return member{}, err
	}
	id, err := crypto.NewIdentity()
	if err != nil {
		return member{}, err
	}
	return member{Name: name, SigningKey: sk, Identity: id}, nil
}
