package vault

import (
	"strings"
	"testing"
	"unicode"
)

// excerptRunes is excerpt as it was, over the whole text as runes: the
// reference the one that works around the first match must equal.
func excerptRunes(text string, words []string) (line, col, matches int, out string) {
	rs := []rune(text)
	// Lower-cased rune by rune, so that an index in one is an index in
	// the other.
	lower := make([]rune, len(rs))
	for i, r := range rs {
		lower[i] = unicode.ToLower(r)
	}
	first, firstLen := -1, 0
	for _, w := range words {
		wr := []rune(w)
		for i := range wr {
			wr[i] = unicode.ToLower(wr[i])
		}
		for i := 0; i+len(wr) <= len(lower); {
			if runesAt(lower, i, wr) {
				matches++
				if first < 0 || i < first {
					first, firstLen = i, len(wr)
				}
				i += len(wr)
				continue
			}
			i++
		}
	}
	if first < 0 {
		return 0, 0, 0, ""
	}
	line, col = 1, 1
	for _, r := range rs[:first] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	start, cells := first, 0
	for start > 0 && cells+cellWidth(rs[start-1]) <= excerptBefore && rs[start-1] != '\n' {
		start--
		cells += cellWidth(rs[start])
	}
	end := first
	for end < len(rs) && (end < first+firstLen || cells+cellWidth(rs[end]) <= excerptCells) {
		cells += cellWidth(rs[end])
		end++
	}
	// Whole words at both ends, where the text has spaces between them.
	if start > 0 && !unicode.IsSpace(rs[start-1]) {
		for i := start; i < first; i++ {
			if unicode.IsSpace(rs[i]) {
				start = i + 1
				break
			}
		}
	}
	if end < len(rs) && !unicode.IsSpace(rs[end]) {
		for i := end - 1; i > first+firstLen; i-- {
			if unicode.IsSpace(rs[i]) {
				end = i
				break
			}
		}
	}
	// Nor a comma or full stop of the sentence before.
	for start < first && strings.ContainsRune("，。、；：？！」』）", rs[start]) {
		start++
	}
	var b strings.Builder
	if start > 0 && rs[start-1] != '\n' {
		b.WriteString("…")
	}
	b.WriteString(strings.Join(strings.Fields(string(rs[start:end])), " "))
	if end < len(rs) && rs[end] != '\n' {
		b.WriteString("…")
	}
	return line, col, matches, b.String()
}

var excerptSeeds = []struct{ text, words string }{
	{"当地的警察每周两次到我父母家里来。我父亲去办护照的时候，办事员说他的名字在一个名单上。", "警察"},
	{"Officers came to [the home province] twice a week.\nThey asked my mother when I would come back.", "asked mother"},
	{"a\nb\nc\nthe word is here, far from the start of this line of text that goes on and on and on", "word"},
	{strings.Repeat("长句子没有空格也没有标点", 20) + "护照" + strings.Repeat("后面还有很多字", 20), "护照"},
	{"İstanbul ǅemal STRASSE straße \xff\xfe bad bytes Σίσυφος", "istanbul"},
	{"İİİ i̇ x \xff y", "i \xff"},
	{"，。、；：？！」』）护照。", "护照"},
	{strings.Repeat("abc ", 30) + "word" + strings.Repeat(" def", 30), "word"},
	{strings.Repeat("x", 100) + "word" + strings.Repeat("y", 100), "word"},
	{"word" + strings.Repeat(" y", 50), "word"},
	{"ＡＢＣ　全角Ｚ：警察", "ａｂｃ"},
	{"“Quoted” — said THE officer… 警察说", "the 警察"},
	{"no match at all", "zzz"},
	{"", "a"},
	{"aaaa aaaa", "aa a"},
	{"   spaced   out   words   ", "out"},
}

// TestCaseless: no character of the blocks toLower leaves as they are has
// a lower case; and toLower is strings.ToLower.
func TestCaseless(t *testing.T) {
	for _, b := range caselessBlocks {
		for r := b[0]; r <= b[1]; r++ {
			if unicode.ToLower(r) != r {
				t.Fatalf("%U has a lower case", r)
			}
		}
	}
	for _, c := range excerptSeeds {
		if got, want := toLower(c.text), strings.ToLower(c.text); got != want {
			t.Fatalf("toLower(%q) = %q, want %q", c.text, got, want)
		}
	}
}

// TestExcerpt: the excerpt, its place and the number of matches are those
// of the whole-text version.
func TestExcerpt(t *testing.T) {
	for _, c := range excerptSeeds {
		checkExcerpt(t, c.text, c.words)
	}
}

func FuzzExcerpt(f *testing.F) {
	for _, c := range excerptSeeds {
		f.Add(c.text, c.words)
	}
	f.Fuzz(checkExcerpt)
}

func checkExcerpt(t *testing.T, text, query string) {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return
	}
	if got, want := toLower(text), strings.ToLower(text); got != want {
		t.Fatalf("toLower(%q) = %q, want %q", text, got, want)
	}
	l1, c1, m1, e1 := excerpt(text, words)
	l2, c2, m2, e2 := excerptRunes(text, words)
	if l1 != l2 || c1 != c2 || m1 != m2 || e1 != e2 {
		t.Fatalf("%q %q: %d:%d %d %q, want %d:%d %d %q", text, words, l1, c1, m1, e1, l2, c2, m2, e2)
	}
}

func runesAt(s []rune, i int, w []rune) bool {
	for j, r := range w {
		if s[i+j] != r {
			return false
		}
	}
	return true
}
