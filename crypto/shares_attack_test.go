package crypto_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/tvault/tvault/crypto"
)

// alter returns card c with its share changed and its check value
// recomputed, as the holder of c can do. It parses.
func alter(t testing.TB, c *crypto.ShareCard, bit int) *crypto.ShareCard {
	t.Helper()
	for ; ; bit++ {
		forged := *c
		forged.Value = bytes.Clone(c.Value)
		forged.Value[bit%31] ^= 1 << (bit % 8)
		p, err := crypto.ParseShareCard(forged.Format())
		if err == nil {
			return p
		}
	}
}

var sharesNamed = regexp.MustCompile(`shares? ((?:\d+(?:, | and )?)+)`)

// namedShares returns the share numbers an error names as altered.
func namedShares(err error) []int {
	var out []int
	for _, m := range sharesNamed.FindAllStringSubmatch(err.Error(), -1) {
		for _, f := range regexp.MustCompile(`\d+`).FindAllString(m[1], -1) {
			n, _ := strconv.Atoi(f)
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Attack 8 of issue 11: a card holder alters their share and recomputes the
// check value. With k+1 cards the error must name the altered card, wherever
// it is among the cards given, never an honest one.
func TestAttackAlteredShareCard(t *testing.T) {
	const k, n = 3, 5
	cards := reparse(t, mustSplit(t, mustIdentity(t), k, n))
	for victim := range k + 1 { // which card is altered: shares 1..4
		for pos := range k + 1 { // where it is among the cards given
			t.Run(fmt.Sprintf("share%d/pos%d", victim+1, pos), func(t *testing.T) {
				set := slices.Clone(cards[:k+1])
				forged := alter(t, set[victim], victim)
				set = slices.Delete(set, victim, victim+1)
				set = slices.Insert(set, pos, forged)
				_, err := crypto.RecoverCustodianKey(set)
				if !errors.Is(err, crypto.ErrDamaged) {
					t.Fatalf("err=%v, want ErrDamaged", err)
				}
				if got, want := namedShares(err), []int{victim + 1}; !slices.Equal(got, want) {
					t.Fatalf("err=%q names shares %v, want %v", err, got, want)
				}
			})
		}
	}
	t.Run("TwoAltered", func(t *testing.T) {
		// k+2 cards, two of them altered: both named, and the key is not
		// rebuilt.
		set := slices.Clone(cards)
		set[1] = alter(t, set[1], 3)
		set[4] = alter(t, set[4], 9)
		_, err := crypto.RecoverCustodianKey(set)
		if got, want := namedShares(err), []int{2, 5}; !errors.Is(err, crypto.ErrDamaged) || !slices.Equal(got, want) {
			t.Fatalf("err=%v names shares %v, want ErrDamaged naming %v", err, got, want)
		}
	})
	t.Run("AlteredExactlyK", func(t *testing.T) {
		// With only k cards nothing can say which one is wrong; the key is
		// still refused.
		set := []*crypto.ShareCard{cards[0], alter(t, cards[1], 5), cards[2]}
		if _, err := crypto.RecoverCustodianKey(set); !errors.Is(err, crypto.ErrDamaged) {
			t.Fatalf("err=%v, want ErrDamaged", err)
		}
	})
}

// Cards written by the first card format (v1, without a MAC) still rebuild
// the key they were split from (testdata/sharecards-v1, made by tvault
// before the MAC was added).
func TestShareCardsV1(t *testing.T) {
	dir := filepath.Join("testdata", "sharecards-v1")
	want, err := os.ReadFile(filepath.Join(dir, "identity.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var cards []*crypto.ShareCard
	for i := 1; i <= 3; i++ {
		data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("share-%d-of-3.txt", i)))
		if err != nil {
			t.Fatal(err)
		}
		c, err := crypto.ParseShareCard(data)
		if err != nil {
			t.Fatalf("share %d: %v", i, err)
		}
		if !bytes.Equal(c.Format(), data) {
			t.Fatalf("share %d: a v1 card does not format back to itself", i)
		}
		cards = append(cards, c)
	}
	for _, set := range [][]*crypto.ShareCard{cards[:2], cards[1:], {cards[2], cards[0]}, cards} {
		got, err := crypto.RecoverCustodianKey(set)
		if err != nil {
			t.Fatal(err)
		}
		if got.String()+"\n" != string(want) {
			t.Fatal("recovered a different key")
		}
	}
	// An altered v1 card among three is named too: there is no MAC, but the
	// two honest cards rebuild the key and the third does not fit it.
	_, err = crypto.RecoverCustodianKey([]*crypto.ShareCard{alter(t, cards[0], 1), cards[1], cards[2]})
	if got := namedShares(err); !errors.Is(err, crypto.ErrDamaged) || !slices.Equal(got, []int{1}) {
		t.Fatalf("err=%v names %v, want share 1", err, got)
	}
}
