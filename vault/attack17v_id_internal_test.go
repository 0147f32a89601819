package vault

import (
	"encoding/json"
	"strings"
	"testing"
)

// Format 3 IDs of testimony whose words sit at the bounds of the padded
// single-block path (a leaf of 24 or 88 bytes fills one or two blocks with
// the 31-byte prefix and the padding), fast and slow leaves in turn, words
// ending in a rune of two, three or four bytes across those bounds, huge
// words, and empty text: the same ID as the reference, in one hasher
// that goes from one path to the other.
func TestAttack17vIDBlockBounds(t *testing.T) {
	seed, _ := json.Marshal(&revisionProof{Seed: []byte(strings.Repeat("\x07", seedSize))})
	body := []byte(`{"record":{"pseudonym":"River"}}`)
	if p, err := parseProof("x", seed); err != nil {
		t.Fatal(err) // sameID would compare nothing
	} else if _, err := idV3(body, "a b", p); err != nil {
		t.Fatal(err)
	}
	runes := []string{"", "é", "警", "😀"}
	var words []string
	for _, n := range []int{0, 1, 22, 23, 24, 25, 26, 54, 55, 56, 86, 87, 88, 89, 90, 96, 97, 98, 118, 119, 120, 121, 122, 200, 5000} {
		for _, r := range runes {
			if n >= len(r) {
				words = append(words, strings.Repeat("a", n-len(r))+r)
			}
		}
	}
	// Each word alone, then all of them in one testimony, spaced and not.
	for _, w := range words {
		sameID(t, "one word", body, w, seed)
		sameID(t, "word in body", []byte(`{"record":{"pseudonym":"`+w+`"}}`), w, seed)
	}
	sameID(t, "words spaced", body, strings.Join(words, " "), seed)
	sameID(t, "words run on", body, strings.Join(words, "。"), seed)
	sameID(t, "empty", body, "", seed)
	sameID(t, "empty body text", []byte(`{}`), "", seed)
}
