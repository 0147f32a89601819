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
				} else if rs := []rune(word); len([]rune(head)) < len(rs) {
					// Not before closing punctuation (，。).
					head = string(rs[:breakBefore(rs, 0, len([]rune(head)))])
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

// noLineStart reports whether r may not begin a line: the closing
// punctuation of Chinese and Japanese text (，。、；：？！」 and the like), as
// typesetting there requires.
func noLineStart(r rune) bool {
	return strings.ContainsRune("，。、；：？！」』）》〉】〕〗〙〛”’…‥・·ー〜ゝゞヽヾ々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ！），．：；？］｝｣､｡‰℃", r)
}

// noLineEnd reports whether r may not end a line: opening brackets and
// quotes.
func noLineEnd(r rune) bool {
	return strings.ContainsRune("「『（《〈【〔〖〘〚“‘（［｛｢", r)
}

// breakBefore returns where a line that starts at start and overflows at
// i should break, in text with no space to break at: at i, or earlier so
// that the next line does not start with closing punctuation nor this one
// end with an opening bracket. It never returns start, so a line always
// moves on.
func breakBefore(buf []rune, start, i int) int {
	b := i
	for b > start+1 && b < len(buf) && noLineStart(buf[b]) {
		b--
	}
	for b > start+1 && noLineEnd(buf[b-1]) {
		b--
	}
	if b <= start {
		return i
	}
	return b
}
