package tui

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/vault"
)

// pane is what the interview screen shows.
type pane int

const (
	paneView     pane = iota // the interview, read only
	paneForm                 // the metadata form
	paneEditor               // the testimony editor
	paneIdentity             // the identity form
)

// dialog is a question over the current pane.
type dialog int

const (
	dlgNone dialog = iota
	dlgSpan        // secret and description of a new sensitive span
	dlgReid        // the testimony names the interviewee
	dlgSaving
)

// meta are the metadata form's values. huh binds to these fields.
type meta struct {
	pseudonym, date, location, mode, language, interviewer string
	anonymity                                              bool
	consent, tags                                          []string
	// relatives, one a line: "sister: summoned, exit-ban".
	relatives string
}

// identityFields are the identity form's values, in the clear until saved.
// huh keeps strings, which cannot be wiped; they are dropped as soon as the
// identity is sealed, and on lock.
type identityFields struct {
	name, aliases, contact, relatives, notes string
}

func (f identityFields) empty() bool {
	return strings.TrimSpace(f.name+f.aliases+f.contact+f.relatives+f.notes) == ""
}

// interviewScreen edits one interview.
type interviewScreen struct {
	common
	st    *store
	clock Clock

	id       string // "" until the first save of a new interview
	draftKey string
	pane     pane
	dialog   dialog

	meta     meta
	ident    identityFields
	codebook []string
	form     *huh.Form
	idForm   *huh.Form
	editor   *editor

	spanForm             *huh.Form
	spanSecret, spanDesc string
	reidHits             []reidHit
	spinner              spinner.Model

	// sealed: the saved interview has an identity or span secrets sealed
	// to the custodian. justSealed: this session's save sealed them.
	sealed, justSealed bool
	// heads is the number of head versions of the saved interview; more
	// than one is a conflict, which the next save resolves.
	heads int
	// justSealedSpans: this session's save sealed span secrets.
	justSealedSpans bool
	draftSealed     bool // the restored draft had secrets, now sealed

	dirty   bool // changes not yet in a draft or a save
	changed bool // changes not yet saved as a revision
	editSeq int
	saveSeq int // editSeq when the last save began
	status  string
	err     string

	autosaveDelay time.Duration
	// startInEditor opens the testimony editor once loaded (e in the list).
	startInEditor bool
	// loaded: the interview (or its draft) and the codebook are in. Keys
	// wait for it: a save before it would save an empty interview.
	loaded bool
}

// Messages of the interview screen.
type (
	autosaveMsg   struct{ seq int }
	draftSavedMsg struct {
		seq int
		key string
		at  time.Time
		err error
	}
	savedMsg struct {
		id   string
		view *vault.View
		err  error
	}
	loadedMsg struct {
		view     *vault.View
		draft    *vault.Draft
		codebook []string
		err      error
	}
)

func newInterviewScreen(c common, st *store, clock Clock, delay time.Duration) *interviewScreen {
	i := &interviewScreen{common: c, st: st, clock: clock, autosaveDelay: delay,
		editor: newEditor(c), spinner: spinner.New(spinner.WithSpinner(spinner.Line))}
	return i
}

// loadInterview reads an interview (or its draft) and the codebook.
func loadInterview(st *store, id, draftKey string) tea.Cmd {
	return func() tea.Msg {
		var msg loadedMsg
		msg.err = st.do(func(v Store) error {
			var err error
			if msg.codebook, err = v.Codebook(); err != nil {
				return err
			}
			if id != "" {
				if msg.view, err = v.Get(id); err != nil {
					return err
				}
			}
			if draftKey != "" {
				ds, err := v.Drafts()
				if err != nil {
					return err
				}
				for k := range ds {
					if ds[k].Key == draftKey {
						msg.draft = &ds[k]
					}
				}
			}
			return nil
		})
		return msg
	}
}

func (i *interviewScreen) load(msg loadedMsg) tea.Cmd {
	if msg.err != nil {
		i.err = msg.err.Error()
		return nil
	}
	i.loaded = true
	i.codebook = msg.codebook
	if msg.view != nil {
		i.setInterview(msg.view.Interview, msg.view.Marked)
		i.sealed = msg.view.Sealed
		i.heads = msg.view.Heads
	}
	if msg.draft != nil {
		i.draftKey = msg.draft.Key
		i.setInterview(msg.draft.Record, msg.draft.Record.Testimony)
		i.draftSealed = msg.draft.Sealed
		i.changed = true
		i.status = "Restored from the draft of " + msg.draft.UpdatedAt.Local().Format("2006-01-02 15:04")
	}
	i.buildForms()
	if i.startInEditor {
		i.pane = paneEditor
		return nil
	}
	if i.id == "" && msg.view == nil && msg.draft == nil {
		i.pane = paneForm
		return i.form.Init()
	}
	return nil
}

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
				if strings.TrimSpace(s) == "" {
					return errors.New("a pseudonym is required")
				}
				return nil
			}),
			huh.NewInput().Title("Date of the interview (YYYY-MM-DD)").Value(&i.meta.date).Validate(validDate),
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
	).WithShowHelp(false).WithWidth(i.formWidth()).WithHeight(i.bodyHeight())
}

func (i *interviewScreen) buildIdentityForm() {
	i.idForm = huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Real name").Value(&i.ident.name),
		huh.NewInput().Title("Aliases (comma-separated)").Value(&i.ident.aliases),
		huh.NewInput().Title("Contact").Value(&i.ident.contact),
		huh.NewText().Title("Relatives' names, one a line: relation: name").Lines(2).Value(&i.ident.relatives),
		huh.NewText().Title("Notes").Lines(2).Value(&i.ident.notes),
	)).WithShowHelp(false).WithWidth(i.formWidth()).WithHeight(i.bodyHeight() - 2)
}

func (i *interviewScreen) formWidth() int { return min(max(i.width-2, 20), 100) }

// bodyHeight is the height between the header and the status and help
// lines.
func (i *interviewScreen) bodyHeight() int { return max(i.height-2, 3) }

func (i *interviewScreen) SetSize(w, h int) {
	i.width, i.height = w, h
	i.editor.SetSize(w, i.bodyHeight())
	if i.form != nil {
		i.form = i.form.WithWidth(i.formWidth()).WithHeight(i.bodyHeight())
		i.idForm = i.idForm.WithWidth(i.formWidth()).WithHeight(i.bodyHeight() - 2)
	}
}

// clear drops every decrypted value, for locking.
func (i *interviewScreen) clear() {
	i.editor.Clear()
	i.meta = meta{}
	i.ident = identityFields{}
	i.spanSecret, i.spanDesc = "", ""
	i.reidHits = nil
	i.form, i.idForm, i.spanForm = nil, nil, nil
}

func validDate(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return errors.New("a date as YYYY-MM-DD")
	}
	return nil
}

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
	return in, nil
}

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

// touch records an edit and schedules the autosave for when typing stops.
func (i *interviewScreen) touch() tea.Cmd {
	i.dirty, i.changed = true, true
	i.editSeq++
	seq := i.editSeq
	return tea.Tick(i.autosaveDelay, func(time.Time) tea.Msg { return autosaveMsg{seq} })
}

// saveDraft writes the draft now, if anything changed since the last one.
func (i *interviewScreen) saveDraft() tea.Cmd {
	if !i.dirty {
		return nil
	}
	in, err := i.input(true)
	if err != nil {
		// Half-typed relatives: the next pause tries again.
		return nil
	}
	if i.draftKey == "" {
		i.draftKey = vault.NewDraftKey()
	}
	key, id, seq, st, clock := i.draftKey, i.id, i.editSeq, i.st, i.clock
	return func() tea.Msg {
		err := st.do(func(v Store) error { return v.SaveDraft(key, id, in) })
		return draftSavedMsg{seq: seq, key: key, at: clock(), err: err}
	}
}

// saveDraftNow writes the draft in the UI loop: before locking, when it
// must be on disk before the decrypted data is dropped.
func (i *interviewScreen) saveDraftNow() {
	if cmd := i.saveDraft(); cmd != nil {
		cmd()
	}
}

// startSave begins a save: checks first, then the write in a command.
func (i *interviewScreen) startSave(force bool) tea.Cmd {
	i.err = ""
	if strings.TrimSpace(i.meta.pseudonym) == "" {
		i.err = "A pseudonym is required before saving."
		if i.pane != paneForm {
			i.pane = paneForm
			return i.form.Init()
		}
		return nil
	}
	if !force {
		if hits := reidCheck(i.editor.Value(), i.ident); len(hits) > 0 {
			i.reidHits = hits
			i.dialog = dlgReid
			return nil
		}
	}
	in, err := i.input(true)
	if err != nil {
		i.err = err.Error()
		return nil
	}
	withIdentity := in.Identity != nil
	i.dialog = dlgSaving
	// A pending autosave must not write a draft after the save has
	// deleted it.
	i.editSeq++
	i.saveSeq = i.editSeq
	st, draftKey := i.st, i.draftKey
	save := func() tea.Msg {
		var msg savedMsg
		msg.err = st.do(func(v Store) error {
			ids, err := v.Add([]vault.Input{in})
			if err != nil {
				return err
			}
			msg.id = ids[0]
			if draftKey != "" {
				if err := v.DeleteDraft(draftKey); err != nil {
					return err
				}
			}
			msg.view, err = v.Get(ids[0])
			return err
		})
		// The identity in the clear is no longer needed here; vault wiped
		// its own copy once sealed.
		in.Identity = nil
		if msg.err == nil && withIdentity {
			msg.view.Sealed = true
		}
		return msg
	}
	return tea.Batch(i.spinner.Tick, save)
}

func (i *interviewScreen) saved(msg savedMsg) tea.Cmd {
	i.dialog = dlgNone
	if msg.err != nil {
		i.err = "Not saved: " + msg.err.Error()
		// Keep the work in a draft meanwhile.
		return i.saveDraft()
	}
	hadIdentity := !i.ident.empty()
	hadSpans := strings.Contains(i.editor.Value(), "{{") && !onlyMarkers(i.editor.Value())
	i.id = msg.id
	i.draftKey = ""
	i.dirty, i.changed = false, false
	i.editSeq++
	// The testimony now holds markers, never the secrets just sealed; the
	// identity typed is dropped.
	i.editor.SetValue(msg.view.Marked)
	i.ident = identityFields{}
	i.buildIdentityForm()
	i.sealed = i.sealed || msg.view.Sealed
	i.heads = msg.view.Heads
	i.justSealed = hadIdentity
	i.justSealedSpans = hadSpans
	i.status = "Saved " + i.clock().Format("15:04:05")
	i.pane = paneView
	return nil
}

var markerRe = regexp.MustCompile(`\{\{#\d+(\|[^}]*)?\}\}`)

// onlyMarkers reports whether every {{…}} of text is a saved span's marker.
func onlyMarkers(text string) bool {
	return !strings.Contains(markerRe.ReplaceAllString(text, ""), "{{")
}

// Update handles a message for the interview screen.
func (i *interviewScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		return i.load(msg)
	case spinner.TickMsg:
		if i.dialog != dlgSaving {
			return nil
		}
		var cmd tea.Cmd
		i.spinner, cmd = i.spinner.Update(msg)
		return cmd
	case autosaveMsg:
		if msg.seq == i.editSeq && i.dialog != dlgSaving {
			return i.saveDraft()
		}
		return nil
	case draftSavedMsg:
		if msg.seq < i.saveSeq {
			return nil // written before a save, which replaced it
		}
		if msg.err != nil {
			i.err = "The draft was not saved: " + msg.err.Error()
			return nil
		}
		if msg.seq == i.editSeq {
			i.dirty = false
		}
		if i.id == "" || i.draftKey == msg.key {
			i.draftKey = msg.key
		}
		i.status = "Draft saved " + msg.at.Format("15:04:05")
		return nil
	case savedMsg:
		return i.saved(msg)
	case tea.KeyMsg:
		return i.key(msg)
	}
	// Anything else (huh's own messages) goes to the form in front.
	cmd := i.toForm(msg)
	return tea.Batch(cmd, i.formDone())
}

// formDone acts on a form that has just completed: huh completes a form in
// its own messages, after the key.
func (i *interviewScreen) formDone() tea.Cmd {
	switch {
	case i.dialog == dlgSpan && i.spanForm.State == huh.StateCompleted:
		i.editor.Insert("{{" + strings.TrimSpace(i.spanSecret) + "|" + strings.TrimSpace(i.spanDesc) + "}}")
		i.spanSecret, i.spanDesc = "", ""
		i.spanForm = nil
		i.dialog = dlgNone
		return i.touch()
	case i.dialog != dlgNone:
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

// toForm passes a message to the form in front, if any.
func (i *interviewScreen) toForm(msg tea.Msg) tea.Cmd {
	var f **huh.Form
	switch {
	case i.dialog == dlgSpan:
		f = &i.spanForm
	case i.pane == paneForm:
		f = &i.form
	case i.pane == paneIdentity:
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
	if i.dialog == dlgNone && (*f).GetFocusedField() != before {
		// Leaving a field saves the draft at once. huh moves the focus in
		// its own message, after the key.
		return tea.Batch(cmd, i.saveDraft())
	}
	return cmd
}

func (i *interviewScreen) key(msg tea.KeyMsg) tea.Cmd {
	if !i.loaded {
		return nil
	}
	switch i.dialog {
	case dlgSaving:
		return nil
	case dlgReid:
		switch msg.String() {
		case "p":
			i.editor.SetValue(protect(i.editor.Value(), i.reidHits))
			i.reidHits = nil
			i.dialog = dlgNone
			return tea.Batch(i.touch(), i.startSave(true))
		case "y":
			i.reidHits = nil
			i.dialog = dlgNone
			return i.startSave(true)
		case "esc", "n":
			i.reidHits = nil
			i.dialog = dlgNone
		}
		return nil
	case dlgSpan:
		if msg.Type == tea.KeyEsc {
			i.dialog = dlgNone
			i.spanSecret, i.spanDesc = "", ""
			return nil
		}
		cmd := i.toForm(msg)
		return tea.Batch(cmd, i.formDone())
	}

	if key.Matches(msg, i.keys.Save) {
		return i.startSave(false)
	}
	switch i.pane {
	case paneView:
		switch {
		case key.Matches(msg, i.keys.Edit):
			i.pane = paneEditor
		case key.Matches(msg, i.keys.Metadata), key.Matches(msg, i.keys.Open):
			i.pane = paneForm
			i.buildForms()
			return i.form.Init()
		case key.Matches(msg, i.keys.Identity):
			i.pane = paneIdentity
			i.buildIdentityForm()
			return i.idForm.Init()
		}
		return nil
	case paneEditor:
		switch {
		case key.Matches(msg, i.keys.Back):
			i.pane = paneView
			return i.saveDraft()
		case key.Matches(msg, i.keys.Span):
			i.openSpanDialog()
			return i.spanForm.Init()
		}
		if i.editor.Update(msg) {
			return i.touch()
		}
		return nil
	case paneForm, paneIdentity:
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
	return nil
}

func (i *interviewScreen) openSpanDialog() {
	i.spanSecret, i.spanDesc = "", ""
	noMarkup := func(what string) func(string) error {
		return func(s string) error {
			if strings.TrimSpace(s) == "" {
				return fmt.Errorf("the %s is required", what)
			}
			if strings.ContainsAny(s, "|{}") {
				return fmt.Errorf("the %s cannot hold | { or }", what)
			}
			return nil
		}
	}
	i.spanForm = huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Secret (sealed to the custodian)").Value(&i.spanSecret).Validate(noMarkup("secret")),
		huh.NewInput().Title("Public description (what readers see)").Placeholder("the home province").
			Value(&i.spanDesc).Validate(noMarkup("description")),
	)).WithShowHelp(false).WithWidth(min(60, i.width-4))
	i.dialog = dlgSpan
}

// helpKeys are the bindings shown in the help bar for the current pane.
func (i *interviewScreen) helpKeys() []key.Binding {
	k := i.keys
	switch {
	case i.dialog == dlgReid:
		return []key.Binding{k.Protect, k.Yes, k.Back}
	case i.dialog != dlgNone:
		return []key.Binding{k.Back}
	case i.pane == paneEditor:
		return []key.Binding{k.Span, k.Save, k.Back, k.Lock}
	case i.pane == paneForm, i.pane == paneIdentity:
		return []key.Binding{key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/enter", "next")), k.Save, k.Back, k.Lock}
	}
	if i.heads > 1 {
		return []key.Binding{k.Compare, k.Edit, k.Metadata, k.Save, k.Back, k.Lock, k.Help}
	}
	return []key.Binding{k.Edit, k.Metadata, k.Identity, k.Save, k.Back, k.Lock, k.Help, k.Reveal}
}

func (i *interviewScreen) header() string {
	name := i.meta.pseudonym
	if strings.TrimSpace(name) == "" {
		name = "(new interview)"
	}
	left := i.styles.Title.Render("Interview · " + name)
	var right string
	switch {
	case i.dirty:
		right = i.styles.Warn.Render("● unsaved")
	case i.status != "":
		right = i.styles.OK.Render("✓ " + i.status)
	}
	gap := max(i.width-lipgloss.Width(left)-lipgloss.Width(right), 1)
	return left + strings.Repeat(" ", gap) + right
}

func (i *interviewScreen) View() string {
	if !i.loaded {
		if i.err != "" {
			return i.styles.Error.Render(i.err)
		}
		return "Opening…"
	}
	var body string
	switch i.pane {
	case paneForm:
		body = i.form.View()
	case paneEditor:
		body = i.editor.View()
	case paneIdentity:
		note := "Sealed to the custodian on save: this laptop cannot read it back afterwards."
		if i.sealed {
			note = "An identity is sealed already; what you type here replaces it on save."
		}
		body = i.styles.Warn.Render(note) + "\n" + i.idForm.View()
	default:
		body = i.overview()
	}
	switch i.dialog {
	case dlgSpan:
		body = i.styles.Box.Render(i.styles.Title.Render("Sensitive span") + "\n" + i.spanForm.View())
	case dlgReid:
		body = i.reidView()
	case dlgSaving:
		body = body + "\n" + i.spinner.View() + " Saving…"
	}
	body = lipgloss.NewStyle().Height(i.bodyHeight()).MaxHeight(i.bodyHeight()).Render(body)
	status := ""
	if i.err != "" {
		status = i.styles.Error.Render(i.err)
	} else if i.pane == paneEditor {
		status = i.styles.Dim.Render(fmt.Sprintf("Testimony · %d characters · ctrl+k: sensitive span", i.editor.Len()))
	}
	return i.header() + "\n" + body + "\n" + status
}

func (i *interviewScreen) overview() string {
	var b strings.Builder
	m := i.meta
	if i.heads > 1 {
		b.WriteString(i.styles.Warn.Render(fmt.Sprintf("Conflict: %d versions, saved on different laptops. v compares them;", i.heads)) + "\n")
		b.WriteString(i.styles.Warn.Render("this screen holds the newest. ctrl+s saves it as the merge of all.") + "\n")
	}
	line := func(label, v string) {
		if v == "" {
			v = "—"
		}
		fmt.Fprintf(&b, "%-12s %s\n", label+":", v)
	}
	line("Date", m.date)
	line("Where", m.location)
	line("Mode", m.mode)
	line("Language", m.language)
	line("Interviewer", m.interviewer)
	consent := strings.Join(m.consent, ", ")
	if consent == "" {
		consent = "none recorded"
	}
	anon := "no"
	if m.anonymity {
		anon = "yes"
	}
	line("Anonymity", anon)
	line("Consent", consent)
	line("Tags", strings.Join(m.tags, ", "))
	line("Relatives", strings.ReplaceAll(strings.TrimSpace(m.relatives), "\n", "; "))
	switch {
	case i.justSealed:
		b.WriteString(i.styles.OK.Render("Identity: sealed to the custodian. It cannot be read on this laptop.") + "\n")
	case !i.ident.empty():
		b.WriteString(i.styles.Warn.Render("Identity: typed; it will be sealed to the custodian on save.") + "\n")
	case i.sealed:
		b.WriteString("Identity: sealed to the custodian; it cannot be read on this laptop.\n")
	default:
		b.WriteString("Identity: none (press i to add one; it is sealed on save).\n")
	}
	if i.justSealedSpans {
		b.WriteString(i.styles.OK.Render("Span secrets: sealed to the custodian; the testimony keeps the descriptions.") + "\n")
	}
	if i.draftSealed {
		b.WriteString(i.styles.Dim.Render("Secrets typed in the draft were sealed to the custodian and are not shown.") + "\n")
	}
	b.WriteString(i.styles.Header.Render("Testimony") + "\n")
	used := strings.Count(b.String(), "\n")
	pv := *i.editor
	pv.cur = -1
	pv.top = 0
	pv.height = max(i.bodyHeight()-used, 1)
	b.WriteString(pv.View())
	return b.String()
}
