package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/tvault/tvault/tui/dialog"
	"github.com/tvault/tvault/vault"
)

// The interview screen edits one interview. Its parts, by file:
// interview_form.go (the details form), interview_identity.go (the identity
// form), interview_editor.go (the testimony editor), interview_dialog.go
// (the questions over the pane), interview_save.go (drafts and saves) and
// interview_view.go (drawing).

// pane is what the interview screen shows.
type pane int

const (
	paneView     pane = iota // the interview, read only
	paneForm                 // the metadata form
	paneEditor               // the testimony editor
	paneIdentity             // the identity form
)

// interviewScreen edits one interview.
type interviewScreen struct {
	common
	st    *store
	clock Clock

	id       string // "" until the first save of a new interview
	draftKey string
	pane     pane
	dlg      dialog.Dialog // a question over the pane, or nil

	meta     meta
	ident    identityFields
	codebook []string
	form     *huh.Form
	idForm   *huh.Form
	editor   *editor

	custodian string // the fingerprint of the custodian identities are sealed to

	attachments []vault.Attachment // of the saved interview

	reidHits []vault.Hit // what the re-identification dialog warns of
	terms    []string    // the vault's sensitive terms
	flags    []vault.Hit // the check's hits after the last pause in typing

	// sealed: the saved interview has an identity or span secrets sealed
	// to the custodian. justSealed: this session's save sealed them.
	sealed, justSealed bool
	// heads is the number of head versions of the saved interview; more
	// than one is a conflict, which the next save resolves.
	heads int
	// justSealedSpans: this session's save sealed span secrets.
	justSealedSpans bool
	draftSealed     bool // the restored draft had secrets, now sealed
	// draftSeal is the sealed part of the restored draft: every draft and
	// the save keep it as it is, so nothing typed before a lock is lost.
	draftSeal *vault.DraftSeal

	dirty   bool // changes not yet in a draft or a save
	changed bool // changes not yet saved as a revision
	editSeq int
	saveSeq int // editSeq when the last save began
	status  string
	err     string

	autosaveDelay time.Duration
	// startInEditor opens the testimony editor once loaded (e in the list).
	startInEditor bool
	// startPane opens the details or identity form once loaded: where a
	// lock found the person.
	startPane pane
	// loaded: the interview (or its draft) and the codebook are in. Keys
	// wait for it: a save before it would save an empty interview.
	loaded bool
}

// loadedMsg carries an interview (or its draft) and the codebook.
type loadedMsg struct {
	view      *vault.View
	draft     *vault.Draft
	codebook  []string
	terms     []string
	err       error
	custodian string // the custodian's fingerprint
}

func newInterviewScreen(c common, st *store, clock Clock, delay time.Duration) *interviewScreen {
	return &interviewScreen{common: c, st: st, clock: clock, autosaveDelay: delay, editor: newEditor(c)}
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
			if msg.terms, err = v.Terms(); err != nil {
				return err
			}
			msg.custodian = v.CustodianFingerprint()
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
	i.terms = msg.terms
	i.custodian = msg.custodian
	if msg.view != nil {
		i.setInterview(msg.view.Interview, msg.view.Marked)
		i.sealed = msg.view.Sealed
		i.heads = msg.view.Heads
		i.attachments = msg.view.Attachments
	}
	if msg.draft != nil {
		i.draftKey = msg.draft.Key
		i.setInterview(msg.draft.Record, msg.draft.Record.Testimony)
		i.draftSealed = msg.draft.Sealed
		i.draftSeal = msg.draft.Seal
		i.changed = true
		i.status = "Restored from the draft of " + msg.draft.UpdatedAt.Local().Format("2006-01-02 15:04")
	}
	i.buildForms()
	// A restored draft may hold hits already: flag them now.
	flags := i.flagNow(i.editSeq)
	switch {
	case i.startInEditor:
		i.pane = paneEditor
		return flags
	case i.startPane == paneForm:
		i.pane = paneForm
		return tea.Batch(flags, i.form.Init())
	case i.startPane == paneIdentity:
		i.pane = paneIdentity
		return tea.Batch(flags, i.idForm.Init())
	}
	if i.id == "" && msg.view == nil && msg.draft == nil {
		i.pane = paneForm
		return tea.Batch(flags, i.form.Init())
	}
	return flags
}

func (i *interviewScreen) SetSize(w, h int) {
	i.width, i.height = w, h
	i.editor.SetSize(w, i.bodyHeight())
	if i.form != nil {
		i.form = i.form.WithWidth(i.formWidth()).WithHeight(i.formHeight())
		i.idForm = i.idForm.WithWidth(i.formWidth()).WithHeight(i.formHeight() - 2)
	}
}

// bodyHeight is the height between the header and the status and help
// lines.
func (i *interviewScreen) bodyHeight() int { return max(i.height-2, 3) }

// formHeight is the height of the details form: the body less two lines,
// where huh puts a field's error (a blank line, then the error). Without
// them the error is drawn below the screen's edge.
func (i *interviewScreen) formHeight() int { return max(i.bodyHeight()-2, 3) }

// clear drops every decrypted value, for locking.
func (i *interviewScreen) clear() {
	i.editor.Clear()
	i.meta = meta{}
	i.ident = identityFields{}
	i.dlg = nil
	i.attachments = nil
	i.reidHits = nil
	i.flags, i.terms = nil, nil
	i.form, i.idForm = nil, nil
}

// Update handles a message for the interview screen.
func (i *interviewScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		return i.load(msg)
	case spinner.TickMsg:
		if d, ok := i.dlg.(*dialog.Saving); ok {
			return d.Update(msg)
		}
		return nil
	case autosaveMsg:
		if msg.seq == i.editSeq && !i.saving() {
			return i.saveDraft()
		}
		return nil
	case draftSavedMsg:
		return i.draftSaved(msg)
	case flagTickMsg:
		return i.flagNow(msg.seq)
	case flagsMsg:
		i.flagged(msg)
		return nil
	case savedMsg:
		return i.saved(msg)
	case attachedMsg:
		i.attached(msg)
		return nil
	case tea.KeyMsg:
		return i.key(msg)
	}
	// Anything else (huh's own messages) goes to the form in front.
	switch d := i.dlg.(type) {
	case *dialog.Span:
		return i.spanAnswer(d.Update(msg))
	case *dialog.Attach:
		return i.attachAnswer(d.Update(msg))
	}
	cmd := i.toForm(msg)
	return tea.Batch(cmd, i.formDone())
}

func (i *interviewScreen) key(msg tea.KeyMsg) tea.Cmd {
	if i.pane == paneView && i.dlg == nil {
		// The keys that leave the screen.
		k := i.keys
		switch {
		case key.Matches(msg, k.Back):
			// In the UI loop: a quit right after must not lose the draft.
			i.saveDraftNow()
			return i.nav.close(stateList, true)
		case key.Matches(msg, k.Help):
			i.nav.toggleHelp()
			return nil
		case key.Matches(msg, k.Reveal) && (i.id != "" || i.draftSealed):
			// A restored draft's sealed part is revealed too.
			draft := ""
			if i.draftSealed {
				draft = i.draftKey
			}
			return i.nav.openReveal(i.id, draft, i.meta.pseudonym)
		case key.Matches(msg, k.Purge) && i.id != "":
			if i.dirty || i.changed {
				i.err = "Save or discard your edits before purging: a draft would keep them."
				return nil
			}
			return i.nav.openPurge(i.id, i.meta.pseudonym)
		case key.Matches(msg, k.Redact) && i.id != "":
			if i.changed || i.dirty || i.draftKey != "" {
				i.err = "Save (ctrl+s) or discard your changes before redacting history."
				return nil
			}
			return i.nav.openRedact(i.id, i.meta.pseudonym)
		case key.Matches(msg, k.Compare) && i.heads > 1:
			return i.nav.openConflict(i.id)
		case key.Matches(msg, keyHistory) && i.id != "":
			return i.nav.openHistory(i.id, i.meta.pseudonym)
		case key.Matches(msg, k.Read) && i.id != "":
			// The saved interview: edits not yet saved are not in it.
			note := ""
			if i.changed || i.dirty {
				note = "This is the interview as saved: your edits are not in it until ctrl+s."
			}
			return i.nav.openReader(i.id, i.meta.pseudonym, note)
		}
	}
	if !i.loaded {
		return nil
	}
	if i.dlg != nil {
		return i.dialogKey(msg)
	}
	if key.Matches(msg, i.keys.Save) {
		if i.heads > 1 && !i.changed && i.id != "" {
			// Nothing typed: saving would keep the newest version alone.
			// The merge keeps what each version added.
			return i.nav.openConflict(i.id)
		}
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
		case key.Matches(msg, i.keys.Attach):
			return i.openAttachDialog()
		}
		return nil
	case paneEditor:
		return i.editorKey(msg)
	case paneForm, paneIdentity:
		return i.formKey(msg)
	}
	return nil
}
