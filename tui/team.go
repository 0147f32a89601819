package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
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
	done     int // export progress: interviews gathered
	total    int
	progress chan [2]int
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

// Update handles a message for the team screen. esc at the roster is the
// top model's.
func (t *teamScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case rosterMsg:
		if msg.err != nil {
			t.err = msg.err.Error()
			return nil
		}
		t.loaded = true
		t.members, t.myName, t.myPrint = msg.members, msg.myName, msg.myPrint
		t.cursor = min(t.cursor, max(len(t.members)-1, 0))
		for name := range t.marked {
			found := false
			for _, m := range t.members {
				found = found || m.Name == name
			}
			if !found {
				delete(t.marked, name)
			}
		}
		return nil
	case spinner.TickMsg:
		return t.busy.Update(msg)
	case cardParsedMsg:
		if msg.seq != t.seq || t.step != teamAddPath {
			return nil
		}
		if msg.err != nil {
			t.err = cardError(msg.err)
			return nil
		}
		t.card, t.cardInfo = msg.data, msg.card
		t.step = teamAddConfirm
		t.input.Blur()
		return nil
	case teamDoneMsg:
		if msg.seq != t.seq {
			return nil
		}
		if msg.err != nil {
			t.err = msg.err.Error()
			return nil
		}
		t.toRoster()
		t.note = msg.note
		return loadRoster(t.st)
	case exportProgressMsg:
		if msg.seq != t.seq || t.step != teamExporting {
			return nil
		}
		t.done, t.total = msg.done, msg.total
		return waitProgress(t.seq, t.progress)
	case exportDoneMsg:
		if msg.seq != t.seq {
			return nil
		}
		t.exported(msg)
		return loadRoster(t.st)
	case importDoneMsg:
		if msg.seq != t.seq {
			return nil
		}
		t.imported(msg)
		return nil
	case tea.KeyMsg:
		return t.key(msg)
	}
	return nil
}

func (t *teamScreen) key(msg tea.KeyMsg) tea.Cmd {
	k := t.keys
	if t.atRoster() {
		switch {
		case key.Matches(msg, k.Back):
			return t.nav.close(stateList, true)
		case key.Matches(msg, k.Quit):
			return tea.Quit
		}
	}
	switch t.step {
	case teamExporting, teamImporting:
		return nil
	case teamResult:
		if msg.Type == tea.KeyEnter || key.Matches(msg, k.Back) {
			t.toRoster()
			t.result = ""
		}
		return nil
	case teamAddConfirm:
		switch {
		case key.Matches(msg, k.Yes):
			data, name := t.card, t.cardInfo.Name
			t.seq++
			seq, st := t.seq, t.st
			return func() tea.Msg {
				err := st.do(func(v Store) error { _, err := v.AddMember(data); return err })
				return teamDoneMsg{seq: seq, err: err,
					note: fmt.Sprintf("Added %s: their bundles are accepted, and you can export to them.", name)}
			}
		case key.Matches(msg, k.No):
			t.toRoster()
			t.note = "Not added: the fingerprints must match."
		}
		return nil
	case teamRemoveConfirm:
		switch {
		case key.Matches(msg, k.Yes):
			m, ok := t.selected()
			if !ok {
				t.toRoster()
				return nil
			}
			t.seq++
			seq, st := t.seq, t.st
			delete(t.marked, m.Name)
			return func() tea.Msg {
				err := st.do(func(v Store) error { return v.RemoveMember(m.Name) })
				return teamDoneMsg{seq: seq, err: err,
					note: fmt.Sprintf("Removed %s: their bundles are refused from now on.", m.Name)}
			}
		case key.Matches(msg, k.No):
			t.toRoster()
		}
		return nil
	case teamAddPath, teamCardPath, teamExportPath, teamImportPath:
		if key.Matches(msg, k.Back) {
			t.toRoster()
			return nil
		}
		if msg.Type == tea.KeyEnter {
			return t.submitPath()
		}
		var cmd tea.Cmd
		t.input, cmd = t.input.Update(msg)
		return cmd
	}

	// The roster.
	t.note = ""
	t.err = ""
	switch {
	case key.Matches(msg, k.Up):
		t.cursor = max(t.cursor-1, 0)
	case key.Matches(msg, k.Down):
		t.cursor = min(t.cursor+1, max(len(t.members)-1, 0))
	case key.Matches(msg, k.Mark):
		if m, ok := t.selected(); ok {
			t.marked[m.Name] = !t.marked[m.Name]
			if !t.marked[m.Name] {
				delete(t.marked, m.Name)
			}
		}
	case key.Matches(msg, k.AddMember):
		return t.ask(teamAddPath, "Card file: ", "the path of your teammate's card")
	case key.Matches(msg, k.RemoveMember):
		if _, ok := t.selected(); ok {
			t.step = teamRemoveConfirm
		}
	case key.Matches(msg, k.Card):
		return t.ask(teamCardPath, "Write my card to: ", "a new file, e.g. on a USB stick")
	case key.Matches(msg, k.Export):
		t.exportTo = nil
		for _, m := range t.members {
			if t.marked[m.Name] {
				t.exportTo = append(t.exportTo, m.Name)
			}
		}
		if len(t.exportTo) == 0 {
			m, ok := t.selected()
			if !ok {
				t.err = "Add a teammate first (a): a bundle is encrypted to roster members."
				return nil
			}
			t.exportTo = []string{m.Name}
		}
		return t.ask(teamExportPath, "Write the bundle to: ", "a new file, e.g. on a USB stick")
	case key.Matches(msg, k.Import):
		return t.ask(teamImportPath, "Bundle file: ", "the path of a bundle from a teammate")
	}
	return nil
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
			var c *vault.Card
			err = st.do(func(v Store) error { c, err = v.ParseCard(data); return err })
			return cardParsedMsg{seq: seq, data: data, card: c, err: err}
		}
	case teamCardPath:
		return func() tea.Msg {
			var data []byte
			err := st.do(func(v Store) error {
				var err error
				data, _, err = v.Card()
				return err
			})
			if err == nil {
				err = vault.WriteFileExclusive(path, data)
			}
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
		return tea.Batch(t.busy.Start(), waitProgress(seq, t.progress), exportBundle(st, seq, path, t.exportTo, t.progress))
	case teamImportPath:
		t.step = teamImporting
		t.input.Blur()
		return tea.Batch(t.busy.Start(), func() tea.Msg {
			f, err := os.Open(path)
			if err != nil {
				return importDoneMsg{seq: seq, path: path, err: err}
			}
			defer f.Close()
			var rep *vault.ImportReport
			err = st.do(func(v Store) error { rep, err = v.Import(f); return err })
			return importDoneMsg{seq: seq, path: path, rep: rep, err: err}
		})
	}
	return nil
}

func cardError(err error) string {
	switch {
	case errors.Is(err, vault.ErrBadCard):
		return "Refused: " + err.Error() + ". Ask for the card again; nothing was changed."
	case errors.Is(err, vault.ErrOwnCard):
		return "This is your own card: give it to teammates; add theirs."
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

// exportBundle writes a bundle for the members in to. The bundle is
// ciphertext; it is written to a temporary file beside path and renamed, so
// that a failed export leaves no half bundle, and never replaces a file.
func exportBundle(st *store, seq int, path string, to []string, progress chan [2]int) tea.Cmd {
	return func() tea.Msg {
		defer close(progress)
		msg := exportDoneMsg{seq: seq, path: path}
		if _, err := os.Lstat(path); err == nil {
			msg.err = fmt.Errorf("%q already exists; tvault never overwrites a file", path)
			return msg
		}
		tmp, err := os.CreateTemp(filepath.Dir(path), ".tvault-export-*")
		if err != nil {
			msg.err = err
			return msg
		}
		defer os.Remove(tmp.Name())
		opts := vault.ExportOptions{To: to, Progress: func(done, total int) {
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
		}}
		err = st.do(func(v Store) error {
			var err error
			msg.rep, err = v.Export(tmp, opts)
			return err
		})
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(tmp.Name(), 0o600)
		}
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		msg.err = err
		return msg
	}
}

func (t *teamScreen) exported(msg exportDoneMsg) {
	t.step = teamResult
	t.busy.Stop()
	var b strings.Builder
	if msg.err != nil {
		t.resultOK = false
		b.WriteString("The bundle was not written: " + msg.err.Error() + "\n")
		t.result = b.String()
		return
	}
	t.resultOK = true
	r := msg.rep
	fmt.Fprintf(&b, "Wrote %s for %s.\n\n", msg.path, strings.Join(t.exportTo, ", "))
	fmt.Fprintf(&b, "%-16s %d\n%-16s %d\n%-16s %d\n", "Interviews:", r.Interviews, "Revisions:", r.Revisions, "Purges:", r.Tombstones)
	if r.Unshareable > 0 {
		fmt.Fprintf(&b, "\nLeft out %d interviews whose consent forbids sharing.\n", r.Unshareable)
	}
	b.WriteString("\nIdentities and span secrets travel still sealed to the custodian.\n")
	t.result = b.String()
	t.marked = map[string]bool{}
}

func (t *teamScreen) imported(msg importDoneMsg) {
	t.step = teamResult
	t.busy.Stop()
	var b strings.Builder
	if msg.err != nil {
		t.resultOK = false
		switch {
		case errors.Is(msg.err, vault.ErrNotForMe):
			b.WriteString("Refused: this bundle is not encrypted to you.")
		case errors.Is(msg.err, vault.ErrUnknownSigner):
			b.WriteString("Refused: " + msg.err.Error() + ".")
		case errors.Is(msg.err, vault.ErrDamaged):
			b.WriteString("Refused: not a bundle, or altered or truncated on the way (" + msg.err.Error() + ").")
		default:
			b.WriteString("Not imported: " + msg.err.Error() + ".")
		}
		b.WriteString("\nThe vault is unchanged.\n")
		t.result = b.String()
		return
	}
	t.resultOK = true
	r := msg.rep
	fmt.Fprintf(&b, "Imported %s.\n\n", msg.path)
	fmt.Fprintf(&b, "%-16s %s\n%-16s %s\n", "Signer:", r.Signer, "Fingerprint:", r.Fingerprint)
	fmt.Fprintf(&b, "%-16s %d (of %d in the bundle)\n", "New revisions:", r.NewRevisions, r.Revisions)
	fmt.Fprintf(&b, "%-16s %d\n%-16s %d\n%-16s %d\n", "New interviews:", r.Interviews, "Purged:", r.Purged, "Conflicts:", r.Conflicts)
	if r.Conflicts > 0 {
		b.WriteString("\nInterviews in conflict show !conflict in the list: open one and press v\nto compare the versions; saving it merges them.\n")
	}
	t.result = b.String()
}

// ShortHelp is the keys of the current step.
func (t *teamScreen) ShortHelp() []key.Binding {
	k := t.keys
	enter := func(desc string) key.Binding {
		return key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", desc))
	}
	switch t.step {
	case teamRoster:
		return []key.Binding{k.AddMember, k.RemoveMember, k.Mark, k.Export, k.Import, k.Card, k.Back, k.Lock}
	case teamAddConfirm, teamRemoveConfirm:
		return []key.Binding{k.Yes, k.No}
	case teamExporting, teamImporting:
		return []key.Binding{k.Lock}
	case teamResult:
		return []key.Binding{enter("done")}
	}
	return []key.Binding{enter("ok"), k.Back}
}

func (t *teamScreen) View() string {
	var b strings.Builder
	b.WriteString(t.styles.Title.Render("Team · "+members(len(t.members))) + "\n")
	if t.myName != "" {
		b.WriteString(fmt.Sprintf("You are %s · your fingerprint %s\n", t.myName, t.myPrint))
	}
	b.WriteString("\n")
	switch t.step {
	case teamRoster:
		b.WriteString(t.rosterView())
		if t.note != "" {
			b.WriteString("\n" + t.styles.OK.Render(t.note) + "\n")
		}
	case teamAddPath:
		b.WriteString("Add a teammate from their card file (they write it with c on their team\nscreen, or tvault whoami -o CARD).\n\n")
		b.WriteString(t.input.View() + "\n")
	case teamAddConfirm:
		c := t.cardInfo
		b.WriteString(t.styles.Box.Render(fmt.Sprintf("Member:      %s\nFingerprint: %s", c.Name, c.Fingerprint())) + "\n\n")
		b.WriteString(t.styles.Warn.Render(fmt.Sprintf("Ask %s to read out their fingerprint. Does it match, group by group?", c.Name)) + "\n")
		b.WriteString("A card that does not match may be someone else's: do not add it.\n\n")
		b.WriteString("  y  it matches: add    n  cancel\n")
	case teamRemoveConfirm:
		m, _ := t.selected()
		b.WriteString(t.styles.Warn.Render(fmt.Sprintf("Remove %s from the roster?", m.Name)) + "\n\n")
		b.WriteString("Their bundles are refused from then on, and you can no longer export to them.\n\n")
		b.WriteString("  y  remove    n  cancel\n")
	case teamCardPath:
		b.WriteString("Your card holds your name, your recipient and your signing key, signed.\nIt holds nothing secret. Give it to teammates; read out your fingerprint\nwhen they add it.\n\n")
		b.WriteString(t.input.View() + "\n")
	case teamExportPath:
		fmt.Fprintf(&b, "Export a bundle for: %s\n", strings.Join(t.exportTo, ", "))
		b.WriteString("Every interview and purge, signed by you and encrypted to them. Identities\nand span secrets stay sealed to the custodian.\n")
		b.WriteString(t.styles.Warn.Render("Interviews whose consent forbids sharing are left out.") + "\n\n")
		b.WriteString(t.input.View() + "\n")
	case teamExporting:
		b.WriteString(t.busy.View("Exporting for "+strings.Join(t.exportTo, ", ")+"…") + "\n\n")
		b.WriteString(progressBar(t.done, t.total, min(40, max(t.width-30, 10))))
		if t.total > 0 {
			fmt.Fprintf(&b, " %d/%d interviews", t.done, t.total)
		}
		b.WriteString("\n")
		if t.total > 0 && t.done == t.total {
			b.WriteString("Encrypting and writing the bundle…\n")
		}
	case teamImportPath:
		b.WriteString("Import a bundle from a teammate on the roster. It is checked (signer,\nhashes, signatures) and merged all or nothing.\n\n")
		b.WriteString(t.input.View() + "\n")
	case teamImporting:
		b.WriteString(t.busy.View("Checking and merging the bundle…") + "\n")
	case teamResult:
		if t.resultOK {
			b.WriteString(t.styles.OK.Render(t.result))
		} else {
			b.WriteString(t.styles.Error.Render(t.result))
		}
	}
	if t.err != "" {
		b.WriteString("\n" + t.styles.Error.Render(t.err) + "\n")
	}
	return b.String()
}

func (t *teamScreen) rosterView() string {
	var b strings.Builder
	if !t.loaded {
		return "Reading the roster…\n"
	}
	if len(t.members) == 0 {
		b.WriteString(t.styles.Dim.Render("No teammates yet. Press a to add one from their card file.") + "\n")
		return b.String()
	}
	const fpW, addedW = 39, 10
	nameW := max(min(max(t.width, 40)-fpW-addedW-10, 24), 6)
	b.WriteString(t.styles.Header.Render("      "+cell("NAME", nameW)+" "+cell("FINGERPRINT", fpW)+" "+cell("ADDED", addedW)) + "\n")
	h := max(t.height-8, 1)
	top := max(t.cursor-h+1, 0)
	for i := top; i < len(t.members) && i < top+h; i++ {
		m := t.members[i]
		mark := "  "
		if i == t.cursor {
			mark = "▸ "
		}
		box := "[ ] "
		if t.marked[m.Name] {
			box = "[x] "
		}
		added := m.AddedAt
		if len(added) > 10 {
			added = added[:10]
		}
		line := mark + box + cell(m.Name, nameW) + " " + cell(m.Fingerprint, fpW) + " " + cell(added, addedW)
		if i == t.cursor {
			line = t.styles.Selected.Render(line)
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func progressBar(done, total, width int) string {
	n := 0
	if total > 0 {
		n = min(done*width/total, width)
	}
	return "[" + strings.Repeat("█", n) + strings.Repeat("░", width-n) + "]"
}

func members(n int) string {
	if n == 1 {
		return "1 member"
	}
	return fmt.Sprintf("%d members", n)
}
