package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/tui/busy"
	"github.com/tvault/tvault/vault"
)

// unlockScreen asks for the vault passphrase.
type unlockScreen struct {
	common
	dir   string
	input textinput.Model
	busy  busy.Spinner // the vault is opening
	err   string
	note  string // why it is showing, e.g. "Locked after 5 minutes idle."
	// custodian is the fingerprint of the vault's pinned custodian, once
	// the vault has been open in this session: the folder alone does not
	// say it.
	custodian string
}

// unlockedMsg is the result of opening the vault off the UI loop.
type unlockedMsg struct {
	v    Store
	hold *vault.DirLock // the lock, held again when the vault did not open
	err  error
}

func newUnlockScreen(c common, dir string) *unlockScreen {
	ti := textinput.New()
	ti.Prompt = "Passphrase: "
	ti.EchoMode = textinput.EchoPassword
	ti.EchoCharacter = '•'
	ti.Focus()
	return &unlockScreen{common: c, dir: dir, input: ti, busy: busy.New()}
}

func (u *unlockScreen) SetSize(w, h int) { u.width, u.height = w, h }

func (u *unlockScreen) reset(note string) {
	u.input.Reset()
	u.input.Focus()
	u.busy.Stop()
	u.err = ""
	u.note = note
}

// clear empties the passphrase field.
func (u *unlockScreen) clear() { u.input.Reset() }

// submit starts the KDF and the decryption in a command (see
// navigator.openVault).
func (u *unlockScreen) submit() tea.Cmd {
	// textinput keeps the passphrase as a string, which cannot be wiped;
	// the []byte copy is wiped once the vault is open, and the field reset.
	p := []byte(u.input.Value())
	u.input.Reset()
	u.err = ""
	return tea.Batch(u.busy.Start(), u.nav.openVault(p))
}

// ShortHelp is enter and esc.
func (u *unlockScreen) ShortHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "unlock")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "quit"))}
}

func (u *unlockScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return u.busy.Update(msg)
	case unlockedMsg:
		u.busy.Stop()
		u.input.Focus()
		switch {
		case errors.Is(msg.err, vault.ErrWrongPassphrase):
			u.err = "Wrong passphrase. Nothing was changed; try again."
		case msg.err != nil:
			u.err = fmt.Sprintf("The vault did not open: %v", msg.err)
		}
		return nil
	case tea.KeyMsg:
		if msg.Type == tea.KeyEnter && !u.busy.Active() && u.input.Value() != "" {
			return u.submit()
		}
		if msg.Type == tea.KeyEsc {
			return tea.Quit
		}
		if u.busy.Active() {
			return nil
		}
		var cmd tea.Cmd
		u.input, cmd = u.input.Update(msg)
		return cmd
	}
	return nil
}

func (u *unlockScreen) View() string {
	var b strings.Builder
	b.WriteString(u.styles.Title.Render("tvault — locked") + "\n\n")
	if u.note != "" {
		b.WriteString(u.note + "\n\n")
	}
	fmt.Fprintf(&b, "Vault: %s\n", u.dir)
	if u.custodian != "" {
		b.WriteString(u.styles.Dim.Render(withFingerprint("Custodian fingerprint:", u.custodian, u.width-4)) + "\n")
	}
	b.WriteString("\n")
	b.WriteString(u.input.View() + "\n\n")
	switch {
	case u.busy.Active():
		b.WriteString(u.busy.View("Unlocking…") + "\n")
	case u.err != "":
		b.WriteString(u.styles.Error.Render(u.err) + "\n")
	default:
		b.WriteString(u.styles.Dim.Render("Type the vault passphrase and press enter.") + "\n")
	}
	return lipgloss.NewStyle().Padding(1, 2).Render(b.String())
}
