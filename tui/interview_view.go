package tui

import (
	"fmt"
	"github.com/tvault/tvault/vault"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// ShortHelp is the keys of the current pane, or of the dialog up.
func (i *interviewScreen) ShortHelp() []key.Binding {
	k := i.keys
	switch {
	case i.dlg != nil:
		return i.dlg.ShortHelp()
	case i.pane == paneEditor:
		return []key.Binding{k.Span, k.Save, k.Back, k.Lock, helpAnywhere}
	case i.pane == paneForm, i.pane == paneIdentity:
		return []key.Binding{key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/enter", "next")),
			bind("alt+enter", "new line"), k.Save, k.Back, k.Lock, helpAnywhere}
	}
	if i.heads > 1 {
		return []key.Binding{k.Compare, k.Edit, k.Metadata, k.Save, k.Back, k.Lock, k.Help, keyHistory}
	}
	return []key.Binding{k.Edit, k.Read, k.Metadata, k.Identity, k.Attach, k.Save, k.Back, k.Lock, k.Help, k.Reveal, k.Purge, keyHistory}
}

func (i *interviewScreen) header() string {
	name := i.meta.pseudonym
	if strings.TrimSpace(name) == "" {
		name = "(new interview)"
	}
	left := i.styles.Title.Render("Interview · " + vault.Escape(name))
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
		body = i.para(i.styles.Warn, note)
		if i.custodian != "" {
			body += i.styles.Dim.Render(withFingerprint("Custodian fingerprint:", i.custodian, i.width)) + "\n"
		}
		body += i.idForm.View()
	default:
		body = i.overview()
	}
	if i.dlg != nil {
		body = i.dlg.View(body)
	}
	status := ""
	if i.err != "" {
		status = i.styles.Error.Render(wrapWords(i.err, i.width))
	} else if i.pane == paneEditor {
		status = i.styles.Dim.Render(fmt.Sprintf("Testimony · %d characters · ctrl+k: sensitive span", i.editor.Len()))
		if f := flagSummary(i.flags); f != "" {
			status += i.styles.Dim.Render(" · ") + i.styles.Warn.Render(f)
		}
	}
	// A message longer than a line wraps, and the body gives up the lines.
	bh := max(i.height-1-lipgloss.Height(status), 1)
	body = lipgloss.NewStyle().Height(bh).MaxHeight(bh).Render(body)
	return i.header() + "\n" + body + "\n" + status
}

// para is text in style, wrapped to the screen.
func (i *interviewScreen) para(style lipgloss.Style, text string) string {
	return style.Render(wrapWords(text, i.width)) + "\n"
}

func (i *interviewScreen) overview() string {
	var b strings.Builder
	m := i.meta
	if i.heads > 1 {
		b.WriteString(i.para(i.styles.Warn, fmt.Sprintf("Conflict: %d versions, saved on different laptops. v opens their "+
			"merge, which keeps what each added; ctrl+s there saves it.", i.heads)))
	}
	line := func(label, v string) {
		if v == "" {
			v = "—"
		}
		fmt.Fprintf(&b, "%-12s %s\n", label+":", vault.Escape(v))
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
		b.WriteString(i.para(i.styles.OK, "Identity: sealed to the custodian. It cannot be read on this laptop."))
	case !i.ident.empty() && i.draftSeal.Identity():
		b.WriteString(i.para(i.styles.Warn, "Identity: typed; sealed on save, it replaces the identity sealed in the draft."))
	case !i.ident.empty():
		b.WriteString(i.para(i.styles.Warn, "Identity: typed; it will be sealed to the custodian on save."))
	case i.draftSeal.Identity():
		b.WriteString(i.para(i.styles.OK, "Identity: identity sealed in the draft (kept); the save keeps it as it is."))
	case i.sealed:
		b.WriteString(i.para(lipgloss.NewStyle(), "Identity: sealed to the custodian; it cannot be read on this laptop."))
	default:
		b.WriteString(i.para(lipgloss.NewStyle(), "Identity: none (press i to add one; it is sealed on save)."))
	}
	if i.justSealedSpans {
		b.WriteString(i.para(i.styles.OK, "Span secrets: sealed to the custodian; the testimony keeps the descriptions."))
	}
	switch {
	case i.draftSeal.Spans() > 0:
		b.WriteString(i.para(i.styles.OK, fmt.Sprintf("Span secrets: %d sealed in the draft (kept); the testimony shows their descriptions.", i.draftSeal.Spans())))
	case i.draftSealed && i.draftSeal == nil:
		b.WriteString(i.para(i.styles.Dim, "Secrets typed in the draft were sealed to the custodian and are not shown."))
	}
	b.WriteString(i.attachmentLines())
	b.WriteString(i.styles.Header.Render("Testimony") + "\n")
	used := strings.Count(b.String(), "\n")
	b.WriteString(i.testimonyPreview(max(i.bodyHeight()-used, 1)))
	return b.String()
}
