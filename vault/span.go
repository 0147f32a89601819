package vault

import (
	"strconv"
	"strings"
	"unicode/utf8"
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
			return nil, spanError(text, open, "is not closed with }}")
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
				return nil, spanError(text, open, "needs a public description: {{secret|description}}")
			}
			if strings.TrimSpace(secret) == "" {
				return nil, spanError(text, open, "has an empty secret")
			}
			if strings.Contains(desc, "{{") {
				return nil, spanError(text, open, "contains {{")
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

// spanError is a SpanError for the span at byte offset off of text.
func spanError(text string, off int, problem string) *SpanError {
	before := text[:off]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return &SpanError{Offset: utf8.RuneCountInString(before), Line: line, Column: col, Problem: problem}
}

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

// RenderReading turns testimony as an editor holds it into what a reader
// sees: every span, stored ({{#N|description}}) or typed and not yet saved
// ({{secret|description}}), becomes [description], so that a secret never
// shows on a reading screen. Text whose spans do not parse is shown as
// RenderPublic shows it.
func RenderReading(text string) string {
	spans, err := parseSpans(text)
	if err != nil {
		return RenderPublic(text)
	}
	var b strings.Builder
	last := 0
	for _, s := range spans {
		b.WriteString(text[last:s.start])
		b.WriteString("[" + s.description + "]")
		last = s.end
	}
	b.WriteString(text[last:])
	return b.String()
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
