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
