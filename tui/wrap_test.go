package tui

import (
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

func TestWrapWords(t *testing.T) {
	fp := "0A1B 2C3D 4E5F 6071 8293 A4B5 C6D7 E8F9"
	for _, w := range []int{10, 20, 39, 60} {
		got := withFingerprint("你好 · your fingerprint", fp, w)
		for _, line := range strings.Split(got, "\n") {
			if lw := runewidth.StringWidth(line); lw > w {
				t.Errorf("w=%d: line %q is %d cells", w, line, lw)
			}
		}
		if !strings.Contains(strings.Join(strings.Fields(got), ""), strings.ReplaceAll(fp, " ", "")) {
			t.Errorf("w=%d: fingerprint cut:\n%s", w, got)
		}
	}
	r := "age1pq1" + strings.Repeat("x", 100)
	if got := wrapWords(r, 30); strings.ReplaceAll(got, "\n", "") != r {
		t.Errorf("recipient not kept whole: %q", got)
	}
}

// TestNoLineStartsWithPunctuation: the editor and the messages wrap Chinese
// between characters, but never so that ，。、；：？！」 starts a line, and
// never lose or reorder a character.
func TestNoLineStartsWithPunctuation(t *testing.T) {
	text := "警察每周来两次，问我什么时候回国。我妹妹的护照被没收了；她说：「为什么？」我不知道！父亲、母亲、姐姐都被传唤了。"
	// From three characters a line: narrower, "么？」" cannot stay together.
	for w := 8; w <= 40; w++ {
		e := newEditor(common{})
		e.SetSize(w, 50)
		e.SetValue(text)
		e.wrap()
		var joined strings.Builder
		for n, l := range e.lines {
			line := string(e.buf[l.start:l.end])
			joined.WriteString(line)
			if r := []rune(line); n > 0 && len(r) > 0 && noLineStart(r[0]) {
				t.Errorf("editor, width %d: line %d starts with %q: %q", w, n+1, r[0], line)
			}
			if r := []rune(line); n < len(e.lines)-1 && len(r) > 0 && noLineEnd(r[len(r)-1]) {
				t.Errorf("editor, width %d: line %d ends with %q", w, n+1, r[len(r)-1])
			}
			if lw := runewidth.StringWidth(line); lw > w {
				t.Errorf("editor, width %d: line %d is %d cells", w, n+1, lw)
			}
		}
		if joined.String() != text {
			t.Fatalf("editor, width %d: text changed: %q", w, joined.String())
		}
		got := wrapWords(text, w)
		for n, line := range strings.Split(got, "\n") {
			if r := []rune(line); n > 0 && len(r) > 0 && noLineStart(r[0]) {
				t.Errorf("message, width %d: line %d starts with %q", w, n+1, r[0])
			}
			if lw := runewidth.StringWidth(line); lw > w {
				t.Errorf("message, width %d: line %d is %d cells", w, n+1, lw)
			}
		}
		if strings.ReplaceAll(got, "\n", "") != text {
			t.Fatalf("message, width %d: text changed", w)
		}
	}
}
