package vault_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// TestSpanErrorPlace: a span written wrong is reported at its line and
// column (in characters, Chinese counted as one), never with its content.
func TestSpanErrorPlace(t *testing.T) {
	v, _ := MustCreate(t)
	for _, c := range []struct {
		testimony      string
		off, line, col int
		problem        string
	}{
		{"第一行\n警察说 {{Zhou Wei", 8, 2, 5, "is not closed"},
		{"ab {{Zhou}} cd", 3, 1, 4, "needs a public description"},
		{"x\ny\nz {{#7|a name}}", 6, 3, 3, "which this interview does not have"},
	} {
		var in vault.Input
		in.Pseudonym, in.Testimony = "P", c.testimony
		_, err := v.Add(context.Background(), []vault.Input{in})
		var se *vault.SpanError
		if !errors.As(err, &se) || !errors.Is(err, vault.ErrInvalid) {
			t.Fatalf("%q: %v, want a SpanError wrapping ErrInvalid", c.testimony, err)
		}
		if se.Offset != c.off || se.Line != c.line || se.Column != c.col || !strings.Contains(err.Error(), c.problem) {
			t.Errorf("%q: %+v (%v), want offset %d, line %d, column %d, %q", c.testimony, se, err, c.off, c.line, c.col, c.problem)
		}
		if strings.Contains(err.Error(), "Zhou") {
			t.Errorf("the error quotes the span: %v", err)
		}
	}
}
