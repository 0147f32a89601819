package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
}

type createdMsg struct {
	v         Store
	keyOut    string
	custodian string // the custodian's fingerprint
	err       error
}

func newSetupScreen(c common, dir string) *setupScreen {
	s := &setupScreen{common: c, dir: dir, busy: busy.New(),
		custodianMode: "create", name: vault.DefaultMemberName(),
		keyOut: filepath.Join(filepath.Dir(filepath.Clean(dir)), "tvault-custodian.age")}
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
	s.form = huh.NewForm(
		huh.NewGroup(
			huh.NewNote().Title("Welcome to tvault").Description("There is no vault in "+dir+" yet; this creates one."),
			huh.NewInput().Title("Your name (the author of your revisions)").Value(&s.name).Validate(required("a name")),
			s.passField,
			huh.NewInput().Title("The vault passphrase again").EchoMode(huh.EchoModePassword).Value(&s.pass2).
				Validate(func(p string) error {
					if p != s.pass {
						return errors.New("the two passphrases differ")
					}
					return nil
				}),
		),
		huh.NewGroup(
			huh.NewSelect[string]().Title("Real identities are sealed to a custodian: after saving, this laptop cannot read them.").
				Options(huh.NewOption("create a new custodian key file (e.g. on a USB stick)", "create"),
					huh.NewOption("paste the custodian's recipient (age1pq1…)", "paste")).
				Value(&s.custodianMode),
		),
		huh.NewGroup(
			huh.NewInput().Title("Custodian recipient").Value(&s.recipient).Validate(func(r string) error {
				_, err := vault.ParseCustodianRecipient(r)
				return err
			}),
		).WithHideFunc(func() bool { return s.custodianMode != "paste" }),
		huh.NewGroup(
			huh.NewNote().Title("Keep the custodian key OFF this laptop").
				Description("Whoever has the key file and its passphrase can read every real identity.\nWrite it to a USB stick and hand it to the custodian."),
			huh.NewInput().Title("Where to write the custodian key file").Value(&s.keyOut).Validate(func(p string) error {
				return vault.CheckCustodianKeyPath(p, dir)
			}),
			s.custodianPassField,
			huh.NewInput().Title("The custodian passphrase again").EchoMode(huh.EchoModePassword).Value(&s.custodian2).
				Validate(func(p string) error {
					if p != s.custodianPass {
						return errors.New("the two passphrases differ")
					}
					return nil
				}),
		).WithHideFunc(func() bool { return s.custodianMode != "create" }),
	).WithShowHelp(true)
	return s
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
	dir, name, mode, rcpt, keyOut := s.dir, s.name, s.custodianMode, s.recipient, s.keyOut
	pass, cpass := []byte(s.pass), []byte(s.custodianPass)
	s.pass, s.pass2, s.custodianPass, s.custodian2 = "", "", "", ""
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
			r, err := vault.NewCustodianKey(keyOut, cpass)
			if err != nil {
				return createdMsg{err: err}
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
			s.err = "The vault was not created: " + msg.err.Error()
			return nil
		}
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
	if s.form.State == huh.StateCompleted {
		return s.create()
	}
	return cmd
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
		b.WriteString(withFingerprint("Identities are sealed to the custodian whose fingerprint is", s.done.custodian, s.width) + "\n\n")
		b.WriteString("Press enter to start.")
	case s.busy.Active():
		b.WriteString(s.busy.View("Creating the vault (this takes a few seconds)…"))
	case s.err != "":
		b.WriteString(s.styles.Error.Render(s.err) + "\n\nPress ctrl+c to quit.")
	default:
		b.WriteString(s.form.View())
	}
	return lipgloss.NewStyle().Padding(0, 2).Width(s.width).Render(b.String())
}
