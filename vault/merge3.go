package vault

import (
	"slices"
	"sort"
	"strconv"
)

// The three-way merge rule.
//
// Two versions of an interview (left and right, saved on different
// laptops) are merged against their common ancestor (base). Nothing is lost
// by default:
//
//   - a paragraph added on either side is kept; paragraphs both sides added
//     at the same place are all kept, the left's first;
//   - a paragraph changed or removed on one side only takes that change;
//   - a paragraph both sides changed differently (or one changed and the
//     other removed) is a conflict, for a person to pick left, right or
//     both;
//   - a field changed on one side takes that change; changed differently on
//     both is a conflict (left or right);
//   - tags and relatives are sets: what either side added is kept, what
//     one side removed (and the other left alone) is removed.

// chunk is one stretch of the merged testimony: settled lines, or a
// conflict between the left and right lines of one stretch of the base.
type chunk struct {
	lines    []string
	conflict bool
	base     []string
	left     []string
	right    []string
}

type sideHunk struct {
	hunk
	right bool
}

// merge3 merges the paragraphs of left and right against base.
func merge3(base, left, right []string) []chunk {
	var hs []sideHunk
	for _, h := range splitHunks(diffHunks(base, left)) {
		hs = append(hs, sideHunk{h, false})
	}
	for _, h := range splitHunks(diffHunks(base, right)) {
		hs = append(hs, sideHunk{h, true})
	}
	sort.SliceStable(hs, func(i, j int) bool {
		if hs[i].as != hs[j].as {
			return hs[i].as < hs[j].as
		}
		return hs[i].ae < hs[j].ae
	})
	var out []chunk
	emit := func(lines []string) {
		if len(lines) == 0 {
			return
		}
		if n := len(out); n > 0 && !out[n-1].conflict {
			out[n-1].lines = append(out[n-1].lines, lines...)
			return
		}
		out = append(out, chunk{lines: slices.Clone(lines)})
	}
	pos := 0
	for i := 0; i < len(hs); {
		gs, ge := hs[i].as, hs[i].ae
		j := i + 1
		for ; j < len(hs); j++ {
			if !overlaps(gs, ge, hs[j].hunk) {
				break
			}
			ge = max(ge, hs[j].ae)
		}
		group := hs[i:j]
		i = j
		emit(base[pos:gs])
		pos = ge
		var hasL, hasR bool
		for _, h := range group {
			hasL, hasR = hasL || !h.right, hasR || h.right
		}
		lt := applySide(base, gs, ge, group, false, left)
		rt := applySide(base, gs, ge, group, true, right)
		switch {
		case !hasR:
			emit(lt)
		case !hasL:
			emit(rt)
		case slices.Equal(lt, rt):
			emit(lt)
		case gs == ge:
			// Both sides added paragraphs at the same place: keep both.
			emit(lt)
			emit(rt)
		default:
			out = append(out, chunk{conflict: true, base: slices.Clone(base[gs:ge]), left: lt, right: rt})
		}
	}
	emit(base[pos:])
	return out
}

// splitHunks splits each hunk that replaces n paragraphs by m into n
// changed paragraphs and m-n added (or n-m removed) after them: most often
// a paragraph edited and one added after it. Then another version's own
// addition at the same place is kept beside it, not a conflict with it.
func splitHunks(hs []hunk) []hunk {
	var out []hunk
	for _, h := range hs {
		n, m := h.ae-h.as, h.be-h.bs
		k := min(n, m)
		if k == 0 || n == m {
			out = append(out, h)
			continue
		}
		out = append(out, hunk{h.as, h.as + k, h.bs, h.bs + k}, hunk{h.as + k, h.ae, h.bs + k, h.be})
	}
	return out
}

// overlaps reports whether h touches the base stretch [gs, ge): a base
// paragraph of both, an insertion strictly inside the other's stretch, or
// two insertions at the same place.
func overlaps(gs, ge int, h hunk) bool {
	switch {
	case gs == ge && h.as == h.ae:
		return gs == h.as
	case gs == ge:
		return h.as < gs && gs < h.ae
	case h.as == h.ae:
		return gs < h.as && h.as < ge
	}
	return h.as < ge && gs < h.ae
}

// applySide is the stretch base[gs:ge] as one side has it.
func applySide(base []string, gs, ge int, group []sideHunk, right bool, side []string) []string {
	out := []string{}
	cur := gs
	for _, h := range group {
		if h.right != right {
			continue
		}
		out = append(out, base[cur:h.as]...)
		out = append(out, side[h.bs:h.be]...)
		cur = h.ae
	}
	return append(out, base[cur:ge]...)
}

// fieldMerge merges one field: one side's change is taken; different
// changes on both sides are a conflict.
func fieldMerge[T comparable](base, left, right T) (T, bool) {
	switch {
	case left == right, right == base:
		return left, false
	case left == base:
		return right, false
	}
	return left, true
}

// mergeSet merges lists as sets: kept if both sides have it, or if a side
// added it. Left's order first, then right's additions.
func mergeSet(base, left, right []string) []string {
	in := func(l []string, s string) bool { return slices.Contains(l, s) }
	out := []string{}
	for _, s := range left {
		if (in(right, s) || !in(base, s)) && !in(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range right {
		if !in(base, s) && !in(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// mergeRelatives merges relatives as a set keyed by relation (the second
// sister is "sister 2"), each one's harms merged as a set. A relative one
// side removed and the other changed is kept, with the change: an edit is
// never dropped.
func mergeRelatives(base, left, right []Relative) []Relative {
	type keyed struct {
		keys []string
		by   map[string]Relative
	}
	index := func(rs []Relative) keyed {
		k := keyed{by: map[string]Relative{}}
		seen := map[string]int{}
		for _, r := range rs {
			seen[r.Relation]++
			key := r.Relation + "\x00" + strconv.Itoa(seen[r.Relation])
			k.keys = append(k.keys, key)
			k.by[key] = r
		}
		return k
	}
	b, l, r := index(base), index(left), index(right)
	out := []Relative{}
	done := map[string]bool{}
	add := func(key string) {
		if done[key] {
			return
		}
		done[key] = true
		bv, inB := b.by[key]
		lv, inL := l.by[key]
		rv, inR := r.by[key]
		switch {
		case inL && inR:
			out = append(out, Relative{Relation: lv.Relation, Harms: mergeSet(bv.Harms, lv.Harms, rv.Harms)})
		case inL && (!inB || !slices.Equal(lv.Harms, bv.Harms)):
			out = append(out, lv) // added on the left, or changed there
		case inR && (!inB || !slices.Equal(rv.Harms, bv.Harms)):
			out = append(out, rv)
		}
	}
	for _, k := range l.keys {
		add(k)
	}
	for _, k := range r.keys {
		add(k)
	}
	return out
}
