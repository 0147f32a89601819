package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// The export's choices, as tvault export offers them: which interviews (by
// tag or ID), only what is new since the last exchange, and interviews
// whose consent forbids sharing, only after typing a confirmation. The
// fields sit under the bundle's path: tab moves between them, space ticks
// a box, enter exports.

// exportField is a field of the export's choices.
type exportField int

const (
	exportPath        exportField = iota // where to write the bundle
	exportOnly                           // tags or IDs; empty: every interview
	exportSinceLast                      // only what is new since the last exchange
	exportUnshareable                    // include interviews that may not be shared
	exportConfirm                        // the typed confirmation of exportUnshareable
)

// confirmUnshareable is what the user types to include interviews whose
// consent forbids sharing.
const confirmUnshareable = "share"

// exportChoices are the export's fields.
type exportChoices struct {
	focus       exportField
	only        textinput.Model
	sinceLast   bool
	unshareable bool
	confirm     textinput.Model
}

func newExportChoices(width int) exportChoices {
	only := textinput.New()
	only.Prompt = "Only these tags or IDs: "
	only.Placeholder = "empty: every interview"
	only.Width = max(width-28, 10)
	confirm := textinput.New()
	confirm.Prompt = "Type " + confirmUnshareable + " to confirm: "
	confirm.Width = max(width-28, 10)
	return exportChoices{only: only, confirm: confirm}
}

// last is the last field that tab reaches.
func (c *exportChoices) last() exportField {
	if c.unshareable {
		return exportConfirm
	}
	return exportUnshareable
}

// focusOn moves the focus to field f.
func (t *teamScreen) focusOn(f exportField) tea.Cmd {
	c := &t.exp
	c.focus = f
	t.input.Blur()
	c.only.Blur()
	c.confirm.Blur()
	switch f {
	case exportPath:
		return t.input.Focus()
	case exportOnly:
		return c.only.Focus()
	case exportConfirm:
		return c.confirm.Focus()
	}
	return nil
}

// exportKey handles a key on the export's fields; enter exports.
func (t *teamScreen) exportKey(msg tea.KeyMsg) tea.Cmd {
	c := &t.exp
	switch msg.Type {
	case tea.KeyTab, tea.KeyDown:
		return t.focusOn((c.focus + 1) % (c.last() + 1))
	case tea.KeyShiftTab, tea.KeyUp:
		return t.focusOn((c.focus + c.last()) % (c.last() + 1))
	case tea.KeyEnter:
		return t.submitExport()
	case tea.KeySpace:
		switch c.focus {
		case exportSinceLast:
			c.sinceLast = !c.sinceLast
			return nil
		case exportUnshareable:
			c.unshareable = !c.unshareable
			c.confirm.Reset()
			if c.unshareable {
				return t.focusOn(exportConfirm)
			}
			return nil
		}
	}
	var cmd tea.Cmd
	switch c.focus {
	case exportPath:
		t.input, cmd = t.input.Update(msg)
	case exportOnly:
		c.only, cmd = c.only.Update(msg)
	case exportConfirm:
		c.confirm, cmd = c.confirm.Update(msg)
	}
	return cmd
}

// submitExport checks the fields and starts the export.
func (t *teamScreen) submitExport() tea.Cmd {
	c := &t.exp
	if cleanPath(t.input.Value()) == "" {
		t.err = "Type where to write the bundle first."
		return t.focusOn(exportPath)
	}
	if c.unshareable && strings.TrimSpace(c.confirm.Value()) != confirmUnshareable {
		t.err = fmt.Sprintf("Type %s to include interviews whose consent forbids sharing, or untick the box.", confirmUnshareable)
		return t.focusOn(exportConfirm)
	}
	return t.submitPath()
}

// options are the export's choices as vault.ExportOptions; the words of the
// "only" field are sorted into tags and IDs when the export runs.
func (c *exportChoices) options(to []string) (vault.ExportOptions, []string) {
	words := strings.FieldsFunc(c.only.Value(), func(r rune) bool { return r == ',' || r == ' ' || r == '，' })
	return vault.ExportOptions{To: to, SinceLast: c.sinceLast, IncludeUnshareable: c.unshareable}, words
}

// onlyError is a word of the "only" field that is neither a tag of the
// codebook nor an interview's ID.
type onlyError struct{ word string }

func (e *onlyError) Error() string {
	return fmt.Sprintf("%q is neither a tag of the codebook nor an interview ID", vault.Escape(e.word))
}

// selectInterviews sorts words into tags (of the codebook) and interview
// IDs (or prefixes of them), as tvault export's --tag and --id.
func selectInterviews(v Store, opts *vault.ExportOptions, words []string) error {
	tags, ids, err := sortSelection(v, words)
	opts.Tags = append(opts.Tags, tags...)
	opts.IDs = append(opts.IDs, ids...)
	return err
}

// sortSelection sorts words into tags of the codebook and interview IDs
// (prefixes resolved); a word that is neither is an *onlyError.
func sortSelection(v Store, words []string) (tags, ids []string, err error) {
	if len(words) == 0 {
		return nil, nil, nil
	}
	codebook, err := v.Codebook()
	if err != nil {
		return nil, nil, err
	}
	isTag := map[string]bool{}
	for _, t := range codebook {
		isTag[t] = true
	}
	for _, w := range words {
		if isTag[w] {
			tags = append(tags, w)
			continue
		}
		id, err := v.Resolve(w)
		if errors.Is(err, vault.ErrNotFound) {
			return nil, nil, &onlyError{word: w}
		}
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
	}
	return tags, ids, nil
}

// exportChoicesView draws the fields under the bundle's path.
func (t *teamScreen) exportChoicesView() string {
	c := &t.exp
	var b strings.Builder
	box := func(f exportField, on bool, label string) {
		mark := "  "
		if c.focus == f {
			mark = "▸ "
		}
		tick := "[ ] "
		if on {
			tick = "[x] "
		}
		b.WriteString(mark + tick + label + "\n")
	}
	b.WriteString(t.input.View() + "\n")
	b.WriteString(c.only.View() + "\n")
	box(exportSinceLast, c.sinceLast, "only what is new since the last exchange with them")
	box(exportUnshareable, c.unshareable, "include interviews whose consent forbids sharing")
	if c.unshareable {
		b.WriteString(t.styles.Warn.Render(wrapWords("The interviewees of these interviews did not agree to their testimony being shared.", max(t.width, 20))) + "\n")
		b.WriteString(c.confirm.View() + "\n")
	}
	return b.String()
}

// exportNote says what the bundle will hold.
func (t *teamScreen) exportNote() string {
	if t.exp.unshareable {
		return "Interviews whose consent forbids sharing are included, once you type " + confirmUnshareable + " below."
	}
	return "Interviews whose consent forbids sharing are left out."
}

// runExport starts the export with the choices made.
func (t *teamScreen) runExport(ctx context.Context, seq int, path string) tea.Cmd {
	opts, words := t.exp.options(t.exportTo)
	return exportBundleWith(ctx, t.st, seq, path, opts, words, t.progress)
}
