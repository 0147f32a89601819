package crypto

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"filippo.io/age"
	"github.com/cloudflare/circl/group"
	"github.com/cloudflare/circl/secretsharing"
)

// k-of-n recovery of the custodian key.
//
// [SplitCustodianKey] draws a random ristretto255 scalar s and splits it
// with Shamir's scheme (circl's secretsharing): any k of the n shares
// rebuild s, fewer reveal nothing about it. s is never used as a key itself:
// HKDF-SHA-256 (salt: the split ID; info: the version, k and n) turns it
// into a 256-bit key K, and K encrypts the custodian identity with age. That
// small age file is printed on every card, next to the card's share.
//
// Why age's scrypt recipient with K as its "passphrase", and not a hybrid
// identity derived from K: the scrypt recipient is symmetric (scrypt, then
// ChaCha20-Poly1305), so it is post-quantum as it stands, and its stanza is
// about 100 bytes, where a hybrid stanza carries an ML-KEM ciphertext of over
// a kilobyte that would have to be printed, and perhaps typed, on every card.
// K has 256 bits of entropy, so scrypt's work factor protects nothing here
// and is kept low ([shareScryptWorkFactor]) to keep recovery instant.
//
// Authentication comes from age: a wrong s (a corrupted or forged share, or
// too few shares) gives a wrong K, and the scrypt stanza then fails to
// unwrap: the result is refused, never a wrong key. The check value on each
// card only finds typing and printing errors early and names the bad card;
// it is not what the security rests on.

// shareScryptWorkFactor is the scrypt work factor of the age file on share
// cards. Its "passphrase" is a 256-bit HKDF output, not something a person
// chose, so a slow KDF adds nothing; 2^10 keeps recovery fast.
const shareScryptWorkFactor = 10

// MaxShares is the largest n that [SplitCustodianKey] accepts.
const MaxShares = 255

var (
	// ErrTooFewShares means fewer distinct shares were given than the split
	// needs.
	ErrTooFewShares = errors.New("too few shares")

	// ErrSharesMismatch means the cards given do not belong to one split. It
	// wraps [ErrDamaged].
	ErrSharesMismatch = fmt.Errorf("%w: the share cards do not belong together", ErrDamaged)
)

// shareGroup is the group whose scalar field the shares live in. circl's
// ristretto255 scalar arithmetic is constant time; its P-256 is not.
var shareGroup = group.Ristretto255

// SplitCustodianKey splits the custodian identity c into n share cards, any
// k of which rebuild it with [RecoverCustodianKey]. The cards hold secrets:
// each is a share of the key.
func SplitCustodianKey(c *age.HybridIdentity, k, n int, now time.Time) ([]*ShareCard, error) {
	if k < 2 || n < k || n > MaxShares {
		return nil, fmt.Errorf("cannot split into %d-of-%d shares: need 2 ≤ k ≤ n ≤ %d", k, n, MaxShares)
	}
	card := ShareCard{Threshold: k, Total: n, Created: now.UTC().Truncate(24 * time.Hour)}
	if _, err := rand.Read(card.SplitID[:]); err != nil {
		return nil, err
	}
	s := shareGroup.RandomNonZeroScalar(rand.Reader)
	key, err := shareKey(s, card.SplitID, k, n)
	if err != nil {
		return nil, err
	}
	defer Wipe(key)
	r, err := shareRecipient(key)
	if err != nil {
		return nil, err
	}
	// age parses and prints identities as strings; this copy of the key
	// cannot be wiped.
	plain := []byte(c.String() + "\n")
	defer Wipe(plain)
	if card.Key, err = encrypt(plain, r); err != nil {
		return nil, err
	}

	shares := secretsharing.New(rand.Reader, uint(k-1), s).Share(uint(n))
	cards := make([]*ShareCard, n)
	for i, sh := range shares {
		cc := card
		cc.Index = i + 1
		cc.Key = bytes.Clone(card.Key)
		if cc.Value, err = sh.Value.MarshalBinary(); err != nil {
			return nil, err
		}
		cards[i] = &cc
	}
	return cards, nil
}

// RecoverCustodianKey rebuilds the custodian identity from share cards of
// one split. It returns an error wrapping [ErrTooFewShares] when fewer than
// the needed number of distinct shares are given, [ErrSharesMismatch] when
// the cards come from different splits, and [ErrDamaged] when a share is
// wrong. It never returns a wrong identity.
func RecoverCustodianKey(cards []*ShareCard) (*age.HybridIdentity, error) {
	if len(cards) == 0 {
		return nil, fmt.Errorf("%w: no share cards given", ErrTooFewShares)
	}
	first := cards[0]
	byIndex := make(map[int]*ShareCard)
	var order []*ShareCard
	for _, c := range cards {
		if c.SplitID != first.SplitID {
			return nil, fmt.Errorf("%w: split %s and split %s", ErrSharesMismatch, first.SplitIDString(), c.SplitIDString())
		}
		if c.Threshold != first.Threshold || c.Total != first.Total || !bytes.Equal(c.Key, first.Key) {
			return nil, fmt.Errorf("%w: cards of split %s disagree (share %d and share %d)", ErrSharesMismatch, first.SplitIDString(), first.Index, c.Index)
		}
		if c.Index < 1 || c.Index > c.Total {
			return nil, fmt.Errorf("%w: share %d of %d", ErrDamaged, c.Index, c.Total)
		}
		if prev, ok := byIndex[c.Index]; ok {
			if !bytes.Equal(prev.Value, c.Value) {
				return nil, fmt.Errorf("%w: two different cards claim to be share %d", ErrDamaged, c.Index)
			}
			continue // the same card twice counts once
		}
		byIndex[c.Index] = c
		order = append(order, c)
	}
	k := first.Threshold
	if len(order) < k {
		return nil, fmt.Errorf("%w: %d distinct share(s) given, %d needed", ErrTooFewShares, len(order), k)
	}

	shares := make([]secretsharing.Share, len(order))
	for i, c := range order {
		v := shareGroup.NewScalar()
		if err := v.UnmarshalBinary(c.Value); err != nil {
			return nil, fmt.Errorf("%w: share %d holds no valid value", ErrDamaged, c.Index)
		}
		shares[i] = secretsharing.Share{ID: shareGroup.NewScalar().SetUint64(uint64(c.Index)), Value: v}
	}
	s, err := secretsharing.Recover(uint(k-1), shares[:k])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	// Every share beyond the first k must lie on the same polynomial: each
	// is checked by swapping it in for the last of the first k.
	for i := k; i < len(shares); i++ {
		alt := append(append([]secretsharing.Share{}, shares[:k-1]...), shares[i])
		s2, err := secretsharing.Recover(uint(k-1), alt)
		if err != nil || !s2.IsEqual(s) {
			return nil, fmt.Errorf("%w: share %d does not fit the other shares", ErrDamaged, order[i].Index)
		}
	}

	key, err := shareKey(s, first.SplitID, k, first.Total)
	if err != nil {
		return nil, err
	}
	defer Wipe(key)
	id, err := shareIdentity(key)
	if err != nil {
		return nil, err
	}
	plain, err := decrypt(first.Key, id)
	defer Wipe(plain)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			// The key derived from the shares does not open the sealed
			// custodian key: at least one share is wrong.
			return nil, fmt.Errorf("%w: the shares do not rebuild the key (one of them was altered)", ErrDamaged)
		}
		return nil, err
	}
	return ParseIdentity(plain)
}

// shareKey derives the 256-bit key that encrypts the custodian identity from
// the shared scalar s. The split ID and k-of-n are bound into it, so a card
// that lies about them yields a key that opens nothing.
func shareKey(s group.Scalar, splitID [8]byte, k, n int) ([]byte, error) {
	secret, err := s.MarshalBinary()
	if err != nil {
		return nil, err
	}
	defer Wipe(secret)
	info := fmt.Sprintf("tvault custodian key shares v1 %d-of-%d", k, n)
	return hkdf.Key(sha256.New, secret, splitID[:], info, 32)
}

// shareRecipient and shareIdentity turn the derived key into age's scrypt
// recipient and identity. age takes the "passphrase" as a string: that copy
// of the key cannot be wiped.
func shareRecipient(key []byte) (*age.ScryptRecipient, error) {
	r, err := age.NewScryptRecipient(base64.RawStdEncoding.EncodeToString(key))
	if err != nil {
		return nil, err
	}
	r.SetWorkFactor(shareScryptWorkFactor)
	return r, nil
}

func shareIdentity(key []byte) (*age.ScryptIdentity, error) {
	id, err := age.NewScryptIdentity(base64.RawStdEncoding.EncodeToString(key))
	if err != nil {
		return nil, err
	}
	// Cards are input: refuse a forged stanza that would make scrypt burn
	// minutes of CPU. tvault writes 2^10.
	id.SetMaxWorkFactor(16)
	return id, nil
}
