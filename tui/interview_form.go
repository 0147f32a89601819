package tui

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/tvault/tvault/vault"
)

// The interview's details form, and what it builds for vault.

// meta are the metadata form's values. huh binds to these fields.
type meta struct {
	pseudonym, date, location, mode, language, interviewer string
	anonymity                                              bool
	consent, tags                                          []string
	// relatives, one a line: "sister: summoned, exit-ban".
	relatives string
}

func (i *interviewScreen) buildForms() {
	tags := append([]string{}, i.codebook...)
	for _, t := range i.meta.tags {
		if !contains(tags, t) {
			tags = append(tags, t)
		}
	}
	modes := []huh.Option[string]{huh.NewOption("(not given)", "")}
	for _, m := range vault.Modes {
		modes = append(modes, huh.NewOption(m, m))
	}
	i.buildMetaForm(tags, modes)
	i.buildIdentityForm()
}

func (i *interviewScreen) buildMetaForm(tags []string, modes []huh.Option[string]) {
	i.form = huh.NewForm(
		huh.NewGroup(
			huh.NewInput().Title("Pseudonym (required)").Value(&i.meta.pseudonym).Validate(func(s string) error {
				// The rule is vault's; the words are the form's.
				if err := vault.CheckPseudonym(s); err != nil {
					if strings.TrimSpace(s) == "" {
						return errors.New("a pseudonym is required")
					}
					return fmt.Errorf("a pseudonym has at most %d characters", vault.MaxPseudonym)
				}
				return nil
			}),
			huh.NewInput().Key(dateKey).Title("Date of the interview (YYYY-MM-DD)").Value(&i.meta.date).Validate(validDate),
			huh.NewInput().Title("Where (coarse: a city or a country)").Value(&i.meta.location),
			huh.NewSelect[string]().Title("Mode").Options(modes...).Value(&i.meta.mode).Inline(true),
			huh.NewInput().Title("Language").Value(&i.meta.language),
			huh.NewInput().Title("Interviewer").Value(&i.meta.interviewer),
		),
		huh.NewGroup(
			huh.NewConfirm().Title("Anonymity requested?").Value(&i.meta.anonymity),
			huh.NewMultiSelect[string]().Title("Consent given to").Options(
				huh.NewOption("record", "record"), huh.NewOption("quote", "quote"), huh.NewOption("share", "share"),
			).Description("space or x selects").Value(&i.meta.consent),
			huh.NewText().Title("Relatives and harms, one a line (no names)").
				Description("sister: summoned, exit-ban").Lines(4).Value(&i.meta.relatives).Validate(validRelatives),
		),
		huh.NewGroup(
			huh.NewMultiSelect[string]().Title("Tags (from the codebook)").Description("space or x selects, / filters").
				Options(huh.NewOptions(tags...)...).
				Value(&i.meta.tags).Height(12).Filterable(true),
		),
	).WithShowHelp(false).WithWidth(i.formWidth()).WithHeight(i.formHeight())
}

func (i *interviewScreen) formWidth() int { return min(max(i.width-2, 20), 100) }

// setInterview fills the form and the editor from a saved interview or a
// draft.
func (i *interviewScreen) setInterview(in vault.Interview, marked string) {
	m := meta{pseudonym: in.Pseudonym, date: in.InterviewedOn, location: in.Location, mode: in.Mode,
		language: in.Language, interviewer: in.Interviewer, anonymity: in.AnonymityRequested,
		tags: append([]string{}, in.Tags...)}
	if in.Consent.Record {
		m.consent = append(m.consent, "record")
	}
	if in.Consent.Quote {
		m.consent = append(m.consent, "quote")
	}
	if in.Consent.Share {
		m.consent = append(m.consent, "share")
	}
	var rel []string
	for _, r := range in.Relatives {
		rel = append(rel, r.Relation+": "+strings.Join(r.Harms, ", "))
	}
	m.relatives = strings.Join(rel, "\n")
	i.meta = m
	i.editor.SetValue(marked)
}

// input builds what Add takes. withIdentity adds the identity typed.
func (i *interviewScreen) input(withIdentity bool) (vault.Input, error) {
	var in vault.Input
	in.ID = i.id
	in.Pseudonym = i.meta.pseudonym
	in.InterviewedOn = strings.TrimSpace(i.meta.date)
	in.Location = i.meta.location
	in.Mode = i.meta.mode
	in.Language = i.meta.language
	in.Interviewer = i.meta.interviewer
	in.AnonymityRequested = i.meta.anonymity
	in.Consent = vault.Consent{Record: contains(i.meta.consent, "record"),
		Quote: contains(i.meta.consent, "quote"), Share: contains(i.meta.consent, "share")}
	in.Tags = append([]string{}, i.meta.tags...)
	in.Testimony = i.editor.Value()
	rel, err := parseRelatives(i.meta.relatives)
	if err != nil {
		return in, fmt.Errorf("relatives: %w", err)
	}
	in.Relatives = rel
	if withIdentity && !i.ident.empty() {
		in.Identity = i.identity()
	}
	in.Sealed = i.draftSeal
	return in, nil
}

func validDate(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if !dateShape.MatchString(s) {
		return errors.New("the date must be written YYYY-MM-DD, e.g. 2019-11-20")
	}
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return errors.New("no such day in the calendar (YYYY-MM-DD)")
	}
	return nil
}

// dateKey is the date field's key in the details form.
const dateKey = "date"

var dateShape = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

func validRelatives(s string) error {
	_, err := parseRelatives(s)
	return err
}

func parseRelatives(s string) ([]vault.Relative, error) {
	out := []vault.Relative{}
	for n, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		rel, harms, _ := strings.Cut(line, ":")
		rel = strings.TrimSpace(rel)
		if rel == "" {
			return nil, fmt.Errorf("line %d: write the relation first, as sister: summoned", n+1)
		}
		r := vault.Relative{Relation: rel, Harms: []string{}}
		for _, h := range strings.Split(harms, ",") {
			if h = strings.TrimSpace(h); h != "" {
				r.Harms = append(r.Harms, h)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// formKey handles a key on the details or the identity form.
func (i *interviewScreen) formKey(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, i.keys.Back) {
		i.pane = paneView
		return i.saveDraft()
	}
	beforeMeta, beforeIdent := fmt.Sprint(i.meta), i.ident
	cmd := i.toForm(msg)
	var cmds []tea.Cmd
	cmds = append(cmds, cmd)
	if fmt.Sprint(i.meta) != beforeMeta || i.ident != beforeIdent {
		cmds = append(cmds, i.touch())
	}
	cmds = append(cmds, i.formDone())
	return tea.Batch(cmds...)
}

// toForm passes a message to the pane's form, if it has one.
func (i *interviewScreen) toForm(msg tea.Msg) tea.Cmd {
	var f **huh.Form
	switch i.pane {
	case paneForm:
		f = &i.form
	case paneIdentity:
		f = &i.idForm
	default:
		return nil
	}
	if *f == nil {
		return nil
	}
	before := (*f).GetFocusedField()
	m, cmd := (*f).Update(msg)
	*f = m.(*huh.Form)
	if i.dlg == nil && (*f).GetFocusedField() != before {
		// Leaving a field saves the draft at once. huh moves the focus in
		// its own message, after the key.
		return tea.Batch(cmd, i.saveDraft())
	}
	return cmd
}

// formDone acts on a form that has just completed: huh completes a form in
// its own messages, after the key.
func (i *interviewScreen) formDone() tea.Cmd {
	switch {
	case i.dlg != nil:
		return nil
	case i.pane == paneForm && i.form.State == huh.StateCompleted:
		// The details end in the testimony.
		i.pane = paneEditor
		return i.saveDraft()
	case i.pane == paneIdentity && i.idForm.State == huh.StateCompleted:
		i.pane = paneView
		return i.saveDraft()
	}
	return nil
}
