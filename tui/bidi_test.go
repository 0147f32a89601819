package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// Bidi controls in testimony (kept: it is what was said) are shown
// escaped, so the screen never shows text in another order than stored;
// the mark right-to-left text needs (RLM) is shown as it is.
func TestBidiShownEscaped(t *testing.T) {
	in := vault.Input{}
	in.Pseudonym, in.Testimony = "Reed", "He said \u202eevil\u202c and \u2067عربي\u2069 שלום\u200f."
	dir, _ := mustVault(t, in)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.waitFor("Reed")
	u.key(tea.KeyEnter)
	u.waitFor(`\u202eevil\u202c`, `\u2067`)
	screen := u.finalScreen()
	if strings.ContainsAny(screen, "\u202e\u202c\u2067\u2069") {
		t.Fatalf("a bidi control reached the screen:\n%s", screen)
	}
	if !strings.Contains(screen, "שלום\u200f") {
		t.Fatalf("the RLM was escaped or lost:\n%s", screen)
	}
}
