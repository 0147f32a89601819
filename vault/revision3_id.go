package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// Computing a format 3 ID (revision3.go) at about the cost of its SHA-256
// blocks.
//
// A 5 KB testimony is about 1,900 leaves: per leaf one SHA-256 block of
// its commitment and half a block of the ID's hash. Everything else a leaf
// cost (building its message in a new buffer, a digest made and summed
// into a copy, a call to find its salt, a callback per word) came to about
// as much again, on every add, import and check. idHasher keeps the leaf
// domain in one message buffer and writes only the salt and the leaf after
// it, hashes with one digest it resets, sums each commitment straight into
// the ID's buffer, finds the salt of a leaf inside the current chunk
// without a call, and walks words in a loop. The bytes hashed are the same:
// TestIDV3MatchesReference compares every ID with the code as first
// written.

// leafPrefix is the length of a leaf's message before the leaf: the
// domain and the salt.
const leafPrefix = len(leafDomain) + saltSize

// idHasher computes a format 3 ID, leaf by leaf.
type idHasher struct {
	id     hash.Hash // the ID's
	leaf   hash.Hash // each leaf's commitment, reset between leaves
	src    *saltSource
	n      int    // leaves so far
	counts [2]int // of body and of testimony leaves
	// msg is a leaf's message: leafDomain, its salt, and the leaf, or as
	// much of it as fits.
	msg [128]byte
	// state, if not nil, is leaf's, whose marshalled state commit reads
	// into st.
	state encoding.BinaryAppender
	st    [128]byte
	// buf holds the kinds and commitments not yet written to id.
	buf  [33 * 64]byte
	used int
}

func newIDHasher(src *saltSource) *idHasher {
	x := &idHasher{id: sha256.New(), leaf: sha256.New(), src: src}
	if paddedStateReadable {
		x.state, _ = x.leaf.(encoding.BinaryAppender)
	}
	copy(x.msg[:], leafDomain)
	x.id.Write([]byte(revisionDomainV3))
	return x
}

// salt returns the salt of the next leaf.
func (x *idHasher) salt() ([]byte, error) {
	if s := x.src; s.stream != nil && s.chunk == x.n/leavesPerChunk {
		o := (x.n % leavesPerChunk) * saltSize
		return s.stream[o : o+saltSize], nil
	}
	return x.src.salt(x.n)
}

// add commits to the next leaf, of part, with its salt.
func (x *idHasher) add(part int, kind byte, leaf string) error {
	salt, err := x.salt()
	if err != nil {
		return err
	}
	if x.used == len(x.buf) {
		x.flush()
	}
	x.buf[x.used] = kind
	x.commit(x.buf[x.used+1:x.used+1], salt, leaf)
	x.used += 1 + sha256.Size
	x.n++
	x.counts[part]++
	return nil
}

// addCommitted adds a removed leaf by its commitment.
func (x *idHasher) addCommitted(part int, c []byte) {
	if x.used == len(x.buf) {
		x.flush()
	}
	x.buf[x.used] = leafText
	copy(x.buf[x.used+1:], c)
	x.used += 1 + sha256.Size
	x.n++
	x.counts[part]++
}

// commit appends to dst SHA-256(leafDomain || salt || leaf).
func (x *idHasher) commit(dst, salt []byte, leaf string) []byte {
	copy(x.msg[len(leafDomain):], salt)
	h := x.leaf
	h.Reset()
	if total := leafPrefix + len(leaf); total <= len(x.msg)-9 && x.state != nil {
		// Most leaves: the message padded here, as SHA-256 pads it (a
		// 1 bit, zeros, the length in bits), is whole blocks, which the
		// digest compresses in place; its state is then the hash.
		copy(x.msg[leafPrefix:], leaf)
		end := (total + 9 + 63) &^ 63
		x.msg[total] = 0x80
		clear(x.msg[total+1 : end-8])
		binary.BigEndian.PutUint64(x.msg[end-8:end], uint64(total)*8)
		h.Write(x.msg[:end])
		st, _ := x.state.AppendBinary(x.st[:0])
		return append(dst, st[len(sha256Magic):len(sha256Magic)+sha256.Size]...)
	}
	if n := copy(x.msg[leafPrefix:], leaf); n == len(leaf) {
		h.Write(x.msg[:leafPrefix+n])
	} else {
		// A long leaf (rare: a word of over 88 bytes) goes through the
		// buffer a piece at a time.
		h.Write(x.msg[:leafPrefix])
		for len(leaf) > 0 {
			n := copy(x.msg[leafPrefix:], leaf)
			h.Write(x.msg[leafPrefix : leafPrefix+n])
			leaf = leaf[n:]
		}
	}
	return h.Sum(dst)
}

// sha256Magic begins a SHA-256 digest's marshalled state, which goes on
// with the eight words of its state, big-endian: after whole padded
// blocks, the hash (crypto/sha256's MarshalBinary).
const sha256Magic = "sha\x03"

// paddedStateReadable is whether a SHA-256 digest's marshalled state
// holds the hash after whole padded blocks, as commit reads it: if
// crypto/sha256 were of another make, or laid its state out otherwise,
// commit sums as usual.
var paddedStateReadable = func() bool {
	x := &idHasher{leaf: sha256.New()}
	var ok bool
	if x.state, ok = x.leaf.(encoding.BinaryAppender); !ok {
		return false
	}
	copy(x.msg[:], leafDomain)
	salt := []byte("0123456789abcdef")
	for _, leaf := range []string{"", "a", strings.Repeat("b", 24), strings.Repeat("c", 25), strings.Repeat("d", 88)} {
		want := sha256.Sum256([]byte(leafDomain + string(salt) + leaf))
		if !bytes.Equal(x.commit(nil, salt, leaf), want[:]) {
			return false
		}
	}
	return true
}()

// words adds the words of text (nextWord) as text leaves of part.
func (x *idHasher) words(part int, text string, escapes bool) error {
	for i := 0; i < len(text); {
		j := nextWord(text, i, escapes)
		if err := x.add(part, leafText, text[i:j]); err != nil {
			return err
		}
		i = j
	}
	return nil
}

func (x *idHasher) flush() {
	x.id.Write(x.buf[:x.used])
	x.used = 0
}

// sum returns the ID.
func (x *idHasher) sum() string {
	x.flush()
	var t [16]byte
	binary.BigEndian.PutUint64(t[:8], uint64(x.counts[0]))
	binary.BigEndian.PutUint64(t[8:], uint64(x.counts[1]))
	x.id.Write(t[:])
	return hex.EncodeToString(x.id.Sum(nil))
}

// leafCommit is the commitment to one leaf with its salt.
func leafCommit(salt []byte, leaf string) [sha256.Size]byte {
	var x idHasher
	x.leaf = sha256.New() // without reading its state: one leaf
	copy(x.msg[:], leafDomain)
	var c [sha256.Size]byte
	x.commit(c[:0], salt, leaf)
	return c
}

// idV3 returns the format 3 ID of a stored revision.
func idV3(body []byte, testimony string, p *revisionProof) (string, error) {
	src := &saltSource{seed: p.Seed, salts: p.Salts}
	if p.redacted() {
		src.keys = make(map[int][]byte, len(p.Keys))
		for _, k := range p.Keys {
			src.keys[k.Chunk] = k.Key
		}
	}
	x := newIDHasher(src)
	if !p.redacted() {
		// The common case, without building the list of leaves.
		text := string(body)
		ranges, err := readableRanges(text)
		if err != nil {
			return "", err
		}
		pos := 0
		for _, r := range ranges {
			if err == nil {
				err = x.add(0, leafFrame, text[pos:r[0]])
			}
			if err == nil {
				err = x.words(0, text[r[0]:r[1]], true)
			}
			pos = r[1]
		}
		if err == nil {
			err = x.add(0, leafFrame, text[pos:])
		}
		if err == nil {
			err = x.words(1, testimony, false)
		}
		if err != nil {
			return "", fmt.Errorf("%w: a revision's salts", ErrDamaged)
		}
		return x.sum(), nil
	}
	parts := [2]string{string(body), testimony}
	var fail error
	e := walkLeaves(body, testimony, p.Holes, func(it leafItem) {
		if fail != nil {
			return
		}
		if it.hole != nil {
			for _, c := range it.hole.Leaves {
				if src.keys[x.n/leavesPerChunk] != nil {
					// A key that gives a removed leaf's salt: its
					// commitment would confirm a guess.
					fail = fmt.Errorf("%w: a redacted revision reveals the salt of a removed part", ErrDamaged)
					return
				}
				x.addCommitted(it.part, c)
			}
			return
		}
		if x.add(it.part, it.kind, parts[it.part][it.start:it.end]) != nil {
			fail = fmt.Errorf("%w: a redacted revision lacks salts", ErrDamaged)
		}
	})
	if e == nil {
		e = fail
	}
	if e != nil {
		return "", e
	}
	if len(src.salts) != 0 || (len(p.Keys) > 0 && p.Keys[len(p.Keys)-1].Chunk >= (x.n+leavesPerChunk-1)/leavesPerChunk) {
		return "", fmt.Errorf("%w: a redacted revision has salts it does not use", ErrDamaged)
	}
	return x.sum(), nil
}
