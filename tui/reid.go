package tui

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/dialog"
	"github.com/tvault/tvault/vault"
)

// Re-identification check: before a save, every readable field is searched
// for what was typed into the identity form, the vault's sensitive terms
// and place names (vault.CheckNames). A real name left in the testimony,
// the location or a relative's relation would survive sealing the identity,
// and undo it. While typing, the same check runs after a short pause, off
// the UI loop, and the status line counts its hits: a keypress never waits
// for it.

// reidCheck returns the hits of vault's check in what in would save, with
// the vault's sensitive terms.
func reidCheck(in vault.Input, terms []string) []vault.Hit {
	return vault.CheckNames(in.Interview, in.Identity, terms)
}

// flagDelay is the pause in typing after which the check runs.
const flagDelay = 300 * time.Millisecond

// flagTickMsg: a pause in typing after edit seq; flagsMsg: the check's hits
// in what edit seq left.
type (
	flagTickMsg struct{ seq int }
	flagsMsg    struct {
		seq  int
		hits []vault.Hit
	}
)

// flagSoon runs the check once typing pauses.
func (i *interviewScreen) flagSoon() tea.Cmd {
	seq := i.editSeq
	return tea.Tick(flagDelay, func(time.Time) tea.Msg { return flagTickMsg{seq} })
}

// flagNow runs the check in a command, if nothing was typed since edit seq.
func (i *interviewScreen) flagNow(seq int) tea.Cmd {
	if seq != i.editSeq || !i.loaded {
		return nil
	}
	// Half-typed relatives: the other fields are checked all the same.
	in, _ := i.input(true)
	terms := i.terms
	return func() tea.Msg {
		return flagsMsg{seq: seq, hits: vault.CheckNames(in.Interview, in.Identity, terms)}
	}
}

// flagged keeps the hits of the check, unless the text changed since.
func (i *interviewScreen) flagged(msg flagsMsg) {
	if msg.seq == i.editSeq && i.loaded {
		i.flags = msg.hits
	}
}

// flagSummary counts hits for the status line: never the text, which
// anyone near the screen could read.
func flagSummary(hits []vault.Hit) string {
	var names, places int
	for _, h := range hits {
		if h.Warning() {
			places++
		} else {
			names++
		}
	}
	var parts []string
	if names > 0 {
		parts = append(parts, fmt.Sprintf("%d identifying", names))
	}
	if places == 1 {
		parts = append(parts, "1 place name")
	} else if places > 1 {
		parts = append(parts, fmt.Sprintf("%d place names", places))
	}
	if len(parts) == 0 {
		return ""
	}
	return "⚠ " + strings.Join(parts, ", ") + " (ctrl+s reviews)"
}

// dialogHits lists hits for the dialog: one line per term and field.
func dialogHits(hits []vault.Hit) []dialog.Hit {
	var out []dialog.Hit
	seen := map[dialog.Hit]bool{}
	for _, h := range hits {
		d := dialog.Hit{Term: h.Term, What: h.Kind.Description(), Field: fieldLabel(h.Field)}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// fieldLabel names a field of vault.CheckNames as the forms title it; ""
// for the testimony.
func fieldLabel(field string) string {
	switch {
	case field == "testimony":
		return ""
	case field == "location":
		return "Where"
	case field == "pseudonym":
		return "Pseudonym"
	case strings.HasPrefix(field, "tags"):
		return "Tags"
	case strings.HasPrefix(field, "relatives"):
		return "Relatives"
	}
	return field
}
