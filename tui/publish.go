package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/internal/pack"
	"github.com/tvault/tvault/tui/busy"
	"github.com/tvault/tvault/vault"
)

// The publish screen writes a report pack, as tvault publish does, through
// the same code (vault.Publish builds the pack, package pack writes it):
// the choices (which interviews, place and date precision, the folder),
// then, always, the disclosure review, scrollable, before anything is
// written; y writes, esc goes back to the choices. Then what was written
// and what was left out, and why. Drawing is in publish_view.go.

type publishStep int

const (
	publishChoose  publishStep = iota // the choices
	publishReview                     // the disclosure review; nothing written yet
	publishWriting                    // the pack being written
	publishDone                       // written, or failed
)

// publishField is a field of the choices.
type publishField int

const (
	publishOnly   publishField = iota // tags or IDs; empty: every interview
	publishQuotes                     // only interviews with quotes
	publishPlace                      // the precision of places
	publishDate                       // the precision of dates
	publishDir                        // the pack's folder
	publishFields
)

type publishScreen struct {
	common
	st   *store
	step publishStep

	focus      publishField
	only, dir  textinput.Model
	quotesOnly bool
	place      string
	date       string
	dirErr     string // what is wrong with the folder, shown at its field

	busy  busy.Spinner
	seq   int
	pack  *vault.Pack // the pack reviewed, then written
	out   string      // the folder it goes to, ~ expanded
	files []string    // what was written
	pager pager       // the review, then the report
	err   string
}

// publishedMsg carries a pack built for review; packWrittenMsg the files
// written.
type publishedMsg struct {
	seq  int
	pack *vault.Pack
	err  error
}

type packWrittenMsg struct {
	seq   int
	files []string
	err   error
	// audit is set when the pack is written but the audit log did not
	// take it.
	audit error
}

func newPublishScreen(c common, st *store) *publishScreen {
	only := textinput.New()
	only.Prompt = "Only these tags or IDs: "
	only.Placeholder = "empty: every interview"
	dir := textinput.New()
	dir.Prompt = "Write to a new folder:  "
	dir.Placeholder = "~/report-pack"
	p := &publishScreen{common: c, st: st, only: only, dir: dir, place: "country", date: "month", busy: busy.New()}
	p.SetSize(c.width, c.height)
	return p
}

func (p *publishScreen) SetSize(w, h int) {
	p.width, p.height = w, h
	p.only.Width = max(w-28, 10)
	p.dir.Width = max(w-28, 10)
	p.pager.SetSize(w, p.pagerHeight())
}

func (p *publishScreen) clear() {
	p.pack = nil
	p.pager = pager{}
	p.only.Reset()
	p.busy.Stop()
}

// typing: the text fields take ? as a character.
func (p *publishScreen) typing() bool {
	return p.step == publishChoose && (p.focus == publishOnly || p.focus == publishDir)
}

// focusOn moves the focus to field f; leaving the folder's field checks it.
func (p *publishScreen) focusOn(f publishField) tea.Cmd {
	if p.focus == publishDir && f != publishDir {
		p.dirErr = checkPackDir(p.dir.Value())
	}
	p.focus = f
	p.only.Blur()
	p.dir.Blur()
	switch f {
	case publishOnly:
		return p.only.Focus()
	case publishDir:
		return p.dir.Focus()
	}
	return nil
}

// checkPackDir says what is wrong with path as a pack's folder, or "".
// The pack goes into a new folder, never over one.
func checkPackDir(path string) string {
	dir := cleanPath(path)
	if dir == "" {
		return "Type the folder to write the pack to."
	}
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Sprintf("%s already exists: the pack goes into a new folder, never over one.", dir)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	st, err := os.Stat(parent)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Sprintf("There is no folder %s (is the USB stick mounted?).", parent)
	case err != nil:
		return fmt.Sprintf("%s cannot be read.", parent)
	case !st.IsDir():
		return fmt.Sprintf("%s is not a folder.", parent)
	}
	return ""
}

// cycle returns the choice after (or before) cur in list.
func cycle(list []string, cur string, step int) string {
	i := slices.Index(list, cur)
	return list[(i+step+len(list))%len(list)]
}

func (p *publishScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return p.busy.Update(msg)
	case publishedMsg:
		return p.reviewed(msg)
	case packWrittenMsg:
		return p.written(msg)
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

func (p *publishScreen) key(msg tea.KeyMsg) tea.Cmd {
	k := p.keys
	switch p.step {
	case publishChoose:
		if p.busy.Active() {
			return nil
		}
		return p.chooseKey(msg)
	case publishReview:
		switch {
		case key.Matches(msg, k.Back), key.Matches(msg, k.No):
			// Back to the choices; nothing was written.
			p.step, p.pack = publishChoose, nil
			return p.focusOn(p.focus)
		case key.Matches(msg, k.Yes):
			return p.write()
		case key.Matches(msg, k.Help):
			p.nav.toggleHelp()
		default:
			p.pager.Key(msg, k)
		}
	case publishDone:
		switch {
		case key.Matches(msg, k.Back), msg.Type == tea.KeyEnter:
			return p.nav.close(stateList, false)
		case key.Matches(msg, k.Help):
			p.nav.toggleHelp()
		default:
			p.pager.Key(msg, k)
		}
	}
	return nil
}

func (p *publishScreen) chooseKey(msg tea.KeyMsg) tea.Cmd {
	p.err = ""
	switch msg.Type {
	case tea.KeyEsc:
		return p.nav.close(stateList, false)
	case tea.KeyTab, tea.KeyDown:
		return p.focusOn((p.focus + 1) % publishFields)
	case tea.KeyShiftTab, tea.KeyUp:
		return p.focusOn((p.focus + publishFields - 1) % publishFields)
	case tea.KeyEnter:
		return p.submit()
	}
	switch p.focus {
	case publishQuotes:
		if msg.Type == tea.KeySpace || msg.String() == "x" {
			p.quotesOnly = !p.quotesOnly
		}
		return nil
	case publishPlace, publishDate:
		step := 0
		switch msg.String() {
		case "right", "l", " ":
			step = 1
		case "left", "h":
			step = -1
		}
		if step != 0 && p.focus == publishPlace {
			p.place = cycle(vault.PlacePrecisions, p.place, step)
		} else if step != 0 {
			p.date = cycle(vault.DatePrecisions, p.date, step)
		}
		return nil
	}
	var cmd tea.Cmd
	if p.focus == publishOnly {
		p.only, cmd = p.only.Update(msg)
	} else {
		p.dir, cmd = p.dir.Update(msg)
		p.dirErr = ""
	}
	return cmd
}

// submit checks the folder and builds the pack for review.
func (p *publishScreen) submit() tea.Cmd {
	if p.dirErr = checkPackDir(p.dir.Value()); p.dirErr != "" {
		return p.focusOn(publishDir)
	}
	p.out = cleanPath(p.dir.Value())
	p.seq++
	seq, st := p.seq, p.st
	words := strings.FieldsFunc(p.only.Value(), func(r rune) bool { return r == ',' || r == ' ' || r == '，' })
	opts := vault.PublishOptions{QuotesOnly: p.quotesOnly, Place: p.place, Date: p.date}
	return tea.Batch(p.busy.Start(), func() tea.Msg {
		var pk *vault.Pack
		err := st.do(func(v Store) error {
			var err error
			if opts.Tags, opts.IDs, err = sortSelection(v, words); err != nil {
				return err
			}
			pk, err = v.Publish(context.Background(), opts)
			return err
		})
		return publishedMsg{seq: seq, pack: pk, err: err}
	})
}

// reviewed shows the disclosure review of the pack built.
func (p *publishScreen) reviewed(msg publishedMsg) tea.Cmd {
	if msg.seq != p.seq {
		return nil
	}
	p.busy.Stop()
	if msg.err != nil {
		p.err = "Nothing was written: " + msg.err.Error() + "."
		return nil
	}
	p.pack = msg.pack
	p.step = publishReview
	p.pager = pager{}
	p.pager.SetSize(p.width, p.pagerHeight())
	p.pager.SetText(pack.ReviewText(msg.pack))
	return nil
}

// write writes the pack reviewed, and records it in the audit log.
func (p *publishScreen) write() tea.Cmd {
	if p.pack == nil {
		return nil
	}
	// The folder may have appeared while the review was read.
	if p.dirErr = checkPackDir(p.out); p.dirErr != "" {
		p.step = publishChoose
		return p.focusOn(publishDir)
	}
	p.step = publishWriting
	p.seq++
	seq, st, dir, pk := p.seq, p.st, p.out, p.pack
	return tea.Batch(p.busy.Start(), func() tea.Msg {
		files, err := pack.Write(dir, pk)
		msg := packWrittenMsg{seq: seq, files: files, err: err}
		if err == nil {
			msg.audit = st.do(func(v Store) error {
				return v.RecordPublish(fmt.Sprintf("%d interviews, %d quotes, places %s, dates %s",
					len(pk.Interviews), pk.QuoteCount(), pk.Place, pk.Date))
			})
		}
		return msg
	})
}

// written shows what was written, and what was left out and why.
func (p *publishScreen) written(msg packWrittenMsg) tea.Cmd {
	if msg.seq != p.seq {
		return nil
	}
	p.busy.Stop()
	p.step = publishDone
	p.files = msg.files
	if msg.err != nil {
		p.err = "Nothing was written: " + msg.err.Error() + "."
	} else if msg.audit != nil {
		p.err = "The pack is written, but the audit log could not record it: " + msg.audit.Error() + "."
	}
	p.pager = pager{}
	p.pager.SetSize(p.width, p.pagerHeight())
	p.pager.SetText(p.report())
	return nil
}

// ShortHelp is the keys of the step.
func (p *publishScreen) ShortHelp() []key.Binding {
	k := p.keys
	switch p.step {
	case publishReview:
		return []key.Binding{bind("y", "write the pack"), bind("esc", "back to the choices"), k.Up, k.Down, k.PageUp, k.PageDown, k.Lock, k.Help}
	case publishDone:
		return []key.Binding{bind("esc", "back to the list"), k.Up, k.Down, k.PageUp, k.PageDown, k.Lock, k.Help}
	case publishWriting:
		return nil
	}
	return []key.Binding{bind("tab", "next field"), bind("space/←/→", "choose"), bind("enter", "review"),
		bind("esc", "cancel"), k.Lock, helpAnywhere}
}

func (p *publishScreen) FullHelp() []helpGroup {
	k := p.keys
	return []helpGroup{
		{"Publish (p)", []key.Binding{bind("tab/↓", "next field"), bind("shift+tab/↑", "previous field"),
			bind("space", "tick, or next choice"), bind("←/→", "choose"), bind("enter", "build the pack and review it"), bind("esc", "cancel")}},
		{"Review", []key.Binding{bind("y", "write the pack"), bind("esc/n", "back to the choices"), k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}},
	}
}
