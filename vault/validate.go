package vault

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Validation of text, and of revisions made elsewhere.
//
// # Control characters
//
// Text fields refuse every control character but newline and tab: the C0
// controls (U+0000–U+001F), DEL (U+007F) and the C1 controls
// (U+0080–U+009F). A terminal acts on them rather than showing them: ESC
// and CSI (U+009B) start sequences that clear the screen, move the cursor,
// hide text, set the window title or, on some terminals, write to the
// clipboard or answer back with input. Testimony is read on terminals, so
// text that arrives from a bundle could otherwise make `show` display
// something else than the vault holds, or hide a line of it. No language
// needs them in running text: a carriage return is a line end (Add turns
// CRLF into LF) and the rest are device controls. Refusing them at the one
// place every revision passes ([Interview.normalize]) keeps them out of
// new revisions; [Escape] keeps those already stored (or in audit events
// and member names) from reaching a terminal raw.

// checkText refuses invalid UTF-8 and control characters other than \n and
// \t in a text field. The error names the field and the character, never
// the text.
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, field)
	}
	for _, r := range s {
		if isControl(r) {
			return fmt.Errorf("%w: %s holds a control character (U+%04X)", ErrInvalid, field, r)
		}
	}
	return nil
}

// checkLine is checkText for a single-line field (pseudonym, location,
// language, interviewer, a relative's relation and harms; tags are words
// already): it also refuses line breaks and tabs, and every invisible
// format character (Unicode category Cf: bidi controls and marks, zero
// width spaces, the byte order mark, tag characters) but the zero width
// joiner and non-joiner, which Persian and Indic names are spelled with. A
// short field has no use for them, and they make two names that read the
// same differ, or one read in another order than it is.
func checkLine(field, s string) error {
	if err := checkText(field, s); err != nil {
		return err
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t' || r == '\u2028' || r == '\u2029':
			return fmt.Errorf("%w: %s holds a line break or a tab", ErrInvalid, field)
		case r == '\u200c' || r == '\u200d':
		case unicode.Is(unicode.Cf, r):
			return fmt.Errorf("%w: %s holds an invisible formatting character (U+%04X)", ErrInvalid, field, r)
		}
	}
	return nil
}

// isControl reports whether r is a C0 or C1 control or DEL, other than a
// newline or a tab.
func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f)
}

// validate checks a revision made elsewhere, as it arrives in a bundle:
// everything [Vault.Add] would have checked of it, and that it is in the
// form Add writes. Its record must be normalized already (normalizing it
// must change nothing: a signed revision cannot be fixed on the way in);
// its creation time a time; and its testimony must hold only span markers
// as Add writes them, {{#N|description}}, N no more than its span count.
func (r *Revision) validate() error {
	if r.Record.ID != "" {
		return fmt.Errorf("%w: the record names an interview ID", ErrInvalid)
	}
	norm := cloneInterview(r.Record)
	if err := norm.normalize(); err != nil {
		return err
	}
	orig := cloneInterview(r.Record)
	emptyNotNil(&orig)
	if !reflect.DeepEqual(norm, orig) {
		return fmt.Errorf("%w: the record is not in normal form (untrimmed text, upper-case mode or tags, repeated tags or Windows line ends)", ErrInvalid)
	}
	if _, err := time.Parse(time.RFC3339Nano, r.CreatedAt); err != nil {
		return fmt.Errorf("%w: created_at is not a time", ErrInvalid)
	}
	// The author name is not checked: it is whatever the signer's card says,
	// and nothing shows it (history names the roster's member for the key).
	if r.SpanCount < 0 {
		return fmt.Errorf("%w: the span count is negative", ErrInvalid)
	}
	if err := r.checkSpanSources(); err != nil {
		return err
	}
	spans, err := parseSpans(r.Record.Testimony)
	if err != nil {
		return err
	}
	for i, s := range spans {
		if s.ref == 0 {
			return fmt.Errorf("%w: sensitive span %d holds its secret in the clear", ErrInvalid, i+1)
		}
		if s.ref > r.SpanCount {
			return fmt.Errorf("%w: testimony refers to sensitive span #%d, which this interview does not have", ErrInvalid, s.ref)
		}
		if strings.ContainsAny(s.description, "|}") || r.Record.Testimony[s.start:s.end] != fmt.Sprintf("{{#%d|%s}}", s.ref, s.description) {
			return fmt.Errorf("%w: the marker of sensitive span #%d is not in the form {{#N|description}}", ErrInvalid, s.ref)
		}
	}
	return nil
}

// cloneInterview copies in deeply enough for normalize not to touch it.
func cloneInterview(in Interview) Interview {
	out := in
	out.Tags = slices.Clone(in.Tags)
	out.Relatives = slices.Clone(in.Relatives)
	for i := range out.Relatives {
		out.Relatives[i].Harms = slices.Clone(in.Relatives[i].Harms)
	}
	return out
}

// emptyNotNil gives in the empty lists normalize gives it: JSON null and
// [] are the same list.
func emptyNotNil(in *Interview) {
	if in.Tags == nil {
		in.Tags = []string{}
	}
	if in.Relatives == nil {
		in.Relatives = []Relative{}
	}
	for i := range in.Relatives {
		if in.Relatives[i].Harms == nil {
			in.Relatives[i].Harms = []string{}
		}
	}
}
