package tui

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/tvault/tvault/tui/dialog"
	"github.com/tvault/tvault/vault"
)

// Drafts and saves. A draft is written, encrypted, when typing pauses and
// when a field is left; a save (ctrl+s) makes a revision, seals the
// identity and span secrets to the custodian, and deletes the draft.

// Messages of drafts and saves.
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
)

// touch records an edit and schedules the autosave for when typing stops.
func (i *interviewScreen) touch() tea.Cmd {
	i.dirty, i.changed = true, true
	i.editSeq++
	seq := i.editSeq
	return tea.Batch(tea.Tick(i.autosaveDelay, func(time.Time) tea.Msg { return autosaveMsg{seq} }), i.flagSoon())
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

func (i *interviewScreen) draftSaved(msg draftSavedMsg) tea.Cmd {
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
	if err := validDate(i.meta.date); err != nil {
		return i.toDateField()
	}
	in, err := i.input(true)
	if err != nil {
		i.err = err.Error()
		return nil
	}
	if !force {
		if hits := reidCheck(in, i.terms); len(hits) > 0 {
			i.openReidDialog(hits)
			return nil
		}
	}
	withIdentity := in.Identity != nil
	d, spin := dialog.NewSaving(i.styles, i.keys)
	i.dlg = d
	// A pending autosave must not write a draft after the save has
	// deleted it.
	i.editSeq++
	i.saveSeq = i.editSeq
	st, draftKey := i.st, i.draftKey
	save := func() tea.Msg {
		var msg savedMsg
		msg.err = st.do(func(v Store) error {
			ids, err := v.Add(context.Background(), []vault.Input{in})
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
	return tea.Batch(spin, save)
}

func (i *interviewScreen) saved(msg savedMsg) tea.Cmd {
	i.dlg = nil
	if msg.err != nil {
		i.err = "Not saved: " + msg.err.Error()
		var se *vault.SpanError
		if errors.As(msg.err, &se) {
			// Where the span is: the editor, the cursor on its {{.
			i.pane = paneEditor
			i.editor.MoveTo(se.Offset)
			i.err += " The cursor is on it."
		}
		// Keep the work in a draft meanwhile.
		return i.saveDraft()
	}
	hadIdentity := !i.ident.empty() || i.draftSeal.Identity()
	hadSpans := i.draftSeal.Spans() > 0 ||
		strings.Contains(i.editor.Value(), "{{") && !onlyMarkers(i.editor.Value())
	i.draftSeal, i.draftSealed = nil, false
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

// toDateField opens the details at the date field, with the field's own
// error under it: a bad date is said where it is fixed, not only in a
// message after the save.
func (i *interviewScreen) toDateField() tea.Cmd {
	i.err = "Not saved: the date of the interview needs fixing (YYYY-MM-DD)."
	i.pane = paneForm
	i.buildForms()
	cmd := i.form.Init()
	for n := 0; n < 8 && i.form.GetFocusedField().GetKey() != dateKey; n++ {
		i.form.NextField()
	}
	// enter on the field runs its check, which keeps the focus there and
	// shows the error.
	m, _ := i.form.Update(tea.KeyMsg{Type: tea.KeyEnter})
	i.form = m.(*huh.Form)
	return cmd
}
