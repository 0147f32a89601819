package tui

import (
	"strings"

	"github.com/tvault/tvault/tui/dialog"
	"github.com/tvault/tvault/vault"
)

// Re-identification check: before a save, every readable field is searched
// for what was typed into the identity form (vault.CheckNames). A real name
// left in the testimony, the location or a relative's relation would
// survive sealing the identity, and undo it.

// reidCheck returns the hits of vault's check in what in would save.
func reidCheck(in vault.Input) []vault.Hit {
	return vault.CheckNames(in.Interview, in.Identity, nil)
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
