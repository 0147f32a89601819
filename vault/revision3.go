package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// Revision format 3: redactable revisions.
//
// The author signs commitments to the parts of a revision rather than its
// bytes, so that a redaction can replace parts by their commitments and the
// author's signature still verifies over what remains. The revision is cut
// into leaves: the body's JSON outside the readable text fields (pseudonym,
// location, language, interviewer, each relative's relation) is frame, one
// leaf per stretch between them; the text of those fields and the testimony
// is cut into words (runs of letters and digits, each Han, Hiragana or
// Katakana character alone, runs of anything else; in the body a JSON escape
// alone). Each leaf is committed to with a salt of its own:
//
//	c = SHA-256("tvault leaf v3\n" || salt || leaf)
//
// and the ID is SHA-256 of revisionDomainV3, then per leaf its kind ('f' or
// 't') and c, then the counts of body and of testimony leaves (8 bytes
// big-endian each). The author signs revisionDomainV3 + ID.
//
// Salts come from a random 32-byte seed: leaf i's is the bytes 16*(i%256)
// onward of the AES-256-CTR keystream (zero IV) under the key of its chunk
// of 256 leaves, HMAC-SHA-256(seed, saltDomain || chunk as 8 bytes
// big-endian). An unredacted revision carries its seed (revisionProof.Seed).
// A redacted one does not: it carries each removed run of leaves as a hole
// (where the replacement text stands, and the commitments of the leaves it
// replaced), the keys of the chunks with no removed leaf, and the salts of
// the kept leaves of the other chunks. A removed leaf's salt is nowhere, so
// its commitment confirms no guess, and the ID is no hash of the original
// text. The replacement text is not the author's: it is a redaction's, and
// only a description "[…]" inside a readable field (redact.go).

const (
	revisionDomainV3 = "tvault revision v3\n"
	leafDomain       = "tvault leaf v3\n"
	saltDomain       = "tvault salts v3\n"
	leavesPerChunk   = 256
	saltSize         = 16
	seedSize         = 32
	leafFrame        = 'f'
	leafText         = 't'
)

// revisionProof is what a format 3 revision carries beside its body and
// testimony: the seed of its salts, or, once redacted, its holes and the
// salts of what it keeps.
type revisionProof struct {
	Seed  []byte      `json:"seed,omitempty"`
	Holes []proofHole `json:"holes,omitempty"`
	Keys  []chunkKey  `json:"keys,omitempty"`
	// Salts are the salts of the kept leaves of the chunks Keys leaves
	// out, in order, 16 bytes each.
	Salts []byte `json:"salts,omitempty"`
}

// proofHole is a run of removed leaves: Length bytes at Offset of the
// stored part hold the replacement text, and Leaves the commitments of the
// leaves it replaced.
type proofHole struct {
	Part   string   `json:"part"`
	Offset int      `json:"offset"`
	Length int      `json:"length"`
	Leaves [][]byte `json:"leaves"`
}

type chunkKey struct {
	Chunk int    `json:"chunk"`
	Key   []byte `json:"key"`
}

// parseProof decodes a format 3 revision's proof and checks its form.
func parseProof(id string, raw []byte) (*revisionProof, error) {
	bad := fmt.Errorf("%w: revision %s has a malformed proof", ErrDamaged, short(id))
	if strictJSON(raw) != nil {
		return nil, bad
	}
	p := new(revisionProof)
	if json.Unmarshal(raw, p) != nil {
		return nil, bad
	}
	if p.Seed != nil {
		if len(p.Seed) != seedSize || p.Holes != nil || p.Keys != nil || p.Salts != nil {
			return nil, bad
		}
		return p, nil
	}
	if len(p.Holes) == 0 || len(p.Salts)%saltSize != 0 {
		return nil, bad
	}
	for i, h := range p.Holes {
		if (h.Part != "body" && h.Part != "testimony") || h.Offset < 0 || h.Length <= 0 || h.Length > MaxTestimony || len(h.Leaves) == 0 {
			return nil, bad
		}
		if i > 0 {
			prev := p.Holes[i-1]
			if h.Part < prev.Part || (h.Part == prev.Part && h.Offset < prev.Offset+prev.Length) {
				return nil, bad
			}
		}
		for _, c := range h.Leaves {
			if len(c) != sha256.Size {
				return nil, bad
			}
		}
	}
	for i, k := range p.Keys {
		if len(k.Key) != sha256.Size || k.Chunk < 0 || (i > 0 && k.Chunk <= p.Keys[i-1].Chunk) {
			return nil, bad
		}
	}
	return p, nil
}

// redacted reports whether the proof is of a redacted revision.
func (p *revisionProof) redacted() bool { return p.Seed == nil }

// newRevisionRecord makes a format 3 revision of rev, signed with sk: a
// fresh seed, the ID, the signature. It sets rev.ID.
func newRevisionRecord(sk ed25519.PrivateKey, rev *Revision) (revisionRecord, error) {
	body, testimony, err := rev.storedBody()
	if err != nil {
		return revisionRecord{}, err
	}
	seed := make([]byte, seedSize)
	rand.Read(seed)
	p := &revisionProof{Seed: seed}
	id, err := idV3(body, testimony, p)
	if err != nil {
		return revisionRecord{}, err
	}
	proof, err := json.Marshal(p)
	if err != nil {
		return revisionRecord{}, err
	}
	rev.ID = id
	return revisionRecord{ID: id, Body: body, Testimony: testimony, Proof: proof,
		Sig: ed25519.Sign(sk, []byte(revisionDomainV3+id)), rev: rev}, nil
}

// saltSource hands out the salts of leaves in order.
type saltSource struct {
	seed   []byte
	keys   map[int][]byte
	salts  []byte // explicit salts left
	chunk  int
	stream []byte
}

func chunkKeyOf(seed []byte, chunk int) []byte {
	m := hmac.New(sha256.New, seed)
	m.Write([]byte(saltDomain))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(chunk))
	m.Write(n[:])
	return m.Sum(nil)
}

// chunkSalts is the keystream that holds the salts of a chunk's leaves.
func chunkSalts(key []byte) []byte {
	return fillChunkSalts(make([]byte, leavesPerChunk*saltSize), key)
}

// fillChunkSalts writes the keystream of chunkSalts into out, which is
// leavesPerChunk*saltSize bytes long.
func fillChunkSalts(out, key []byte) []byte {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // a key is always 32 bytes
	}
	clear(out)
	cipher.NewCTR(b, make([]byte, aes.BlockSize)).XORKeyStream(out, out)
	return out
}

// key returns the key of a chunk, if this source has it.
func (s *saltSource) key(chunk int) []byte {
	if s.seed != nil {
		return chunkKeyOf(s.seed, chunk)
	}
	return s.keys[chunk]
}

func (s *saltSource) salt(i int) ([]byte, error) {
	j := i / leavesPerChunk
	if s.stream == nil || s.chunk != j {
		key := s.key(j)
		if key == nil {
			if len(s.salts) < saltSize {
				return nil, errScan
			}
			x := s.salts[:saltSize]
			s.salts = s.salts[saltSize:]
			return x, nil
		}
		// One buffer for every chunk: a salt is used before the next
		// is asked for.
		if s.stream == nil {
			s.stream = make([]byte, leavesPerChunk*saltSize)
		}
		s.stream, s.chunk = fillChunkSalts(s.stream, key), j
	}
	o := (i % leavesPerChunk) * saltSize
	return s.stream[o : o+saltSize], nil
}

// leafItem is a kept leaf or a hole of a format 3 revision, as stored.
type leafItem struct {
	part       int // 0 body, 1 testimony
	start, end int
	kind       byte
	hole       *proofHole
}

var partNames = [2]string{"body", "testimony"}

// leafItems returns the leaves and holes of a stored format 3 revision, in
// order. A hole must lie inside the testimony or a readable field of the
// body, and hold a description.
func leafItems(body []byte, testimony string, holes []proofHole) ([]leafItem, error) {
	var items []leafItem
	err := walkLeaves(body, testimony, holes, func(it leafItem) { items = append(items, it) })
	return items, err
}

// walkLeaves calls fn with each leaf and hole of a stored format 3
// revision, in order, without holding them all (a testimony of millions of
// words would take hundreds of bytes a word).
func walkLeaves(body []byte, testimony string, holes []proofHole, fn func(leafItem)) error {
	bad := fmt.Errorf("%w: a revision's redacted parts are malformed", ErrDamaged)
	parts := [2]string{string(body), testimony}
	h := 0
	for part, text := range parts {
		var ranges [][2]int
		if part == 0 {
			var err error
			if ranges, err = readableRanges(text); err != nil {
				return err
			}
		} else {
			ranges = [][2]int{{0, len(text)}}
		}
		pos := 0
		words := func(a, b int) {
			eachWord(text[a:b], part == 0, func(s, e int) {
				fn(leafItem{part: part, start: a + s, end: a + e, kind: leafText})
			})
		}
		for _, r := range ranges {
			if part == 0 {
				fn(leafItem{part: part, start: pos, end: r[0], kind: leafFrame})
			}
			a := r[0]
			for h < len(holes) && holes[h].Part == partNames[part] && holes[h].Offset < r[1] {
				x := &holes[h]
				if x.Offset < a || x.Length > r[1]-x.Offset || !isDescription(text[x.Offset:x.Offset+x.Length], part == 0) {
					return bad
				}
				words(a, x.Offset)
				fn(leafItem{part: part, start: x.Offset, end: x.Offset + x.Length, kind: leafText, hole: x})
				a = x.Offset + x.Length
				h++
			}
			words(a, r[1])
			pos = r[1]
		}
		if part == 0 {
			fn(leafItem{part: part, start: pos, end: len(text), kind: leafFrame})
		}
		if h < len(holes) && holes[h].Part == partNames[part] {
			return bad // outside a readable field
		}
	}
	return nil
}

// isDescription reports whether a hole's text is a description as a
// redaction writes it, JSON-escaped in the body.
func isDescription(s string, escaped bool) bool {
	if escaped && json.Unmarshal([]byte(`"`+s+`"`), &s) != nil {
		return false
	}
	return checkRedactionWith(s) == nil
}
