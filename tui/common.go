package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/keys"
	"github.com/tvault/tvault/tui/styles"
)

// common is what every screen shares: its size, the styles, the key map,
// and the way to other screens.
type common struct {
	width, height int
	styles        *styles.Styles
	keys          *keys.KeyMap
	nav           navigator
}

// Component is a part of the UI that can be resized.
type Component interface {
	SetSize(width, height int)
}

// screen is one screen of the UI. The top model keeps one for each state
// it is in, and hands it every message while it shows, keys included
// (except the keys that work anywhere: lock, help, force quit).
type screen interface {
	Component
	Update(msg tea.Msg) tea.Cmd
	View() string
	// ShortHelp is the keys of the help bar.
	ShortHelp() []key.Binding
	// clear drops every decrypted value the screen holds, for locking and
	// when the screen closes.
	clear()
}

var (
	_ Component = (*editor)(nil)
	_ screen    = (*setupScreen)(nil)
	_ screen    = (*unlockScreen)(nil)
	_ screen    = (*listScreen)(nil)
	_ screen    = (*interviewScreen)(nil)
	_ screen    = (*statsScreen)(nil)
	_ screen    = (*revealScreen)(nil)
	_ screen    = (*teamScreen)(nil)
	_ screen    = (*conflictScreen)(nil)
	_ screen    = (*purgeScreen)(nil)
	_ screen    = (*historyScreen)(nil)
	_ screen    = (*redactScreen)(nil)
	_ screen    = (*readerScreen)(nil)
	_ screen    = (*publishScreen)(nil)

	_ navigator = (*Model)(nil)
)

// navigator moves between screens: the top model is the one. Screens call
// it in their Update, in the UI loop, and return the command it gives.
type navigator interface {
	// openVault opens the vault with passphrase, off the UI loop; the result
	// comes back as an unlockedMsg. It wipes passphrase.
	openVault(passphrase []byte) tea.Cmd
	openInterview(id, draftKey string, inEditor bool) tea.Cmd
	// openReveal reveals interview id's sealed part and, with draftKey,
	// the sealed part of that draft too (id may then be "").
	openReveal(id, draftKey, pseudonym string) tea.Cmd
	openPurge(id, pseudonym string) tea.Cmd
	openConflict(id string) tea.Cmd
	openHistory(id, pseudonym string) tea.Cmd
	openRedact(id, pseudonym string) tea.Cmd
	// openReader shows the reading view of interview id over the screen
	// in front, to which esc returns, with note as its first message.
	openReader(id, pseudonym, note string) tea.Cmd
	openPublish() tea.Cmd
	openTeam() tea.Cmd
	openStats() tea.Cmd
	// close clears and drops the screen in front, and shows back's; the
	// list reads its rows again if reload is set.
	close(back state, reload bool) tea.Cmd
	toggleHelp()
}

// ErrorMsg carries an error to Update. Its text is shown to the person; the
// errors from vault never hold testimony, names or passphrases.
type ErrorMsg struct{ Err error }

// Clock is the time source; tests replace it.
type Clock func() time.Time
