package tui

import (
	"strings"
	"testing"
)

func TestStrength(t *testing.T) {
	for _, tc := range []struct{ p, want string }{
		{"", "At least 8 characters"},
		{"abc", "Too short: 3 of at least 8"},
		{"password123", "Strength: too easy to guess. This is similar to a commonly used password."},
		{"kitchen table", "Strength: too easy to guess."},
		{"correct horse battery staple", "Strength: strong."},
	} {
		got := strength(tc.p)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("strength of %d characters = %q, want it to start %q", len(tc.p), got, tc.want)
		}
		if tc.p != "" && strings.Contains(got, tc.p) {
			t.Errorf("the feedback repeats the passphrase: %q", got)
		}
	}
}
