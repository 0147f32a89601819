package crypto

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
// HKDF-SHA-256 (salt: the split ID; info: the card version, k and n) turns
// it into a 256-bit key K, and K encrypts the custodian identity with age. That
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
// card only finds typing and printing errors early and names the mistyped
// card; anyone can recompute it. To name a card whose holder altered it,
// each card (since format v2) carries a MAC of its split ID, index, k, n and
// share under a second key derived from s, which nobody computes without k
// shares: with more than k cards, recovery finds k that open the age file
// and checks every card against them ([RecoverCustodianKey]).

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
	card := ShareCard{Threshold: k, Total: n, Created: now.UTC().Truncate(24 * time.Hour), Version: CurrentShareCardVersion}
	if _, err := rand.Read(card.SplitID[:]); err != nil {
		return nil, err
	}
	s := shareGroup.RandomNonZeroScalar(rand.Reader)
	key, macKey, err := shareKeys(s, &card)
	if err != nil {
		return nil, err
	}
	defer Wipe(key)
	defer Wipe(macKey)
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
		cc.MAC = shareMAC(macKey, &cc)
		cards[i] = &cc
	}
	return cards, nil
}

// Bounds of the search for k cards that open the sealed key, when more than
// k cards are given (see [openShares]). Rebuilding the secret from a set of
// k cards is cheap (well under a millisecond), and honest sets all rebuild
// the same secret, so up to maxShareSubsets sets, in order, are tried that
// way; the secrets they give are then tried against the sealed key, the
// most frequent first, at most maxShareOpens of them: each costs one scrypt
// at 2^10, a few milliseconds. A secret that two sets agree on is tried at
// once. People bring few cards: k+1 cards make k+1 sets, and 12 cards of a
// 5-of-n split 792, so the bounds only bite when many cards are brought and
// so many are altered that the first 1024 sets hold no two honest ones;
// recovery then says to try again with fewer cards. A hopeless search costs
// under half a second.
const (
	maxShareSubsets = 1024
	maxShareOpens   = 64
)

// RecoverCustodianKey rebuilds the custodian identity from share cards of
// one split. It returns an error wrapping [ErrTooFewShares] when fewer than
// the needed number of distinct shares are given, [ErrSharesMismatch] when
// the cards come from different splits, and [ErrDamaged] when a share is
// wrong. It never returns a wrong identity.
//
// With more than k cards, an altered card is named: recovery looks for k
// cards that open the sealed key (trying at most [maxShareSubsets] sets),
// then checks every card against the key those k rebuild: that its share
// fits, and on v2 cards that its MAC verifies. Only the holders of k shares
// can compute a MAC, so a holder who altered a card cannot make it verify.
func RecoverCustodianKey(cards []*ShareCard) (*age.HybridIdentity, error) {
	if len(cards) == 0 {
		return nil, fmt.Errorf("%w: no share cards given", ErrTooFewShares)
	}
	first := cards[0]
	var order []*ShareCard // distinct cards; two may claim the same index
	indices := map[int]bool{}
	conflict := 0
	for _, c := range cards {
		if c.SplitID != first.SplitID {
			return nil, fmt.Errorf("%w: split %s and split %s", ErrSharesMismatch, first.SplitIDString(), c.SplitIDString())
		}
		if c.Threshold != first.Threshold || c.Total != first.Total || c.version() != first.version() || !bytes.Equal(c.Key, first.Key) {
			return nil, fmt.Errorf("%w: cards of split %s disagree (share %d and share %d)", ErrSharesMismatch, first.SplitIDString(), first.Index, c.Index)
		}
		if c.Index < 1 || c.Index > c.Total {
			return nil, fmt.Errorf("%w: share %d of %d", ErrDamaged, c.Index, c.Total)
		}
		dup := false
		for _, o := range order {
			if o.Index == c.Index {
				if bytes.Equal(o.Value, c.Value) && bytes.Equal(o.MAC, c.MAC) {
					dup = true // the same card twice counts once
					break
				}
				conflict = c.Index
			}
		}
		if !dup {
			order = append(order, c)
			indices[c.Index] = true
		}
	}
	k := first.Threshold
	if len(indices) < k {
		if conflict != 0 {
			return nil, fmt.Errorf("%w: two different cards claim to be share %d", ErrDamaged, conflict)
		}
		return nil, fmt.Errorf("%w: %d distinct share(s) given, %d needed", ErrTooFewShares, len(indices), k)
	}

	shares := make([]secretsharing.Share, len(order))
	for i, c := range order {
		v := shareGroup.NewScalar()
		if err := v.UnmarshalBinary(c.Value); err != nil {
			return nil, fmt.Errorf("%w: share %d holds no valid value", ErrDamaged, c.Index)
		}
		shares[i] = secretsharing.Share{ID: shareGroup.NewScalar().SetUint64(uint64(c.Index)), Value: v}
	}

	s, subset, plain, err := openShares(first, order, shares)
	defer Wipe(plain)
	if err != nil {
		return nil, err
	}

	// Every card must fit the key the subset rebuilt. A card whose index
	// the subset holds fits if it is that card; any other is checked by
	// swapping it in for the subset's last card.
	_, macKey, err := shareKeys(s, first)
	if err != nil {
		return nil, err
	}
	defer Wipe(macKey)
	var altered []int
	for i, c := range order {
		fits := false
		if j := slices.IndexFunc(subset, func(j int) bool { return order[j].Index == c.Index }); j >= 0 {
			fits = subset[j] == i
		} else {
			alt := make([]secretsharing.Share, 0, k)
			for _, j := range subset[:k-1] {
				alt = append(alt, shares[j])
			}
			s2, err := secretsharing.Recover(uint(k-1), append(alt, shares[i]))
			fits = err == nil && s2.IsEqual(s)
		}
		if fits && c.version() >= 2 {
			fits = hmac.Equal(c.MAC, shareMAC(macKey, c))
		}
		if !fits {
			altered = append(altered, c.Index)
		}
	}
	if len(altered) > 0 {
		slices.Sort(altered)
		altered = slices.Compact(altered)
		if len(altered) == 1 {
			return nil, fmt.Errorf("%w: share %d was altered: it does not fit the key that the other cards rebuild", ErrDamaged, altered[0])
		}
		return nil, fmt.Errorf("%w: shares %s were altered: they do not fit the key that the other cards rebuild", ErrDamaged, joinNumbers(altered))
	}
	return ParseIdentity(plain)
}

// openShares looks for k of the shares that open the sealed key. It
// returns the secret they rebuild, their positions in order, and the sealed
// key's plaintext.
func openShares(first *ShareCard, order []*ShareCard, shares []secretsharing.Share) (group.Scalar, []int, []byte, error) {
	k := first.Threshold
	type candidate struct {
		s      group.Scalar
		subset []int
		count  int
	}
	var cands []*candidate
	seen := map[string]*candidate{}
	subset := make([]int, k)
	for i := range subset {
		subset[i] = i
	}
	set := make([]secretsharing.Share, k)
	sets, complete := 0, true
	for {
		distinct := true
		for i, j := range subset {
			set[i] = shares[j]
			for _, l := range subset[:i] {
				distinct = distinct && order[l].Index != order[j].Index
			}
		}
		if distinct {
			if sets == maxShareSubsets {
				complete = false
				break
			}
			sets++
			if s, err := secretsharing.Recover(uint(k-1), set); err == nil {
				b, err := s.MarshalBinary()
				if err != nil {
					return nil, nil, nil, err
				}
				c := seen[string(b)]
				if c == nil {
					c = &candidate{s: s, subset: slices.Clone(subset)}
					seen[string(b)] = c
					cands = append(cands, c)
				}
				c.count++
				Wipe(b)
				if c.count == 2 {
					// Two sets agree: almost surely the secret.
					if plain, err := openWith(first, c.s); err == nil {
						return c.s, c.subset, plain, nil
					} else if !errors.Is(err, errWrongShares) {
						return nil, nil, nil, err
					}
				}
			}
		}
		if !nextSubset(subset, len(order)) {
			break
		}
	}
	clear(seen)
	slices.SortStableFunc(cands, func(a, b *candidate) int { return b.count - a.count })
	if len(cands) > maxShareOpens {
		cands, complete = cands[:maxShareOpens], false
	}
	for _, c := range cands {
		plain, err := openWith(first, c.s)
		if err == nil {
			return c.s, c.subset, plain, nil
		}
		if !errors.Is(err, errWrongShares) {
			return nil, nil, nil, err
		}
	}
	switch {
	case len(order) == k:
		// The key derived from the shares does not open the sealed
		// custodian key: at least one share is wrong.
		return nil, nil, nil, fmt.Errorf("%w: the shares do not rebuild the key (one of them was altered)", ErrDamaged)
	case !complete:
		return nil, nil, nil, fmt.Errorf("%w: no set of %d of these %d cards that was tried rebuilds the key (too many to try them all): try again with fewer cards", ErrDamaged, k, len(order))
	}
	return nil, nil, nil, fmt.Errorf("%w: no %d of these %d cards rebuild the key: too many of them were altered to say which", ErrDamaged, k, len(order))
}

var errWrongShares = errors.New("wrong shares")

// openWith opens the sealed key with the key derived from the secret s, or
// returns errWrongShares.
func openWith(first *ShareCard, s group.Scalar) ([]byte, error) {
	key, _, err := shareKeys(s, first)
	if err != nil {
		return nil, err
	}
	defer Wipe(key)
	id, err := shareIdentity(key)
	if err != nil {
		return nil, err
	}
	plain, err := decrypt(first.Key, id)
	if err != nil {
		Wipe(plain)
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, errWrongShares
		}
		return nil, err
	}
	return plain, nil
}

// nextSubset advances subset, k increasing positions below n, to the next
// combination in lexicographic order, and reports whether there is one.
func nextSubset(subset []int, n int) bool {
	k := len(subset)
	i := k - 1
	for i >= 0 && subset[i] == n-k+i {
		i--
	}
	if i < 0 {
		return false
	}
	subset[i]++
	for j := i + 1; j < k; j++ {
		subset[j] = subset[j-1] + 1
	}
	return true
}

func joinNumbers(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// shareKeys derives from the shared scalar s the 256-bit key that encrypts
// the custodian identity and, for v2 cards, the key of the cards' MACs.
// The split ID and k-of-n are bound into both, and the card version into
// the first, so a card that lies about them yields a key that opens
// nothing.
func shareKeys(s group.Scalar, c *ShareCard) (key, macKey []byte, err error) {
	secret, err := s.MarshalBinary()
	if err != nil {
		return nil, nil, err
	}
	defer Wipe(secret)
	v := c.version()
	info := fmt.Sprintf("tvault custodian key shares v%d %d-of-%d", v, c.Threshold, c.Total)
	if key, err = hkdf.Key(sha256.New, secret, c.SplitID[:], info, 32); err != nil {
		return nil, nil, err
	}
	if v >= 2 {
		info := fmt.Sprintf("tvault custodian key shares v%d card mac %d-of-%d", v, c.Threshold, c.Total)
		if macKey, err = hkdf.Key(sha256.New, secret, c.SplitID[:], info, 32); err != nil {
			Wipe(key)
			return nil, nil, err
		}
	}
	return key, macKey, nil
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
