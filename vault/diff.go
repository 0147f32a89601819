package vault

import "strings"

// Paragraph diffs.
//
// Testimony is compared paragraph by paragraph: a paragraph is one line of
// the testimony (the editor wraps long ones; a newline ends one). The
// three-way merge (merge3.go) and the history (history.go) both use
// diffHunks.

// hunk says that a[as:ae] became b[bs:be]: an insertion when as == ae, a
// deletion when bs == be.
type hunk struct{ as, ae, bs, be int }

// maxDiffCost bounds the edit distance the diff searches for. Past it, the
// differing middle is one hunk: a coarser diff (a merge asks about more),
// never a wrong one.
const maxDiffCost = 2000

// paragraphs splits testimony into paragraphs.
func paragraphs(s string) []string { return strings.Split(s, "\n") }

// diffHunks returns the hunks that turn a into b, in order, none adjacent.
func diffHunks(a, b []string) []hunk {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma) == 0 && len(mb) == 0 {
		return nil
	}
	pairs, ok := myers(ma, mb)
	if !ok {
		return []hunk{{pre, pre + len(ma), pre, pre + len(mb)}}
	}
	var out []hunk
	x, y := 0, 0
	for _, p := range append(pairs, [2]int{len(ma), len(mb)}) {
		if p[0] > x || p[1] > y {
			out = append(out, hunk{pre + x, pre + p[0], pre + y, pre + p[1]})
		}
		x, y = p[0]+1, p[1]+1
	}
	return out
}

// myers returns the matched index pairs of a shortest edit script from a
// to b (E. Myers, "An O(ND) difference algorithm", 1986), in order, or
// false if the script costs more than maxDiffCost.
func myers(a, b []string) ([][2]int, bool) {
	n, m := len(a), len(b)
	limit := min(n+m, maxDiffCost)
	off := limit + 1
	v := make([]int, 2*limit+3)
	// trace[d] is v over k in [-d-1, d+1] before step d.
	var trace [][]int
	for d := 0; d <= limit; d++ {
		trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(trace, n, m), true
			}
		}
	}
	return nil, false
}

func backtrack(trace [][]int, n, m int) [][2]int {
	var pairs [][2]int
	x, y := n, m
	for d := len(trace) - 1; d >= 0; d-- {
		vd := trace[d]
		at := func(k int) int { return vd[k+d+1] }
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			x--
			y--
			pairs = append(pairs, [2]int{x, y})
		}
		x, y = px, py
	}
	for i, j := 0, len(pairs)-1; i < j; i, j = i+1, j-1 {
		pairs[i], pairs[j] = pairs[j], pairs[i]
	}
	return pairs
}

// DiffOp is what a line of a diff says happened to it.
type DiffOp int

// The kinds of diff line.
const (
	DiffSame DiffOp = iota
	DiffRemoved
	DiffAdded
)

// DiffLine is one paragraph of a diff.
type DiffLine struct {
	Op   DiffOp `json:"op"`
	Text string `json:"text"`
}

// Diff compares two testimonies paragraph by paragraph. Paragraphs the
// same in both are kept only within context paragraphs of a change (all of
// them if context < 0); a skipped run is one DiffSame line with Text "…".
func Diff(before, after string, context int) []DiffLine {
	a, b := paragraphs(before), paragraphs(after)
	if before == "" {
		a = nil
	}
	if after == "" {
		b = nil
	}
	var out []DiffLine
	same := func(from, to int, first, last bool) {
		run := a[from:to]
		if context < 0 || len(run) <= 2*context+1 {
			for _, l := range run {
				out = append(out, DiffLine{DiffSame, l})
			}
			return
		}
		head, tail := context, context
		if first {
			head = 0
		}
		if last {
			tail = 0
		}
		for _, l := range run[:head] {
			out = append(out, DiffLine{DiffSame, l})
		}
		out = append(out, DiffLine{DiffSame, "…"})
		for _, l := range run[len(run)-tail:] {
			out = append(out, DiffLine{DiffSame, l})
		}
	}
	hs := diffHunks(a, b)
	pos := 0
	for i, h := range hs {
		same(pos, h.as, i == 0, false)
		for _, l := range a[h.as:h.ae] {
			out = append(out, DiffLine{DiffRemoved, l})
		}
		for _, l := range b[h.bs:h.be] {
			out = append(out, DiffLine{DiffAdded, l})
		}
		pos = h.ae
	}
	same(pos, len(a), len(hs) == 0, true)
	return out
}
