package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"unicode/utf8"
)

// The format 3 ID as first written (main at db59a2b), kept verbatim as the
// reference that the faster idV3 must match byte for byte: format 3 is a
// contract, and the ID of every stored revision must stay what it is.

type refSaltSource struct {
	seed   []byte
	keys   map[int][]byte
	salts  []byte // explicit salts left
	chunk  int
	stream []byte
}

func refChunkKeyOf(seed []byte, chunk int) []byte {
	m := hmac.New(sha256.New, seed)
	m.Write([]byte(saltDomain))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(chunk))
	m.Write(n[:])
	return m.Sum(nil)
}

func refChunkSalts(key []byte) []byte {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // a key is always 32 bytes
	}
	out := make([]byte, leavesPerChunk*saltSize)
	cipher.NewCTR(b, make([]byte, aes.BlockSize)).XORKeyStream(out, out)
	return out
}

func (s *refSaltSource) key(chunk int) []byte {
	if s.seed != nil {
		return refChunkKeyOf(s.seed, chunk)
	}
	return s.keys[chunk]
}

func (s *refSaltSource) salt(i int) ([]byte, error) {
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
		s.stream, s.chunk = refChunkSalts(key), j
	}
	o := (i % leavesPerChunk) * saltSize
	return s.stream[o : o+saltSize], nil
}

func refLeafCommit(salt []byte, leaf string) [sha256.Size]byte {
	var buf [96]byte
	b := append(append(append(buf[:0], leafDomain...), salt...), leaf...)
	return sha256.Sum256(b)
}

func refWalkLeaves(body []byte, testimony string, holes []proofHole, fn func(leafItem)) error {
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
			refEachWord(text[a:b], part == 0, func(s, e int) {
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

func refIDV3(body []byte, testimony string, p *revisionProof) (string, error) {
	src := &refSaltSource{seed: p.Seed, salts: p.Salts}
	if p.redacted() {
		src.keys = make(map[int][]byte, len(p.Keys))
		for _, k := range p.Keys {
			src.keys[k.Chunk] = k.Key
		}
	}
	h := sha256.New()
	h.Write([]byte(revisionDomainV3))
	w := refLeafWriter{h: h}
	var counts [2]int
	n := 0
	var err error
	if !p.redacted() {
		// The common case, without building the list of leaves.
		text := string(body)
		emit := func(part int, kind byte, leaf string) {
			salt, e := src.salt(n)
			if e != nil {
				err = e
				return
			}
			c := refLeafCommit(salt, leaf)
			w.add(kind, c[:])
			n++
			counts[part]++
		}
		ranges, e := readableRanges(text)
		if e != nil {
			return "", e
		}
		pos := 0
		for _, r := range ranges {
			emit(0, leafFrame, text[pos:r[0]])
			refEachWord(text[r[0]:r[1]], true, func(s, e int) { emit(0, leafText, text[r[0]+s:r[0]+e]) })
			pos = r[1]
		}
		emit(0, leafFrame, text[pos:])
		refEachWord(testimony, false, func(s, e int) { emit(1, leafText, testimony[s:e]) })
	} else {
		parts := [2]string{string(body), testimony}
		var fail error
		e := refWalkLeaves(body, testimony, p.Holes, func(it leafItem) {
			if fail != nil {
				return
			}
			if it.hole != nil {
				for _, c := range it.hole.Leaves {
					if src.keys[n/leavesPerChunk] != nil {
						// A key that gives a removed leaf's salt: its
						// commitment would confirm a guess.
						fail = fmt.Errorf("%w: a redacted revision reveals the salt of a removed part", ErrDamaged)
						return
					}
					w.add(leafText, c)
					n++
					counts[it.part]++
				}
				return
			}
			salt, e := src.salt(n)
			if e != nil {
				fail = fmt.Errorf("%w: a redacted revision lacks salts", ErrDamaged)
				return
			}
			c := refLeafCommit(salt, parts[it.part][it.start:it.end])
			w.add(it.kind, c[:])
			n++
			counts[it.part]++
		})
		if e == nil {
			e = fail
		}
		if e != nil {
			return "", e
		}
		if len(src.salts) != 0 || (len(p.Keys) > 0 && p.Keys[len(p.Keys)-1].Chunk >= (n+leavesPerChunk-1)/leavesPerChunk) {
			return "", fmt.Errorf("%w: a redacted revision has salts it does not use", ErrDamaged)
		}
	}
	if err != nil {
		return "", fmt.Errorf("%w: a revision's salts", ErrDamaged)
	}
	w.flush()
	var t [16]byte
	binary.BigEndian.PutUint64(t[:8], uint64(counts[0]))
	binary.BigEndian.PutUint64(t[8:], uint64(counts[1]))
	h.Write(t[:])
	return hex.EncodeToString(h.Sum(nil)), nil
}

type refLeafWriter struct {
	h   hash.Hash
	buf [33 * 64]byte
	n   int
}

func (w *refLeafWriter) add(kind byte, c []byte) {
	if w.n+33 > len(w.buf) {
		w.flush()
	}
	w.buf[w.n] = kind
	copy(w.buf[w.n+1:], c)
	w.n += 33
}

func (w *refLeafWriter) flush() {
	w.h.Write(w.buf[:w.n])
	w.n = 0
}

func refWordClass(r rune) int {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return 1
		}
		return 0
	}
	for _, a := range aloneRanges {
		if a[0] <= r && r <= a[1] {
			return 2
		}
	}
	for _, o := range otherRanges {
		if o[0] <= r && r <= o[1] {
			return 0
		}
	}
	return 1
}

func refEachWord(s string, escapes bool, fn func(start, end int)) {
	for i := 0; i < len(s); {
		start := i
		if escapes && s[i] == '\\' {
			n := 2
			if i+1 < len(s) && s[i+1] == 'u' {
				n = 6
			}
			i = min(i+n, len(s))
			fn(start, i)
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		c := refWordClass(r)
		i += w
		if c != 2 {
			for i < len(s) && !(escapes && s[i] == '\\') {
				r, w := utf8.DecodeRuneInString(s[i:])
				if refWordClass(r) != c {
					break
				}
				i += w
			}
		}
		fn(start, i)
	}
}
