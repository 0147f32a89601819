package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// Replacing this member's key from the team screen (K), as `tvault whoami
// --rotate` does: after a compromise.

func (t *teamScreen) rotateConfirm(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, t.keys.Yes):
		t.seq++
		seq, st := t.seq, t.st
		return func() tea.Msg {
			var k *vault.KeyChange
			err := st.do(func(v Store) error {
				var err error
				k, err = v.RotateMemberKey(context.Background())
				return err
			})
			note := ""
			if k != nil {
				note = fmt.Sprintf("Your member key changed. New fingerprint: %s. Export a bundle to each teammate and read them the new fingerprint out loud.", k.NewFingerprint)
			}
			return teamDoneMsg{seq: seq, err: err, note: note}
		}
	case key.Matches(msg, t.keys.No):
		t.toRoster()
	}
	return nil
}

func (t *teamScreen) rotateView() string {
	var b strings.Builder
	b.WriteString(t.styles.Warn.Render("Replace your member key?") + "\n\n")
	b.WriteString(wrapWords("Do this after a compromise: a laptop out of your hands, a passphrase given up. "+
		"You get a new recipient and signing key, and a statement signed by the old key and the new one. "+
		"Teammates learn it from your next bundle and are told to compare your new fingerprint with you out loud. "+
		"The old key signs nothing any more. Change the passphrase too (tvault passwd): whoever had it holds the vault key.", t.width) + "\n\n")
	b.WriteString("  y  replace my key    n  cancel\n")
	return b.String()
}
