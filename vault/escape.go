package vault

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape returns s as a terminal may show it: every control character but
// newline and tab (C0, DEL, C1) written as \u followed by its four hex
// digits (ESC is \u001b, CSI \u009b), and every byte that is not UTF-8 as
// \x and its two (a lone 0x9b is CSI to a terminal in 8-bit mode). Text
// without either comes back as it is.
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
		case isControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
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
		if (r == utf8.RuneError && n == 1) || isControl(r) {
			return i
		}
		i += n
	}
	return -1
}
