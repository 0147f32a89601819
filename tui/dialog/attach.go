package dialog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/tvault/tvault/tui/keys"
	"github.com/tvault/tvault/tui/styles"
)

// Attach asks for a file to attach to the interview, a description for the
// readable tier, and whether to seal it to the custodian.
type Attach struct {
	common
	form              *huh.Form
	path, description string
	seal              bool
}

// NewAttach returns the attach dialog, width cells wide at most. Call Init.
func NewAttach(s *styles.Styles, k *keys.KeyMap, width int) *Attach {
	d := &Attach{common: common{styles: s, keys: k}}
	d.form = huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("File (~ is your home folder)").Placeholder("~/summons.jpg").
			Value(&d.path).Validate(checkFile),
		huh.NewInput().Title("Description (what readers see; name no one)").Placeholder("the summons sent to her father").
			Value(&d.description),
		huh.NewConfirm().Title("Seal it to the custodian? (an ID card, a letter with a name: this laptop cannot open it afterwards)").
			Value(&d.seal).Affirmative("Seal").Negative("Keep readable"),
	)).WithShowHelp(false).WithWidth(width)
	return d
}

// ExpandHome replaces a leading ~ by the home folder.
func ExpandHome(path string) string {
	path = strings.TrimSpace(path)
	if path == "~" || strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(path, "~"))
		}
	}
	return path
}

func checkFile(path string) error {
	if strings.TrimSpace(path) == "" {
		return errors.New("a file is required")
	}
	st, err := os.Stat(ExpandHome(path))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return errors.New("there is no such file (is the USB stick mounted?)")
	case err != nil:
		return errors.New("the file cannot be read")
	case !st.Mode().IsRegular():
		return errors.New("that is not a file")
	}
	return nil
}

// Init starts the form.
func (d *Attach) Init() tea.Cmd { return d.form.Init() }

// Update passes msg to the form: Cancel on esc, Accept once complete.
func (d *Attach) Update(msg tea.Msg) (Answer, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyEsc {
		return Cancel, nil
	}
	m, cmd := d.form.Update(msg)
	d.form = m.(*huh.Form)
	if d.form.State == huh.StateCompleted {
		return Accept, cmd
	}
	return Pending, cmd
}

// Answers returns the file's path (~ expanded), the description and
// whether to seal.
func (d *Attach) Answers() (path, description string, seal bool) {
	return ExpandHome(d.path), strings.TrimSpace(d.description), d.seal
}

// View draws the form in a box, in place of body.
func (d *Attach) View(string) string {
	return d.styles.Box.Render(d.styles.Title.Render("Attach a file") + "\n" + d.form.View())
}

// ShortHelp is esc.
func (d *Attach) ShortHelp() []key.Binding { return []key.Binding{d.keys.Back} }
