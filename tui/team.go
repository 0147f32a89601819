package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/tui/busy"
	"github.com/tvault/tvault/vault"
)

// teamStep is where the team screen is.
type teamStep int

const (
	teamRoster        teamStep = iota // the roster
	teamAddPath                       // the path of a teammate's card
	teamAddConfirm                    // does the fingerprint match?
	teamRemoveConfirm                 // remove the member?
	teamRotateConfirm                 // replace this member's key?
	teamCardPath                      // this member's card: where to write it
	teamExportPath                    // where to write the bundle
	teamExporting                     // the export runs
	teamImportPath                    // the bundle to import
	teamImporting                     // the import runs
	teamResult                        // what an export or import did
)

// teamScreen is the roster of teammates, with the exchange of cards and
// bundles.
type teamScreen struct {
	common
	st *store

	step     teamStep
	members  []vault.Member
	loaded   bool
	cursor   int
	marked   map[string]bool
	myName   string
	myPrint  string
	input    textinput.Model
	busy     busy.Spinner // while teamExporting or teamImporting
	seq      int
	note     string // a line under the roster: what the last action did
	err      string
	result   string // the report of an export or import
	resultOK bool

	card     []byte // the card being added
	cardInfo *vault.Card
	exportTo []string
	exp      exportChoices // the export's choices (team_export.go)
	done     int           // export progress: interviews gathered
	total    int
	progress chan [2]int
	// cancel stops the export or import that runs; esc calls it.
	cancel     context.CancelFunc
	cancelling bool
}

// Messages of the team screen.
type (
	rosterMsg struct {
		members         []vault.Member
		myName, myPrint string
		err             error
	}
	cardParsedMsg struct {
		seq  int
		data []byte
		card *vault.Card
		err  error
	}
	teamDoneMsg struct {
		seq  int
		note string
		err  error
	}
	exportProgressMsg struct {
		seq         int
		done, total int
	}
	exportDoneMsg struct {
		seq  int
		path string
		rep  *vault.ExportReport
		err  error
	}
	importDoneMsg struct {
		seq  int
		path string
		rep  *vault.ImportReport
		err  error
	}
)

func newTeamScreen(c common, st *store) *teamScreen {
	in := textinput.New()
	t := &teamScreen{common: c, st: st, marked: map[string]bool{}, input: in,
		busy: busy.New()}
	t.SetSize(c.width, c.height)
	return t
}

// clear drops the roster and the reports.
func (t *teamScreen) clear() {
	t.toRoster()
	t.members, t.marked = nil, map[string]bool{}
	t.result, t.note = "", ""
}

func (t *teamScreen) SetSize(w, h int) {
	t.width, t.height = w, h
	t.input.Width = max(w-24, 10)
}

// loadRoster reads the roster and this member's card.
func loadRoster(st *store) tea.Cmd {
	return func() tea.Msg {
		var msg rosterMsg
		msg.err = st.do(func(v Store) error {
			var err error
			if msg.members, err = v.Team(); err != nil {
				return err
			}
			_, card, err := v.Card()
			if err != nil {
				return err
			}
			msg.myName, msg.myPrint = card.Name, card.Fingerprint()
			return nil
		})
		return msg
	}
}

// atRoster reports whether esc leaves the screen.
func (t *teamScreen) atRoster() bool { return t.step == teamRoster }

func (t *teamScreen) selected() (vault.Member, bool) {
	if t.cursor < len(t.members) {
		return t.members[t.cursor], true
	}
	return vault.Member{}, false
}

// ask shows the path field with a prompt.
func (t *teamScreen) ask(step teamStep, prompt, placeholder string) tea.Cmd {
	t.step = step
	t.err = ""
	t.input.Reset()
	t.input.Prompt = prompt
	t.input.Placeholder = placeholder
	return t.input.Focus()
}

func (t *teamScreen) toRoster() {
	t.step = teamRoster
	t.input.Blur()
	t.card, t.cardInfo = nil, nil
	t.err = ""
}

// submitPath acts on the path typed.
func (t *teamScreen) submitPath() tea.Cmd {
	path := cleanPath(t.input.Value())
	if path == "" {
		t.err = "Type a path first."
		return nil
	}
	t.err = ""
	t.seq++
	seq, st := t.seq, t.st
	switch t.step {
	case teamAddPath:
		return func() tea.Msg {
			data, err := os.ReadFile(path)
			if err != nil {
				return cardParsedMsg{seq: seq, err: err}
			}
			if kind := vault.FileKind(data); kind != "" && kind != vault.FileCard {
				return cardParsedMsg{seq: seq, err: &fileKindError{path: path, kind: kind, want: vault.FileCard}}
			}
			var c *vault.Card
			err = st.do(func(v Store) error {
				if c, err = v.ParseCard(data); err != nil {
					return err
				}
				// The same name with the same keys: already on the roster.
				members, err := v.Team()
				if err != nil {
					return err
				}
				for _, m := range members {
					if m.Name == c.Name && m.Fingerprint == c.Fingerprint() {
						return fmt.Errorf("%q is %w", c.Name, vault.ErrAlreadyMember)
					}
				}
				return nil
			})
			return cardParsedMsg{seq: seq, data: data, card: c, err: err}
		}
	case teamCardPath:
		return func() tea.Msg {
			err := st.do(func(v Store) error {
				_, err := v.WriteCard(path)
				return err
			})
			if err != nil {
				return teamDoneMsg{seq: seq, err: fmt.Errorf("the card was not written: %w", err)}
			}
			return teamDoneMsg{seq: seq, note: "Wrote your card to " + path + ". It holds nothing secret."}
		}
	case teamExportPath:
		t.step = teamExporting
		t.input.Blur()
		t.done, t.total = 0, 0
		t.progress = make(chan [2]int, 1)
		ctx := t.cancellable()
		return tea.Batch(t.busy.Start(), waitProgress(seq, t.progress), t.runExport(ctx, seq, path))
	case teamImportPath:
		t.step = teamImporting
		t.input.Blur()
		ctx := t.cancellable()
		return tea.Batch(t.busy.Start(), func() tea.Msg {
			f, err := os.Open(path)
			if err != nil {
				return importDoneMsg{seq: seq, path: path, err: err}
			}
			defer f.Close()
			head := make([]byte, 512)
			n, _ := io.ReadFull(f, head)
			if kind := vault.FileKind(head[:n]); kind != "" && kind != vault.FileBundle {
				return importDoneMsg{seq: seq, path: path, err: &fileKindError{path: path, kind: kind, want: vault.FileBundle}}
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return importDoneMsg{seq: seq, path: path, err: err}
			}
			var rep *vault.ImportReport
			err = st.do(func(v Store) error { rep, err = v.Import(ctx, f); return err })
			return importDoneMsg{seq: seq, path: path, rep: rep, err: err}
		})
	}
	return nil
}

// cancellable returns the context of an export or import about to start,
// which esc cancels.
func (t *teamScreen) cancellable() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel, t.cancelling = cancel, false
	return ctx
}

// stopCancel forgets the context of an export or import that has ended.
func (t *teamScreen) stopCancel() {
	if t.cancel != nil {
		t.cancel()
	}
	t.cancel, t.cancelling = nil, false
}

// fileKindError is a file given for what it is not: a bundle as a card,
// a card as a bundle.
type fileKindError struct {
	path, kind, want string
}

func (e *fileKindError) Error() string {
	return fmt.Sprintf("%q is %s, not %s", e.path, e.kind, e.want)
}

func cardError(err error) string {
	var kindErr *fileKindError
	switch {
	case errors.As(err, &kindErr):
		if kindErr.kind == vault.FileBundle {
			return "Not added: " + err.Error() + ". Import a bundle with i; nothing was changed."
		}
		return "Not added: " + err.Error() + "; nothing was changed."

	case errors.Is(err, vault.ErrBadCard):
		return "Refused: " + err.Error() + ". Ask for the card again; nothing was changed."
	case errors.Is(err, vault.ErrOwnCard):
		return "This is your own card: give it to teammates; add theirs."
	case errors.Is(err, vault.ErrMemberExists):
		return "Not added: " + err.Error() + ". Remove that member from the roster first."
	}
	return "Not added: " + err.Error()
}

// waitProgress waits for the next progress report of an export.
func waitProgress(seq int, ch chan [2]int) tea.Cmd {
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		return exportProgressMsg{seq: seq, done: p[0], total: p[1]}
	}
}

// exportBundle writes a bundle of every shareable interview for the members
// in to, to a new file at path.
func exportBundle(ctx context.Context, st *store, seq int, path string, to []string, progress chan [2]int) tea.Cmd {
	return exportBundleWith(ctx, st, seq, path, vault.ExportOptions{To: to}, nil, progress)
}

// exportBundleWith writes a bundle with opts, and the interviews of the
// tags and IDs in only, to a new file at path (vault.ExportFile: no half
// bundle, never replaces a file).
func exportBundleWith(ctx context.Context, st *store, seq int, path string, opts vault.ExportOptions, only []string, progress chan [2]int) tea.Cmd {
	return func() tea.Msg {
		defer close(progress)
		msg := exportDoneMsg{seq: seq, path: path}
		opts.Progress = func(done, total int) {
			// Never block the export: a report the UI has not taken yet is
			// replaced by the newer one.
			select {
			case <-progress:
			default:
			}
			select {
			case progress <- [2]int{done, total}:
			default:
			}
		}
		msg.err = st.do(func(v Store) error {
			if err := selectInterviews(v, &opts, only); err != nil {
				return err
			}
			var err error
			msg.rep, err = v.ExportFile(ctx, path, opts)
			if errors.Is(err, fs.ErrExist) {
				err = fmt.Errorf("%q already exists; tvault never overwrites a file", path)
			}
			return err
		})
		return msg
	}
}
