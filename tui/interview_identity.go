package tui

import (
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/tvault/tvault/vault"
)

// The interviewee's identity: typed in its own form, sealed to the
// custodian on save, never shown again on this laptop.

// identityFields are the identity form's values, in the clear until saved.
// huh keeps strings, which cannot be wiped; they are dropped as soon as the
// identity is sealed, and on lock.
type identityFields struct {
	name, aliases, contact, relatives, notes string
}

func (f identityFields) empty() bool {
	return strings.TrimSpace(f.name+f.aliases+f.contact+f.relatives+f.notes) == ""
}

func (i *interviewScreen) buildIdentityForm() {
	i.idForm = huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Real name").Value(&i.ident.name),
		huh.NewInput().Title("Aliases (comma-separated)").Value(&i.ident.aliases),
		huh.NewInput().Title("Contact").Value(&i.ident.contact),
		huh.NewText().Title("Relatives' names, one a line: relation: name").Lines(2).Value(&i.ident.relatives),
		huh.NewText().Title("Notes").Lines(2).Value(&i.ident.notes),
	)).WithShowHelp(false).WithWidth(i.formWidth()).WithHeight(i.formHeight() - 2)
}

// identity is the identity typed, for vault.
func (i *interviewScreen) identity() *vault.Identity {
	id := &vault.Identity{Name: strings.TrimSpace(i.ident.name), Contact: strings.TrimSpace(i.ident.contact),
		Notes: strings.TrimSpace(i.ident.notes)}
	for _, a := range strings.Split(i.ident.aliases, ",") {
		if a = strings.TrimSpace(a); a != "" {
			id.Aliases = append(id.Aliases, a)
		}
	}
	for _, line := range strings.Split(i.ident.relatives, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		rel, name, ok := strings.Cut(line, ":")
		if !ok {
			rel, name = "relative", line
		}
		id.Relatives = append(id.Relatives, vault.RelativeByName{Relation: strings.TrimSpace(rel), Name: strings.TrimSpace(name)})
	}
	return id
}
