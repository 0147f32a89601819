package tui

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/tui/busy"
	"github.com/tvault/tvault/vault"
)

// setupScreen is the first run: it creates the vault.
type setupScreen struct {
	common
	dir  string
	form *huh.Form
	busy busy.Spinner // the vault is being created
	err  string
	done *createdMsg

	// huh binds to strings: the passphrases cannot be wiped here. They are
	// cleared once the vault is created.
	name, pass, pass2         string
	custodianMode             string // "create" or "paste"
	recipient, keyOut         string
	custodianPass, custodian2 string

	// The passphrase fields, whose description is the strength feedback,
	// set in the UI loop after each key (huh's DescriptionFunc would read
	// the passphrase from another goroutine).
	passField, custodianPassField *huh.Input
	keyOutField                   *huh.Input // its description warns when the path is on this laptop
}

type createdMsg struct {
	v         Store
	keyOut    string
	custodian string // the custodian's fingerprint
	err       error
	keyErr    bool // err is about the custodian key file's path
}

// keyPathHint is the key path field's placeholder: tvault suggests no path,
// since any default would be on this laptop's own disk.
const keyPathHint = "on a USB stick, e.g. /media/…/tvault-custodian.age"

func newSetupScreen(c common, dir string) *setupScreen {
	s := &setupScreen{common: c, dir: dir, busy: busy.New(),
		custodianMode: "create", name: vault.DefaultMemberName()}
	newPass := func(title string, p *string) *huh.Input {
		return huh.NewInput().Title(title).EchoMode(huh.EchoModePassword).Value(p).
			Description(strength("")).
			Validate(func(p string) error { return vault.CheckNewPassphrase([]byte(p)) })
	}
	s.passField = newPass("Vault passphrase", &s.pass)
	s.custodianPassField = newPass("Custodian passphrase", &s.custodianPass).
		Validate(func(p string) error {
			if err := vault.CheckNewPassphrase([]byte(p)); err != nil {
				return err
			}
			return vault.CheckPassphrasesDiffer([]byte(s.pass), []byte(p))
		})
	// Each answer is checked as it is given (huh keeps the focus on a field
	// whose check fails, with the message under it), so a first run never
	// fails after the last answer and no answer is ever typed twice.
	s.keyOutField = huh.NewInput().Title("Where to write the custodian key file").
		Placeholder(keyPathHint).Description(keyPlacement("", dir)).Value(&s.keyOut).
		Validate(func(p string) error { return vault.CheckCustodianKeyPath(cleanPath(p), dir) })
	s.form = s.newForm(s.accountGroup(), s.modeGroup(), s.recipientGroup(), s.keyGroup())
	return s
}

func (s *setupScreen) newForm(groups ...*huh.Group) *huh.Form {
	f := huh.NewForm(groups...).WithShowHelp(true)
	if s.width > 0 {
		f = f.WithWidth(min(s.width-4, 90)).WithHeight(s.height - 4)
	}
	return f
}

func (s *setupScreen) accountGroup() *huh.Group {
	return huh.NewGroup(
		huh.NewNote().Title("Welcome to tvault").Description("There is no vault in "+s.dir+" yet; this creates one."),
		huh.NewInput().Title("Your name (the author of your revisions)").Value(&s.name).Validate(required("a name")),
		s.passField,
		huh.NewInput().Title("The vault passphrase again").EchoMode(huh.EchoModePassword).Value(&s.pass2).
			Validate(func(p string) error {
				if p != s.pass {
					return errors.New("the two passphrases differ")
				}
				return nil
			}),
	)
}

func (s *setupScreen) modeGroup() *huh.Group {
	return huh.NewGroup(
		huh.NewSelect[string]().Title("Real identities are sealed to a custodian: after saving, this laptop cannot read them.").
			Options(huh.NewOption("create a new custodian key file (e.g. on a USB stick)", "create"),
				huh.NewOption("paste the custodian's recipient (age1pq1…)", "paste")).
			Value(&s.custodianMode),
	)
}

func (s *setupScreen) recipientGroup() *huh.Group {
	return huh.NewGroup(
		huh.NewNote().Title("The team's custodian").
			Description("A teammate's vault prints it: tvault custodian recipient"),
		huh.NewInput().Title("Custodian recipient").Value(&s.recipient).Validate(func(r string) error {
			_, err := vault.ParseCustodianRecipient(strings.TrimSpace(r))
			return err
		}),
	).WithHideFunc(func() bool { return s.custodianMode != "paste" })
}

func (s *setupScreen) keyGroup() *huh.Group {
	return huh.NewGroup(
		huh.NewNote().Title("Keep the custodian key OFF this laptop").
			Description("Whoever has the key file and its passphrase can read every real identity.\nWrite it to a USB stick and hand it to the custodian."),
		s.keyOutField,
		s.custodianPassField,
		huh.NewInput().Title("The custodian passphrase again").EchoMode(huh.EchoModePassword).Value(&s.custodian2).
			Validate(func(p string) error {
				if p != s.custodianPass {
					return errors.New("the two passphrases differ")
				}
				return nil
			}),
	).WithHideFunc(func() bool { return s.custodianMode != "create" })
}

// keyPlacement is the key path field's description: where the key should
// go, or the warning that path is on this laptop's own disk.
func keyPlacement(path, dir string) string {
	if path = cleanPath(path); path != "" {
		if err := vault.CustodianKeyOnLaptop(path, dir); err != nil {
			return "Warning: " + err.Error() + "."
		}
	}
	return "Plug in the USB stick first: tvault suggests no path on this laptop."
}

func required(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s is required", what)
		}
		return nil
	}
}

// strength is feedback on a new passphrase, from the estimator that
// vault.CheckNewPassphrase applies. It never repeats the passphrase.
func strength(p string) string {
	n := len([]rune(p))
	switch {
	case n == 0:
		return fmt.Sprintf("At least %d characters; a few random words are best.", vault.MinPassphraseLen)
	case n < vault.MinPassphraseLen:
		return fmt.Sprintf("Too short: %d of at least %d characters.", n, vault.MinPassphraseLen)
	}
	st := vault.PassphraseStrength([]byte(p))
	if st.Acceptable() {
		return "Strength: strong."
	}
	msg := "Strength: too easy to guess."
	if st.Warning != "" {
		msg += " " + st.Warning
	}
	return msg + " Add another word or two; uncommon words are best."
}

func (s *setupScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.form = s.form.WithWidth(min(w-4, 90)).WithHeight(h - 4)
}

// create makes the vault off the UI loop: the KDFs take a while.
func (s *setupScreen) create() tea.Cmd {
	dir, name, mode, rcpt, keyOut := s.dir, s.name, s.custodianMode, strings.TrimSpace(s.recipient), cleanPath(s.keyOut)
	// The answers stay in the fields until the vault exists: if creating
	// it fails, the form comes back with them.
	pass, cpass := []byte(s.pass), []byte(s.custodianPass)
	return tea.Batch(s.busy.Start(), func() tea.Msg {
		defer clear(pass)
		defer clear(cpass)
		opts := vault.CreateOptions{Name: name, Passphrase: pass}
		wroteKey := false
		if mode == "paste" {
			r, err := vault.ParseCustodianRecipient(rcpt)
			if err != nil {
				return createdMsg{err: err}
			}
			opts.Custodian = r
		} else {
			// The form checked it; checked again here, before anything is
			// written, as every front end does.
			if err := vault.CheckPassphrasesDiffer(pass, cpass); err != nil {
				return createdMsg{err: err}
			}
			// The key file first: a vault whose custodian key was never
			// written would seal identities nobody can open.
			if err := vault.CheckCustodianKeyPath(keyOut, dir); err != nil {
				return createdMsg{err: err, keyErr: true}
			}
			r, err := vault.NewCustodianKey(keyOut, cpass)
			if err != nil {
				return createdMsg{err: err, keyErr: true}
			}
			opts.Custodian, wroteKey = r, true
		}
		v, err := createVault(dir, opts)
		if err != nil {
			if wroteKey {
				os.Remove(keyOut)
			}
			return createdMsg{err: err}
		}
		msg := createdMsg{v: v, custodian: vault.CustodianFingerprint(opts.Custodian)}
		if wroteKey {
			msg.keyOut = keyOut
		}
		return msg
	})
}

func (s *setupScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if s.done != nil && msg.Type == tea.KeyEnter {
			return s.nav.close(stateList, true)
		}
	case spinner.TickMsg:
		return s.busy.Update(msg)
	case createdMsg:
		s.busy.Stop()
		if msg.err != nil {
			return s.retry(msg)
		}
		s.clear()
		s.done = &msg
		return nil
	}
	if s.busy.Active() || s.done != nil {
		return nil
	}
	m, cmd := s.form.Update(msg)
	s.form = m.(*huh.Form)
	s.passField.Description(strength(s.pass))
	s.custodianPassField.Description(strength(s.custodianPass))
	// Again after each message: the stick may be mounted after its path
	// was typed.
	s.keyOutField.Description(keyPlacement(s.keyOut, s.dir))
	if s.form.State == huh.StateCompleted {
		return s.create()
	}
	return cmd
}

// retry brings the form back after the vault could not be created, with
// every answer kept: at the key file's path if that was the trouble (the USB
// stick was pulled out after its path was checked), else from the start.
func (s *setupScreen) retry(msg createdMsg) tea.Cmd {
	s.err = "The vault was not created: " + msg.err.Error() + "."
	if msg.keyErr {
		s.err += " Choose another place for the custodian key; your other answers are kept."
		s.form = s.newForm(s.keyGroup())
	} else {
		s.err += " Your answers are kept: check them and press enter."
		s.form = s.newForm(s.accountGroup(), s.modeGroup(), s.recipientGroup(), s.keyGroup())
	}
	return s.form.Init()
}

// ShortHelp is ctrl+c: the form shows its own keys.
func (s *setupScreen) ShortHelp() []key.Binding { return []key.Binding{s.keys.ForceQuit} }

// clear drops the passphrases typed.
func (s *setupScreen) clear() {
	s.pass, s.pass2, s.custodianPass, s.custodian2 = "", "", "", ""
}

func (s *setupScreen) View() string {
	var b strings.Builder
	b.WriteString(s.styles.Title.Render("tvault — first run") + "\n\n")
	switch {
	case s.done != nil:
		fmt.Fprintf(&b, "Created a vault in %s.\n\n", s.dir)
		if s.done.keyOut != "" {
			fmt.Fprintf(&b, "The custodian key is in %s.\n", s.done.keyOut)
			b.WriteString(s.styles.Warn.Render("Move it off this laptop now: whoever has it and its passphrase can read every real identity.") + "\n\n")
		}
		// A post-quantum recipient is about 2,000 characters: its
		// fingerprint, whole, is what tells which custodian this is.
		b.WriteString(withFingerprint("Identities are sealed to the custodian whose fingerprint is", s.done.custodian, s.width) + "\n")
		b.WriteString("Teammates' vaults must seal to the same custodian: 'tvault custodian recipient' prints the recipient to give them.\n\n")
		b.WriteString("Press enter to start.")
	case s.busy.Active():
		b.WriteString(s.busy.View("Creating the vault (this takes a few seconds)…"))
	default:
		if s.err != "" {
			b.WriteString(s.styles.Error.Render(s.err) + "\n\n")
		}
		b.WriteString(s.form.View())
	}
	return lipgloss.NewStyle().Padding(0, 2).Width(s.width).Render(b.String())
}
