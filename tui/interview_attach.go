package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/dialog"
	"github.com/tvault/tvault/vault"
)

// attachedMsg reports an attach, and the interview's attachments after it.
type attachedMsg struct {
	rep  *vault.AttachReport
	list []vault.Attachment
	err  error
}

// openAttachDialog asks for a file to attach (a saved interview only).
func (i *interviewScreen) openAttachDialog() tea.Cmd {
	if i.id == "" {
		i.err = "Save the interview first; then attach files to it."
		return nil
	}
	d := dialog.NewAttach(i.styles, i.keys, min(70, i.width-4))
	i.dlg = d
	return d.Init()
}

// attachAnswer streams the file into the vault once the dialog is complete.
func (i *interviewScreen) attachAnswer(a dialog.Answer, cmd tea.Cmd) tea.Cmd {
	switch a {
	case dialog.Accept:
		path, description, seal := i.dlg.(*dialog.Attach).Answers()
		i.dlg = nil
		i.status, i.err = "", ""
		return tea.Batch(cmd, attachFile(i.st, i.id, cleanPath(path), description, seal))
	case dialog.Cancel:
		i.dlg = nil
		return nil
	}
	return cmd
}

func attachFile(st *store, id, path, description string, seal bool) tea.Cmd {
	return func() tea.Msg {
		var msg attachedMsg
		f, err := os.Open(path)
		if err != nil {
			return attachedMsg{err: fmt.Errorf("the file cannot be read: %w", err)}
		}
		defer f.Close()
		msg.err = st.do(func(v Store) error {
			rep, err := v.Attach(context.Background(), id, f, vault.AttachOptions{
				FileName: filepath.Base(path), Description: description, Seal: seal})
			if err != nil {
				return err
			}
			msg.rep = rep
			view, err := v.Get(id)
			if err == nil {
				msg.list = view.Attachments
			}
			return err
		})
		return msg
	}
}

func (i *interviewScreen) attached(msg attachedMsg) {
	if msg.err != nil {
		i.err = "Not attached: " + msg.err.Error()
		return
	}
	i.attachments = msg.list
	a := msg.rep.Attachment
	i.status = fmt.Sprintf("attached %s (%s)", humanSize(a.Size), a.MediaType)
	if a.Sealed {
		i.status = "attached, sealed to the custodian"
	}
	if len(msg.rep.Findings) > 0 {
		var what []string
		for _, f := range msg.rep.Findings {
			what = append(what, f.Detail)
		}
		i.err = "The original is kept as evidence, but it carries " + strings.Join(what, "; ") +
			". Export a clean copy with 'tvault attachment export " + a.ID[:12] + " --clean'."
	}
}

// attachmentLines lists the interview's attachments for the overview.
func (i *interviewScreen) attachmentLines() string {
	if len(i.attachments) == 0 {
		if i.id == "" {
			return ""
		}
		return i.styles.Dim.Render("Attachments: none (a attaches a file)") + "\n"
	}
	var b strings.Builder
	b.WriteString(fmt.Sprintf("Attachments: %d (a attaches another)\n", len(i.attachments)))
	for _, a := range i.attachments {
		size := humanSize(a.Size)
		if a.Sealed {
			size = "sealed"
		}
		line := fmt.Sprintf("  %s  %-10s %8s  %s", a.ID[:8], a.MediaType, size, vault.Escape(a.Description))
		if a.Sealed {
			line += "  [sealed]"
		}
		if len(a.Metadata) > 0 {
			line += i.styles.Warn.Render("  ⚠ " + strings.Join(a.Metadata, ","))
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
