package vault

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Escape returns s as a terminal may show it: every control character but
// newline and tab (C0, DEL, C1) and every hidden format character
// (isHiddenFormat: the bidi embeddings, overrides and isolates, which make
// a terminal show text in another order than it is, and invisible ones)
// written as \u followed by its four hex digits (ESC is \u001b, CSI
// \u009b, RLO \u202e; a character beyond U+FFFF as its UTF-16 pair, as
// JSON writes it), and every byte that is not UTF-8 as \x and its two (a
// lone 0x9b is CSI to a terminal in 8-bit mode). Text without any comes
// back as it is.
//
// tvault writes no control characters it did not generate: the command line
// passes all it writes through Escape, and the terminal UI every text it
// shows from the vault, since such text can come from a bundle, a member
// card or a vault written before add refused control characters (see
// validate.go). The \u form was chosen over control pictures (␛) because it
// is ASCII, says which character it was, and inside a JSON string means
// that same character. A backslash in the text is left as it is: Escape
// makes text harmless to a terminal, not reversible.
func Escape(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case isControl(r) || isHiddenFormat(r):
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// firstUnsafe returns the index of the first byte of s that Escape
// rewrites, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || isControl(r) || isHiddenFormat(r) {
			return i
		}
		i += n
	}
	return -1
}

// isHiddenFormat reports whether r is a format character that Escape
// shows as \u: the bidi embeddings, overrides and pop (U+202A–U+202E) and
// isolates (U+2066–U+2069), which reorder what a terminal shows (a name
// that reads "Alice" and is stored "ecilA", a line of testimony shown in
// another order); the deprecated format controls (U+206A–U+206F); the byte
// order mark (U+FEFF); the interlinear annotation controls (U+FFF9–U+FFFB);
// and the tag characters (U+E0000–U+E007F), invisible text that a reader
// never sees. The marks right-to-left text needs in running text (U+200E
// LRM, U+200F RLM, U+061C ALM, U+200C ZWNJ, U+200D ZWJ) are shown as
// they are: they do not reorder text beyond their neighbours, and
// escaping them would garble Arabic, Persian and Hebrew testimony.
func isHiddenFormat(r rune) bool {
	switch {
	case r < 0x2000:
		return false
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x206f:
		return true
	case r == 0xfeff, r >= 0xfff9 && r <= 0xfffb:
		return true
	case r >= 0xe0000 && r <= 0xe007f:
		return true
	}
	return false
}
