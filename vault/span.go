package vault

import (
	"fmt"
	"strconv"
	"strings"
)

// Sensitive spans.
//
// Input testimony marks a span as {{secret|description}}. On save the secret
// is sealed to the custodian and the stored testimony keeps only
// {{#N|description}}, N being the span's number within the interview. Shown
// to anyone, a span reads [description], as published reports do.
//
// An edit may keep an existing span by writing its marker {{#N|description}}
// (or just {{#N}}); a marker for a span the interview does not have is an
// error.

// span is one {{…}} found in testimony.
type span struct {
	start, end  int    // byte offsets of the whole {{…}} in the input
	secret      string // empty for a marker
	ref         int    // N of a {{#N…}} marker, else 0
	description string
}

// parseSpans finds every {{…}} in text. Errors name the span's position, never
// its content.
func parseSpans(text string) ([]span, error) {
	var spans []span
	for i := 0; ; {
		open := strings.Index(text[i:], "{{")
		if open < 0 {
			break
		}
		open += i
		closing := strings.Index(text[open+2:], "}}")
		if closing < 0 {
			return nil, fmt.Errorf("%w: sensitive span at character %d is not closed with }}", ErrInvalid, runeOffset(text, open))
		}
		closing += open + 2
		inner := text[open+2 : closing]
		s := span{start: open, end: closing + 2}
		secret, desc, hasBar := strings.Cut(inner, "|")
		if n, ok := parseMarker(secret); ok {
			s.ref = n
			s.description = strings.TrimSpace(desc)
		} else {
			if !hasBar || strings.TrimSpace(desc) == "" {
				return nil, fmt.Errorf("%w: sensitive span at character %d needs a public description: {{secret|description}}", ErrInvalid, runeOffset(text, open))
			}
			if strings.TrimSpace(secret) == "" {
				return nil, fmt.Errorf("%w: sensitive span at character %d has an empty secret", ErrInvalid, runeOffset(text, open))
			}
			if strings.Contains(desc, "{{") {
				return nil, fmt.Errorf("%w: sensitive span at character %d contains {{", ErrInvalid, runeOffset(text, open))
			}
			s.secret = secret
			s.description = strings.TrimSpace(desc)
		}
		spans = append(spans, s)
		i = s.end
	}
	return spans, nil
}

func parseMarker(s string) (int, bool) {
	if !strings.HasPrefix(s, "#") {
		return 0, false
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

func runeOffset(s string, byteOff int) int { return len([]rune(s[:byteOff])) }

// storedSpan is a span of stored (marked) testimony.
type storedSpan struct {
	N           int
	Description string
}

// markedSpans lists the {{#N|description}} markers of stored testimony.
func markedSpans(marked string) []storedSpan {
	spans, err := parseSpans(marked)
	if err != nil {
		return nil
	}
	out := make([]storedSpan, 0, len(spans))
	for _, s := range spans {
		if s.ref > 0 {
			out = append(out, storedSpan{N: s.ref, Description: s.description})
		}
	}
	return out
}

// RenderPublic turns stored testimony into what anyone may read: each
// {{#N|description}} becomes [description].
func RenderPublic(marked string) string {
	if !strings.Contains(marked, "{{") {
		return marked
	}
	var b strings.Builder
	b.Grow(len(marked))
	for {
		open := strings.Index(marked, "{{#")
		if open < 0 {
			b.WriteString(marked)
			return b.String()
		}
		closing := strings.Index(marked[open:], "}}")
		if closing < 0 {
			b.WriteString(marked)
			return b.String()
		}
		closing += open
		_, desc, _ := strings.Cut(marked[open+2:closing], "|")
		b.WriteString(marked[:open])
		b.WriteString("[" + desc + "]")
		marked = marked[closing+2:]
	}
}
