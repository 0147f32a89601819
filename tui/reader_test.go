package tui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/tvault/tvault/vault"
)

// The reading view and quote marking (reader.go, reader_quote.go).

// spanSecret is the secret of the reading tests' sensitive span: it must
// never show.
const spanSecret = "Jiangxi-CANARY-4417"

// longInterview is an interview whose testimony is far longer than a
// screen: numbered paragraphs, one in Chinese, a span, and a last
// paragraph to find after end.
func longInterview() vault.Input {
	var in vault.Input
	in.Pseudonym, in.InterviewedOn, in.Location, in.Mode = "Lin Qiao", "2018-04-02", "Vancouver, Canada", "phone"
	in.Language, in.Interviewer = "en", "R1"
	in.Consent = vault.Consent{Record: true, Quote: true}
	in.Tags = []string{"exit-ban"}
	in.Relatives = []vault.Relative{{Relation: "sister", Harms: []string{"summoned"}}}
	var b strings.Builder
	fmt.Fprintf(&b, "My family lives in {{%s|the home province}}, where the officers came twice a week.\n", spanSecret)
	for n := 2; n <= 30; n++ {
		if n == 12 {
			b.WriteString("警察每周来两次，问我什么时候回国。我妹妹的护照被没收了，她不能出国看我。她说，派出所的人每个月都给她打电话。\n")
			continue
		}
		fmt.Fprintf(&b, "Paragraph %d. The officers asked my mother when I would come back, and wrote down what she said in a notebook.\n", n)
	}
	b.WriteString("The last paragraph: I never went back, and I do not know when I will see her again.")
	in.Testimony = b.String()
	return in
}

// readerUI starts the UI at w×h on a vault holding inputs, unlocked.
func readerUI(t *testing.T, w, h int, inputs ...vault.Input) (*ui, string) {
	t.Helper()
	dir, _ := mustVault(t, inputs...)
	m, err := New(Options{Dir: dir, Now: newFakeClock().Now, AutosaveDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	u := &ui{t: t, m: m, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))}
	u.unlock()
	return u, dir
}

// quoteIDs hides the random IDs of quotes, for golden files.
var quoteIDs = regexp.MustCompile(`\b[0-9a-f]{8}\b`)

func maskIDs(s string) string { return quoteIDs.ReplaceAllString(s, "xxxxxxxx") }

// TestReaderScrolls: a testimony longer than the screen is read in full in
// the reading view: end shows its last paragraph, with the position, and
// the span's secret never shows.
func TestReaderScrolls(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}} {
		t.Run(sizeName(size[0], size[1]), func(t *testing.T) {
			u, _ := readerUI(t, size[0], size[1], longInterview())
			u.waitFor("Lin Qiao")
			u.typeText("r")
			u.waitFor("Reading · Lin Qiao", "Testimony", "My family lives in [the home province]")
			// Before scrolling, the last paragraph is off the screen.
			u.key(tea.KeyDown)
			u.waitFor("2–")
			if strings.Contains(u.out.String(), "The last paragraph") {
				t.Fatal("the last paragraph shows before scrolling: the test proves nothing")
			}
			u.key(tea.KeyEnd)
			u.waitFor("The last paragraph", "100%")
			screen := u.finalScreen()
			goldenFile(t, "reader-end-"+sizeName(size[0], size[1]), maskIDs(screen))
			if !strings.Contains(screen, "I never went back") {
				t.Errorf("after end, the last paragraph is not on screen:\n%s", screen)
			}
			if strings.Contains(u.out.String(), spanSecret) {
				t.Error("the span's secret was drawn")
			}
		})
	}
}

// TestReaderPages: pgdn and pgup move by a page, home goes back to the
// fields, and the Chinese paragraph wraps inside the screen.
func TestReaderPages(t *testing.T) {
	u, _ := readerUI(t, 80, 24, longInterview())
	u.waitFor("Lin Qiao")
	u.typeText("r")
	u.waitFor("Reading · Lin Qiao")
	u.key(tea.KeyPgDown)
	u.waitFor("21–40 of", "警察每周来两次")
	u.key(tea.KeyPgDown)
	u.waitFor("41–60 of")
	u.key(tea.KeyHome)
	u.waitFor("1–20 of", "2018-04-02")
	screen := u.finalScreen()
	goldenFile(t, "reader-top-80x24", maskIDs(screen))
	if !strings.Contains(screen, "[the home province]") {
		t.Errorf("the span does not read [description]:\n%s", screen)
	}
}

// selectWords starts a selection at the first testimony line on screen and
// extends it by n words.
func (u *ui) selectWords(n int) {
	u.t.Helper()
	u.typeText("v")
	u.waitFor("Selected 1 character")
	for range n {
		u.typeText("w")
	}
}

// quoteInterview has "They came again." twice in its testimony: alone it
// is ambiguous; with the words after it, it is found once.
func quoteInterview() vault.Input {
	var in vault.Input
	in.Pseudonym, in.InterviewedOn, in.Mode = "River", "2019-05-01", "video"
	in.Consent = vault.Consent{Record: true, Quote: true}
	in.Testimony = fmt.Sprintf("They came again. The pension of {{%s|my mother}} was stopped.\nThey came again. Nobody wrote anything down.", spanSecret)
	return in
}

// markAmbiguous opens the reading view, selects the first "They came
// again." and asks to mark it: the vault refuses it, found twice.
func markAmbiguous(t *testing.T) (*ui, string) {
	t.Helper()
	u, dir := readerUI(t, 80, 24, quoteInterview())
	u.waitFor("River")
	u.typeText("r")
	u.waitFor("Reading · River", "None yet")
	u.selectWords(3) // They|came|again|. : the cursor on the full stop
	u.waitFor("Selected 16 characters")
	u.typeText("q")
	u.waitFor("Mark as a quote", "16 characters of the readable testimony")
	u.key(tea.KeyEnter)
	u.waitFor("Not marked:", "2 times")
	return u, dir
}

// TestReaderQuoteAmbiguous: an ambiguous selection shows the vault's
// refusal in the dialog, and nothing is marked.
func TestReaderQuoteAmbiguous(t *testing.T) {
	u, dir := markAmbiguous(t)
	screen := u.finalScreen()
	goldenFile(t, "reader-quote-ambiguous-80x24", screen)
	if !strings.Contains(screen, "the passage is in the testimony 2 times") {
		t.Errorf("the dialog does not say why:\n%s", screen)
	}
	withVault(t, dir, func(v *vault.Vault) {
		if qs := quotesOf(t, v); len(qs) != 0 {
			t.Errorf("the vault lists %d quotes after a refusal", len(qs))
		}
	})
}

func quotesOf(t *testing.T, v *vault.Vault) []vault.QuoteInfo {
	t.Helper()
	list, err := v.List(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v, %d interviews", err, len(list))
	}
	qs, err := v.Quotes(context.Background(), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// TestReaderQuoteBySelection: after a refusal, esc returns to the
// selection, which extends; q marks it, with a label and tags, and the
// vault lists the quote afterwards, the span as [description], as the
// reading view lists and highlights it.
func TestReaderQuoteBySelection(t *testing.T) {
	u, dir := markAmbiguous(t)
	u.key(tea.KeyEsc)
	u.waitFor("Selected 16 characters")
	for range 10 {
		// The|pension|of|[|my|mother|]|was|stopped|.
		u.typeText("w")
	}
	u.waitFor("Selected 56 characters")
	u.typeText("q")
	u.waitFor("Mark as a quote")
	u.typeText("the pension")
	u.key(tea.KeyTab)
	u.typeText("pension, threat")
	u.key(tea.KeyEnter)
	u.waitFor("Marked as a quote", "Quotes (1 quote)")
	screen := u.finalScreen()
	goldenFile(t, "reader-quote-marked-80x24", maskIDs(screen))
	if !strings.Contains(screen, gutterQuote+"They came again. The pension") {
		t.Errorf("the quote is not marked in the testimony:\n%s", screen)
	}
	withVault(t, dir, func(v *vault.Vault) {
		qs := quotesOf(t, v)
		if len(qs) != 1 {
			t.Fatalf("the vault lists %d quotes, want 1", len(qs))
		}
		q := qs[0]
		want := "They came again. The pension of [my mother] was stopped."
		if q.Text != want || q.Label != "the pension" || strings.Join(q.Tags, ",") != "pension,threat" || !q.Current {
			t.Errorf("quote %+v, want %q labelled \"the pension\" tagged pension,threat", q, want)
		}
		if strings.Contains(q.Text, spanSecret) {
			t.Error("the quote holds the span's secret")
		}
	})
}

// testReader is a reading view of view and quotes at w×h, with no vault.
func testReader(t *testing.T, w, h int, view *vault.View, quotes []vault.QuoteInfo) *readerScreen {
	t.Helper()
	m, err := New(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c := m.common
	c.width, c.height = w, h
	r := newReaderScreen(c, nil, "abcd", "", stateList)
	r.Update(readingMsg{id: "abcd", view: view, quotes: quotes})
	if !r.loaded {
		t.Fatalf("not loaded: %s", r.err)
	}
	return r
}

// TestReaderSelectionTakesWholeSpans: a selection that takes part of a
// span's [description] takes all of it, so that a quote never holds half
// a description; and the secret is not in the view's text at all.
func TestReaderSelectionTakesWholeSpans(t *testing.T) {
	var view vault.View
	view.Pseudonym = "River"
	view.Marked = "They stopped the pension of {{#1|my mother}} last year."
	view.Testimony = vault.RenderPublic(view.Marked)
	r := testReader(t, 80, 24, &view, nil)
	r.startSelection()
	for range 5 {
		r.selectKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("w")}) // They|stopped|the|pension|of|[
	}
	r.selectKey(tea.KeyMsg{Type: tea.KeyRight}) // on the m of my
	if got, want := r.passage(), "They stopped the pension of [my mother]"; got != want {
		t.Fatalf("passage %q, want %q", got, want)
	}
	// From inside the span backwards: the whole span too.
	r.selecting = false
	r.startSelection()
	r.anchor, r.text.cur = 33, 43 // from "other]" to the t of "last"
	if got, want := r.passage(), "[my mother] last"; got != want {
		t.Fatalf("passage %q, want %q", got, want)
	}
}

// TestReaderStaleQuote: a quote whose passage an edit changed is listed as
// stale, and not highlighted in the testimony; a refused quote consent and
// a conflict are said.
func TestReaderStaleQuote(t *testing.T) {
	var view vault.View
	view.Pseudonym = "River"
	view.Marked = "They came in the morning. Nobody wrote anything down."
	view.Testimony = view.Marked
	view.Heads = 2
	quotes := []vault.QuoteInfo{
		{Quote: vault.Quote{ID: "0123456789abcdef0123456789abcdef", Text: "They came in the morning."}, Current: true},
		{Quote: vault.Quote{ID: "fedcba9876543210fedcba9876543210", Text: "They came at night.", Label: "night"}, Current: false},
	}
	r := testReader(t, 80, 24, &view, quotes)
	v := r.View()
	for _, want := range []string{"Quotes (2 quotes, 1 stale)", "“They came at night.”", "night · STALE: the testimony changed; publish leaves it out",
		gutterQuote + "They came in the morning.", "Quote consent was refused: publish leaves this interview's quotes out",
		"Conflict: 2 versions; this is the newest"} {
		if !strings.Contains(v, want) {
			t.Errorf("the view does not show %q:\n%s", want, v)
		}
	}
	if len(r.marks) != 1 {
		t.Errorf("%d quotes highlighted, want the current one", len(r.marks))
	}
}

// TestReaderWheel: the mouse wheel scrolls the reading view.
func TestReaderWheel(t *testing.T) {
	in := longInterview()
	view := vault.View{Interview: in.Interview}
	view.Marked = strings.ReplaceAll(in.Testimony, "{{"+spanSecret+"|", "{{#1|")
	view.Testimony = vault.RenderPublic(view.Marked)
	r := testReader(t, 80, 24, &view, nil)
	r.Update(tea.MouseMsg{Button: tea.MouseButtonWheelDown})
	if r.top != 3 {
		t.Fatalf("after the wheel down, top=%d, want 3", r.top)
	}
	r.Update(tea.MouseMsg{Button: tea.MouseButtonWheelUp})
	if r.top != 0 {
		t.Fatalf("after the wheel up, top=%d, want 0", r.top)
	}
}

// TestReaderResumesAfterLock: after a lock, unlocking opens the reading
// view again.
func TestReaderResumesAfterLock(t *testing.T) {
	u, _ := readerUI(t, 80, 24, quoteInterview())
	u.waitFor("River")
	u.typeText("r")
	u.waitFor("Reading · River")
	u.key(tea.KeyCtrlL)
	u.waitFor("Passphrase:")
	u.typeText(testPassphrase)
	u.key(tea.KeyEnter)
	u.waitFor("Reading · River", "They came again.")
	u.quit()
}
