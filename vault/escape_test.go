package vault_test

import (
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain 警察\n\tline":             "plain 警察\n\tline",
		"\x1b[2J\x1b]0;title\x07":      `\u001b[2J\u001b]0;title\u0007`,
		"a\rb\x00c\x7f":                `a\u000db\u0000c\u007f`,
		"csi \u009b31m nel \u0085":     `csi \u009b31m nel \u0085`,
		"bad \x9b\xff utf-8":           `bad \x9b\xff utf-8`,
		"\\u001b stays a backslash":    "\\u001b stays a backslash",
		"":                             "",
		"name \u202eecilA\u202c":       `name \u202eecilA\u202c`,
		"iso \u2067x\u2069 bom \ufeff": `iso \u2067x\u2069 bom \ufeff`,
		"tag \U000e0041\U000e007f":     `tag \udb40\udc41\udb40\udc7f`,
		"שלום\u200f עולם \u200c\u200d": "שלום\u200f עולם \u200c\u200d",
	} {
		if got := vault.Escape(in); got != want {
			t.Errorf("Escape(%q)=%q, want %q", in, got, want)
		}
		if strings.ContainsAny(vault.Escape(in), "\x1b\x07\r\x00\x7f\u009b\u0085\u202e\u2067\ufeff\U000e0041") {
			t.Errorf("Escape(%q) keeps a control character", in)
		}
	}
}
