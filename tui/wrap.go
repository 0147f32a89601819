package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// wrapWords breaks s into lines of at most w screen cells, between words.
// A fingerprint, a card or a recipient is never cut short: a fingerprint
// breaks between its groups, and a word longer than the line (a
// recipient) continues on the next lines, whole. Existing line breaks
// stay.
func wrapWords(s string, w int) string {
	if w < 1 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if runewidth.StringWidth(para) <= w {
			out = append(out, para)
			continue
		}
		var line string
		lineW := 0
		for _, word := range strings.Fields(para) {
			ww := runewidth.StringWidth(word)
			if lineW > 0 && lineW+1+ww <= w {
				line += " "
				lineW++
			} else if lineW > 0 {
				out = append(out, line)
				line, lineW = "", 0
			}
			for ww > w {
				// A word wider than the whole line (a recipient) goes on,
				// whole, over the next lines.
				head := runewidth.Truncate(word, w, "")
				if head == "" {
					_, n := utf8.DecodeRuneInString(word)
					head = word[:n]
				}
				out = append(out, head)
				word = word[len(head):]
				ww = runewidth.StringWidth(word)
			}
			line += word
			lineW += ww
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// withFingerprint is label followed by fingerprint fp on one line if it
// fits in w cells, or else fp on a line of its own, so that the groups
// people read aloud stay together.
func withFingerprint(label, fp string, w int) string {
	if one := label + " " + fp; runewidth.StringWidth(one) <= w || w < 1 {
		return one
	}
	return wrapWords(label, w) + "\n" + wrapWords(fp, w)
}
