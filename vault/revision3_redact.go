package vault

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Redacting a format 3 revision (revision3.go): the removed words become a
// hole that keeps their commitments, and the proof gives up the seed for
// the salts of what is kept.

// proofLeaf is a leaf or hole of a stored format 3 revision with its place
// in the order of leaves. A kept leaf's salt is not held (a testimony of
// millions of words would take hundreds of bytes a word): saltAt is where
// it is in the proof's explicit salts, or -1 for a chunk with a key.
type proofLeaf struct {
	leafItem
	index  int // of the first leaf
	saltAt int
}

// proofSalts gives the salts of a stored format 3 revision's kept leaves.
type proofSalts struct {
	src    *saltSource
	salts  []byte
	chunk  int
	stream []byte
}

func (ps *proofSalts) of(l *proofLeaf) []byte {
	if l.saltAt >= 0 {
		return ps.salts[l.saltAt : l.saltAt+saltSize]
	}
	if j := l.index / leavesPerChunk; ps.stream == nil || ps.chunk != j {
		ps.stream, ps.chunk = chunkSalts(ps.src.key(j)), j
	}
	o := (l.index % leavesPerChunk) * saltSize
	return ps.stream[o : o+saltSize]
}

// commits returns the commitments a leaf or hole stands for.
func (ps *proofSalts) commits(l *proofLeaf, parts [2]string) [][]byte {
	if l.hole != nil {
		return l.hole.Leaves
	}
	c := leafCommit(ps.of(l), parts[l.part][l.start:l.end])
	return [][]byte{c[:]}
}

// proofLeaves returns the leaves and holes of a stored format 3 revision,
// and the source of its salts. The commitments of its kept leaves are
// checked by verification, not here.
func proofLeaves(body []byte, testimony string, p *revisionProof) ([]proofLeaf, *proofSalts, error) {
	src := &saltSource{seed: p.Seed, salts: p.Salts, keys: map[int][]byte{}}
	for _, k := range p.Keys {
		src.keys[k.Chunk] = k.Key
	}
	count := 0
	if err := walkLeaves(body, testimony, p.Holes, func(leafItem) { count++ }); err != nil {
		return nil, nil, err
	}
	out := make([]proofLeaf, 0, count) // counted first: growing it would take five times its size
	n, used := 0, 0
	bad := fmt.Errorf("%w: a redacted revision lacks salts", ErrDamaged)
	err := walkLeaves(body, testimony, p.Holes, func(it leafItem) {
		l := proofLeaf{leafItem: it, index: n, saltAt: -1}
		if it.hole != nil {
			n += len(it.hole.Leaves)
		} else {
			if src.seed == nil && src.keys[n/leavesPerChunk] == nil {
				l.saltAt = used
				used += saltSize
			}
			n++
		}
		out = append(out, l)
	})
	if err != nil {
		return nil, nil, err
	}
	if used > len(p.Salts) {
		return nil, nil, bad
	}
	return out, &proofSalts{src: src, salts: p.Salts}, nil
}

// alignEdits widens a format 3 revision's edits to whole words (a
// redaction removes leaves, not parts of them) and whole holes (a
// description already there goes with the words around it), merging
// those that then overlap. An edit that would take frame (JSON outside a
// readable field) is refused.
func alignEdits(id string, body []byte, testimony string, proof []byte, edits []redactEdit) ([]redactEdit, error) {
	p, err := parseProof(id, proof)
	if err != nil {
		return nil, err
	}
	items, err := leafItems(body, testimony, p.Holes)
	if err != nil {
		return nil, err
	}
	var out []redactEdit
	cur := newEditCursor()
	for _, e := range edits {
		part := slices.Index(partNames[:], e.Part)
		start, end := -1, -1
		for i := cur.from(e, part, len(items), func(i int) (int, int) { return items[i].part, items[i].end }); i < len(items) && items[i].part == part && items[i].start < e.Offset+e.Length; i++ {
			it := items[i]
			if it.kind != leafText {
				return nil, fmt.Errorf("%w: in revision %s the passage is not inside a readable field", ErrInvalid, short(id))
			}
			if start < 0 {
				start = it.start
			}
			end = it.end
		}
		if start < 0 {
			return nil, fmt.Errorf("%w: revision %s: a passage to redact is not in its text", ErrInvalid, short(id))
		}
		if n := len(out); n > 0 && out[n-1].Part == e.Part && start < out[n-1].Offset+out[n-1].Length {
			out[n-1].Length = max(out[n-1].Offset+out[n-1].Length, end) - out[n-1].Offset
			continue
		}
		out = append(out, redactEdit{Part: e.Part, Offset: start, Length: end - start})
	}
	return out, nil
}

// redactV3 applies edits (in order, whole words and holes) to a stored
// format 3 revision, putting with in place of each, and returns its new
// content and proof: a hole per edit, holding the commitments of the words
// and of the holes it covers, and the salts of what is kept.
func redactV3(id string, body []byte, testimony string, proof []byte, edits []redactEdit, with string) ([]byte, string, []byte, error) {
	p, err := parseProof(id, proof)
	if err != nil {
		return nil, "", nil, err
	}
	leaves, ps, err := proofLeaves(body, testimony, p)
	if err != nil {
		return nil, "", nil, err
	}
	bad := fmt.Errorf("%w: a redaction of revision %s does not remove whole words of readable text", ErrDamaged, short(id))
	// Mark each leaf with the edit that removes it.
	edit := make([]int, len(leaves))
	for i := range edit {
		edit[i] = -1
	}
	cur := newEditCursor()
	for k, e := range edits {
		part := slices.Index(partNames[:], e.Part)
		first, last := -1, -1
		for i := cur.from(e, part, len(leaves), func(i int) (int, int) { return leaves[i].part, leaves[i].end }); i < len(leaves) && leaves[i].part == part && leaves[i].start < e.Offset+e.Length; i++ {
			if leaves[i].kind != leafText || edit[i] >= 0 {
				return nil, "", nil, bad
			}
			edit[i] = k
			if first < 0 {
				first = i
			}
			last = i
		}
		if first < 0 || leaves[first].start != e.Offset || leaves[last].end != e.Offset+e.Length {
			return nil, "", nil, bad
		}
	}
	// Rebuild the parts and the holes.
	parts := [2]string{string(body), testimony}
	repl := [2]string{string(jsonText(with)), with}
	var out [2][]byte
	np := &revisionProof{}
	dirty := map[int]bool{}
	n := 0
	for i := 0; i < len(leaves); {
		l := leaves[i]
		text := parts[l.part][l.start:l.end]
		switch {
		case edit[i] >= 0:
			h := proofHole{Part: partNames[l.part], Offset: len(out[l.part]), Length: len(repl[l.part])}
			for k := edit[i]; i < len(leaves) && edit[i] == k; i++ {
				h.Leaves = append(h.Leaves, ps.commits(&leaves[i], parts)...)
			}
			for range h.Leaves {
				dirty[n/leavesPerChunk] = true
				n++
			}
			out[l.part] = append(out[l.part], repl[l.part]...)
			np.Holes = append(np.Holes, h)
			continue
		case l.hole != nil:
			h := *l.hole
			h.Offset = len(out[l.part])
			for range h.Leaves {
				dirty[n/leavesPerChunk] = true
				n++
			}
			np.Holes = append(np.Holes, h)
		default:
			n++
		}
		out[l.part] = append(out[l.part], text...)
		i++
	}
	chunks := (n + leavesPerChunk - 1) / leavesPerChunk
	for j := range chunks {
		if !dirty[j] {
			np.Keys = append(np.Keys, chunkKey{Chunk: j, Key: ps.src.key(j)})
		}
	}
	// A chunk with a removed leaf keeps its key back: the salts of its
	// kept leaves go one by one.
	for i := range leaves {
		if l := &leaves[i]; l.hole == nil && edit[i] < 0 && dirty[l.index/leavesPerChunk] {
			np.Salts = append(np.Salts, ps.of(l)...)
		}
	}
	b, err := json.Marshal(np)
	if err != nil {
		return nil, "", nil, err
	}
	// What remains must still be the author's revision.
	if got, err := idV3(out[0], string(out[1]), np); err != nil || got != id {
		return nil, "", nil, bad
	}
	return out[0], string(out[1]), b, nil
}

// editCursor finds the first leaf an edit may cover without scanning from
// the start for each edit: edits of a part come in order, so the scan of
// a part resumes where the previous edit's began (a leaf two edits share
// is seen again), and starts over for an edit out of order. Redacting a
// name that occurs thousands of times in a long testimony is so linear in
// the edits and the leaves, not their product.
type editCursor struct {
	at   [2]int // where the previous edit's scan of each part began
	last [2]int // the previous edit's offset in each part
}

func newEditCursor() *editCursor { return &editCursor{last: [2]int{-1, -1}} }

// from returns the index of the first leaf of part that ends after e's
// offset (or the first of a later part), given each leaf's part and end.
func (c *editCursor) from(e redactEdit, part, n int, leaf func(int) (part, end int)) int {
	if part < 0 {
		return n
	}
	if e.Offset < c.last[part] {
		c.at[part] = 0
	}
	c.last[part] = e.Offset
	i := c.at[part]
	for i < n {
		p, end := leaf(i)
		if p > part || (p == part && end > e.Offset) {
			break
		}
		i++
	}
	c.at[part] = i
	return i
}
