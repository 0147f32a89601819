package vault

import (
	"slices"
	"strings"
	"testing"
)

// render shows merged chunks as text: a conflict as <<left|right>>.
func render(chunks []chunk) string {
	var out []string
	for _, c := range chunks {
		if c.conflict {
			out = append(out, "<<"+strings.Join(c.left, "/")+"|"+strings.Join(c.right, "/")+">>")
			continue
		}
		out = append(out, c.lines...)
	}
	return strings.Join(out, "\n")
}

func TestMerge3(t *testing.T) {
	for _, tc := range []struct {
		name, base, left, right, want string
	}{
		{"Unchanged", "a\nb", "a\nb", "a\nb", "a\nb"},
		{"LeftOnly", "a\nb", "a\nB", "a\nb", "a\nB"},
		{"RightOnly", "a\nb", "a\nb", "A\nb", "A\nb"},
		{"BothAddAtEnd", "a", "a\nleft", "a\nright", "a\nleft\nright"},
		{"BothAddSame", "a", "a\nsame", "a\nsame", "a\nsame"},
		{"BothAddToEmpty", "", "left", "right", "left\nright"},
		{"AddsInDifferentPlaces", "a\nb\nc", "L\na\nb\nc", "a\nb\nc\nR", "L\na\nb\nc\nR"},
		{"EditsOfDifferentParagraphs", "a\nb\nc", "A\nb\nc", "a\nb\nC", "A\nb\nC"},
		{"SameEditBothSides", "a\nb", "a\nB", "a\nB", "a\nB"},
		{"ConflictingEdits", "a\nb\nc", "a\nB1\nc", "a\nB2\nc", "a\n<<B1|B2>>\nc"},
		{"DeleteVsEdit", "a\nb\nc", "a\nc", "a\nB\nc", "a\n<<|B>>\nc"},
		{"DeleteOneSide", "a\nb\nc", "a\nc", "a\nb\nc", "a\nc"},
		{"DeleteAndAddElsewhere", "a\nb\nc", "a\nc", "a\nb\nc\nd", "a\nc\nd"},
		{"InsertBeforeEditedParagraph", "a\nb", "a\nnew\nb", "a\nB", "a\nnew\nB"},
		{"EditAndAddBothSides", "a\nb", "a\nB1\nleft", "a\nB2\nright", "a\n<<B1|B2>>\nleft\nright"},
		{"EditPlusAddVsAdd", "a\nb", "a\nB\nleft", "a\nb\nright", "a\nB\nleft\nright"},
		{"CJKAdds", "警察来了。", "警察来了。\n他们问我哥哥的事。", "警察来了。\n第二天又来了。", "警察来了。\n他们问我哥哥的事。\n第二天又来了。"},
		{"CJKConflict", "护照被没收。", "护照被没收了两次。", "护照被没收，母亲被传唤。", "<<护照被没收了两次。|护照被没收，母亲被传唤。>>"},
		{"Spans", "Came to {{#1|the home province}}.", "Came to {{#1|the home province}}.\nAsked about {{#2|a name}}.", "Came to {{#1|the home province}}.\nMet {{#3|a name}}.",
			"Came to {{#1|the home province}}.\nAsked about {{#2|a name}}.\nMet {{#3|a name}}."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := render(merge3(splitParagraphs(tc.base), splitParagraphs(tc.left), splitParagraphs(tc.right)))
			if got != tc.want {
				t.Fatalf("merge3:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestMergeSets(t *testing.T) {
	if got, want := mergeSet([]string{"a", "b", "c"}, []string{"a", "c", "l"}, []string{"a", "b", "c", "r"}), []string{"a", "c", "l", "r"}; !slices.Equal(got, want) {
		t.Fatalf("tags %v, want %v (b removed on the left, l and r added)", got, want)
	}
	base := []Relative{{"sister", []string{"summoned"}}, {"father", []string{"fired"}}}
	left := []Relative{{"sister", []string{"summoned", "exit-ban"}}, {"father", []string{"fired"}}}
	right := []Relative{{"sister", []string{"summoned"}}, {"brother", []string{"detained"}}} // father removed
	got := mergeRelatives(base, left, right)
	want := []Relative{{"sister", []string{"summoned", "exit-ban"}}, {"brother", []string{"detained"}}}
	if len(got) != len(want) {
		t.Fatalf("relatives %v, want %v", got, want)
	}
	for i := range got {
		if got[i].Relation != want[i].Relation || !slices.Equal(got[i].Harms, want[i].Harms) {
			t.Fatalf("relatives %v, want %v", got, want)
		}
	}
	// Removed on one side, changed on the other: the change is kept.
	got = mergeRelatives(base, []Relative{{"sister", []string{"summoned", "exit-ban"}}, {"father", []string{"fired"}}}, []Relative{{"father", []string{"fired"}}})
	if len(got) != 2 || got[0].Relation != "sister" || len(got[0].Harms) != 2 {
		t.Fatalf("relatives %v: the sister's new harm was dropped", got)
	}
}

func TestCheckSpanSources(t *testing.T) {
	id := strings.Repeat("a", 64)
	for _, tc := range []struct {
		name    string
		sources []SpanSource
		ok      bool
	}{
		{"OK", []SpanSource{{id, [][2]int{{1, 1}, {2, 1}}}}, true},
		{"PastSpanCount", []SpanSource{{id, [][2]int{{3, 1}}}}, false},
		{"Zero", []SpanSource{{id, [][2]int{{0, 1}}}}, false},
		{"Twice", []SpanSource{{id, [][2]int{{1, 1}}}, {id, [][2]int{{1, 2}}}}, false},
		{"NoRevision", []SpanSource{{"", [][2]int{{1, 1}}}}, false},
	} {
		r := &Revision{SpanCount: 2, SpanSources: tc.sources}
		if err := r.checkSpanSources(); (err == nil) != tc.ok {
			t.Errorf("%s: err=%v", tc.name, err)
		}
	}
}

func TestDiff(t *testing.T) {
	got := Diff("a\nb\nc\nd\ne\nf\ng", "a\nb\nC\nd\ne\nf\ng\nh", 1)
	var b strings.Builder
	for _, l := range got {
		b.WriteString([]string{" ", "-", "+"}[l.Op] + l.Text + "\n")
	}
	if want := " a\n b\n-c\n+C\n d\n …\n g\n+h\n"; b.String() != want {
		t.Fatalf("diff:\n%s\nwant:\n%s", b.String(), want)
	}
	// Past the cost limit the diff is coarse, never wrong.
	var a, c []string
	for i := range 3000 {
		a = append(a, "x"+strings.Repeat("a", i%7))
		c = append(c, "y"+strings.Repeat("a", i%5))
	}
	hs := diffHunks(a, c)
	if len(hs) != 1 || hs[0] != (hunk{0, 3000, 0, 3000}) {
		t.Fatalf("coarse diff %v", hs)
	}
}

// BenchmarkMerge3 merges a 5,000-paragraph testimony (about 1 MB) with an
// edit and an addition on each side.
func BenchmarkMerge3(b *testing.B) {
	base := make([]string, 5000)
	for i := range base {
		base[i] = strings.Repeat("警察来了，问我什么时候回国。", 10) + string(rune('a'+i%26))
	}
	left, right := slices.Clone(base), slices.Clone(base)
	left[100] += " edited"
	left = slices.Insert(left, 2500, "left added")
	right[4000] += " edited"
	right = append(right, "right added")
	for b.Loop() {
		if c := merge3(base, left, right); len(c) != 1 {
			b.Fatalf("%d chunks", len(c))
		}
	}
}
