package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/coerced"
	"github.com/tvault/tvault/vault"
)

func TestMain(m *testing.M) {
	crypto.SetScryptWorkFactorForTesting(10)
	lipgloss.SetColorProfile(termenv.Ascii)
	code := m.Run()
	for _, d := range benchCleanup {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

const testPassphrase = "correct horse battery staple"

// mustVault makes a closed vault in a temporary folder, with inputs added,
// and returns its folder and the custodian identity.
func mustVault(tb testing.TB, inputs ...vault.Input) (string, *age.HybridIdentity) {
	tb.Helper()
	c, err := crypto.NewIdentity()
	if err != nil {
		tb.Fatal(err)
	}
	return mustVaultFor(tb, c, inputs...)
}

// mustVaultFor is mustVault with custodian c.
func mustVaultFor(tb testing.TB, c *age.HybridIdentity, inputs ...vault.Input) (string, *age.HybridIdentity) {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "vault")
	v, err := vault.Create(dir, vault.CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte(testPassphrase)})
	if err != nil {
		tb.Fatal(err)
	}
	if len(inputs) > 0 {
		if _, err := v.Add(context.Background(), inputs); err != nil {
			tb.Fatal(err)
		}
	}
	v.Close()
	return dir, c
}

func mustOpen(tb testing.TB, dir string) *vault.Vault {
	tb.Helper()
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte(testPassphrase)))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { v.Close() })
	return v
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ui is a running program under teatest.
type ui struct {
	t  *testing.T
	m  *Model
	tm *teatest.TestModel
	// out is everything the program wrote; waitFor looks at out[mark:],
	// what came after the last key sent.
	out  bytes.Buffer
	mark int
}

func startUI(t *testing.T, opts Options) *ui {
	t.Helper()
	if opts.Now == nil {
		opts.Now = newFakeClock().Now
	}
	if opts.AutosaveDelay == 0 {
		opts.AutosaveDelay = time.Hour // autosave only where a test wants it
	}
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	return &ui{t: t, m: m, tm: tm}
}

// waitFor waits until the screen, since the last key sent, has shown every
// one of texts.
func (u *ui) waitFor(texts ...string) {
	u.t.Helper()
	// Generous: a loaded 2-core machine (CI with other work) can take
	// seconds for what takes milliseconds when it is idle; a passing test
	// returns as soon as the screen shows the text.
	deadline := time.Now().Add(30 * time.Second)
	for {
		io.Copy(&u.out, u.tm.Output())
		seen := u.out.Bytes()[u.mark:]
		ok := true
		for _, s := range texts {
			if !bytes.Contains(seen, []byte(s)) {
				ok = false
			}
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			u.t.Fatalf("the screen did not show %q; last output:\n%s", texts, lastFrame(seen))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func lastFrame(b []byte) []byte {
	if len(b) > 4000 {
		return b[len(b)-4000:]
	}
	return b
}

func (u *ui) send(msg tea.Msg) {
	io.Copy(&u.out, u.tm.Output())
	u.mark = u.out.Len()
	u.tm.Send(msg)
}

func (u *ui) key(t tea.KeyType) { u.send(tea.KeyMsg{Type: t}) }

// typeText sends text as one message of runes, as an input method commits
// it; Chinese needs this.
func (u *ui) typeText(s string) { u.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }

// next moves a huh form to its next field, whose title is given, and
// waits until that field has the focus (huh marks it with ┃): huh moves
// the focus in a command, after the key.
func (u *ui) next(title string) {
	u.t.Helper()
	u.key(tea.KeyEnter)
	u.waitFor("┃ " + title)
}

func (u *ui) unlock() {
	u.t.Helper()
	u.waitFor("Passphrase:")
	u.typeText(testPassphrase)
	u.key(tea.KeyEnter)
	u.waitFor("/ to search") // the list: "tvault — " is on the locked screen too
}

// finalScreen ends the program, releases the vault and returns the last
// screen the model drew. (Reading View while the program runs would race
// with it.)
func (u *ui) finalScreen() string {
	u.t.Helper()
	if err := u.tm.Quit(); err != nil {
		u.t.Fatal(err)
	}
	fm := u.tm.FinalModel(u.t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
	defer fm.Close()
	return fm.View()
}

// quit ends the program and releases the vault.
func (u *ui) quit() {
	u.t.Helper()
	if err := u.tm.Quit(); err != nil {
		u.t.Fatal(err)
	}
	u.tm.WaitFinished(u.t, teatest.WithFinalTimeout(30*time.Second))
	u.m.Close()
}

func TestUnlock(t *testing.T) {
	// A passphrase given at start (tvault --passphrase-file, as the demo
	// prints) opens the vault with no typing.
	t.Run("Passphrase", func(t *testing.T) {
		in := vault.Input{}
		in.Pseudonym = "小河"
		in.Testimony = "x"
		dir, _ := mustVault(t, in)
		u := startUI(t, Options{Dir: dir, Passphrase: []byte(testPassphrase)})
		u.waitFor("1 interview", "小河")
		u.quit()
	})
	t.Run("ErrWrongPassphrase", func(t *testing.T) {
		dir, _ := mustVault(t)
		u := startUI(t, Options{Dir: dir})
		u.waitFor("Passphrase:")
		u.typeText("not the passphrase")
		u.key(tea.KeyEnter)
		u.waitFor("Wrong passphrase")
		// Still locked, and the folder still held.
		if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte(testPassphrase))); err == nil {
			t.Fatal("the vault opened while the UI holds it")
		}
		u.typeText(testPassphrase)
		u.key(tea.KeyEnter)
		u.waitFor("tvault — 0 interviews")
		// The failed attempt is reported, and is in the audit log.
		u.waitFor("1 failed unlock attempts since the last unlock")
		u.quit()
	})
	t.Run("OK", func(t *testing.T) {
		in := vault.Input{}
		in.Pseudonym = "小河"
		in.Testimony = "x"
		dir, _ := mustVault(t, in)
		u := startUI(t, Options{Dir: dir})
		u.unlock()
		u.waitFor("1 interview", "小河")
		// The UI holds the vault: a second writer is refused.
		if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte(testPassphrase))); err == nil {
			t.Fatal("a second open succeeded while the UI has the vault")
		}
		u.quit()
	})
}

// newInterview opens the form of a new interview and types a pseudonym.
func (u *ui) newInterview(pseudonym string) {
	u.t.Helper()
	u.typeText("n")
	u.waitFor("Pseudonym (required)")
	u.typeText(pseudonym)
	u.waitFor(pseudonym)
}

// toEditor goes from the form to the testimony editor.
func (u *ui) toEditor() {
	u.t.Helper()
	u.key(tea.KeyEsc)
	u.waitFor("Identity: none")
	u.typeText("e")
	u.waitFor("Testimony ·")
}

func TestNewInterviewChinese(t *testing.T) {
	dir, _ := mustVault(t)
	// Autosaves race the save: none may leave a draft behind it.
	u := startUI(t, Options{Dir: dir, AutosaveDelay: time.Millisecond})
	u.unlock()
	u.newInterview("小河")
	u.toEditor()
	testimony := "警察每周来两次，问我什么时候回国。"
	u.typeText(testimony)
	u.key(tea.KeyEnter)
	u.typeText("My sister's passport was taken.")
	u.waitFor("passport was taken")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("Saved")
	time.Sleep(50 * time.Millisecond) // for a late autosave to show itself
	u.quit()

	v := mustOpen(t, dir)
	list, err := v.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Pseudonym != "小河" {
		t.Fatalf("list=%+v", list)
	}
	got, err := v.Get(list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := testimony + "\nMy sister's passport was taken."; got.Testimony != want {
		t.Fatalf("testimony=%q, want %q", got.Testimony, want)
	}
	if res, err := v.Search(context.Background(), "警察"); err != nil || len(res) != 1 {
		t.Fatalf("search 警察: %d results, %v", len(res), err)
	}
	if ds, err := v.Drafts(); err != nil || len(ds) != 0 {
		t.Fatalf("%d drafts left after the save, %v", len(ds), err)
	}
}

func TestSensitiveSpan(t *testing.T) {
	dir, c := mustVault(t)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.newInterview("Lin Qiao")
	u.toEditor()
	u.typeText("Officers came to ")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlK})
	u.waitFor("Secret (sealed to the custodian)")
	u.typeText("Jiangxi")
	u.waitFor("Jiangxi")
	u.next("Public description")
	u.typeText("the home province")
	u.key(tea.KeyEnter)
	u.waitFor("{{Jiangxi|the home province}}")
	u.typeText(" twice a week.")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("Saved", "sealed to the custodian")
	u.quit()

	v := mustOpen(t, dir)
	list, _ := v.List(context.Background())
	if len(list) != 1 {
		t.Fatalf("%d interviews", len(list))
	}
	got, _ := v.Get(list[0].ID)
	if want := "Officers came to [the home province] twice a week."; got.Testimony != want {
		t.Fatalf("testimony=%q, want %q", got.Testimony, want)
	}
	r, err := v.Reveal(context.Background(), list[0].ID, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Spans) != 1 || r.Spans[0].Secret != "Jiangxi" {
		t.Fatalf("spans=%+v", r.Spans)
	}
}

// plaintextImage closes nothing: it decrypts the snapshot and the journal
// with the passphrase, as a coerced interviewer could (internal/coerced).
func plaintextImage(t *testing.T, dir string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "keys", "passphrase-1.age"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := crypto.OpenSlot(data, []byte(testPassphrase))
	if err != nil {
		t.Fatal(err)
	}
	parts, err := coerced.Open(dir, v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Join(parts, nil)
}

// fillIdentity opens the identity form from the interview and types a name
// and a contact.
func (u *ui) fillIdentity(name, contact string) {
	u.t.Helper()
	u.typeText("i")
	u.waitFor("Real name")
	u.typeText(name)
	u.waitFor(name)
	u.next("Aliases")
	u.next("Contact")
	u.typeText(contact)
	u.waitFor(contact)
	u.key(tea.KeyEsc)
	u.waitFor("it will be sealed to the custodian on save")
}

func TestIdentitySealed(t *testing.T) {
	dir, c := mustVault(t)
	u := startUI(t, Options{Dir: dir, AutosaveDelay: 10 * time.Millisecond})
	u.unlock()
	u.newInterview("Pseudo")
	u.toEditor()
	u.typeText("CanaryTestimony 金丝雀证词")
	u.key(tea.KeyEsc)
	u.fillIdentity("CanaryName 金丝雀名字", "CanaryContact")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("Identity: sealed to the custodian. It cannot be read on this laptop.")
	u.quit()

	v := mustOpen(t, dir)
	list, _ := v.List(context.Background())
	if len(list) != 1 {
		t.Fatalf("%d interviews", len(list))
	}
	r, err := v.Reveal(context.Background(), list[0].ID, c)
	if err != nil {
		t.Fatal(err)
	}
	if r.Identity == nil || r.Identity.Name != "CanaryName 金丝雀名字" || r.Identity.Contact != "CanaryContact" {
		t.Fatalf("revealed identity %+v", r.Identity)
	}
	if ds, err := v.Drafts(); err != nil || len(ds) != 0 {
		t.Fatalf("%d drafts left after saving, %v", len(ds), err)
	}
	v.Close()
	image := plaintextImage(t, dir)
	if !bytes.Contains(image, []byte("CanaryTestimony")) {
		t.Fatal("the image does not hold the testimony; the check below proves nothing")
	}
	for _, s := range []string{"CanaryName", "金丝雀名字", "CanaryContact"} {
		if bytes.Contains(image, []byte(s)) {
			t.Errorf("the vault passphrase opens %q", s)
		}
	}
}

func TestReidentificationWarning(t *testing.T) {
	dir, c := mustVault(t)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.newInterview("Pseudo")
	u.toEditor()
	u.typeText("Then zhou canary called +1 555 0100 from the border.")
	u.key(tea.KeyEsc)
	u.fillIdentity("Zhou Canary", "+1 555 0100")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("could identify the interviewee", "Zhou Canary (a name)", "+1 555 0100 (a contact)")
	u.typeText("p")
	u.waitFor("Saved")
	u.quit()

	v := mustOpen(t, dir)
	list, _ := v.List(context.Background())
	got, _ := v.Get(list[0].ID)
	if want := "Then [a name] called [a contact] from the border."; got.Testimony != want {
		t.Fatalf("testimony=%q, want %q", got.Testimony, want)
	}
	r, err := v.Reveal(context.Background(), list[0].ID, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Spans) != 2 || r.Spans[0].Secret != "zhou canary" || r.Spans[1].Secret != "+1 555 0100" {
		t.Fatalf("spans=%+v", r.Spans)
	}
}

func TestAutosave(t *testing.T) {
	dir, _ := mustVault(t)
	u := startUI(t, Options{Dir: dir, AutosaveDelay: 20 * time.Millisecond})
	u.unlock()
	u.newInterview("Draft Person")
	u.toEditor()
	u.typeText("Half of the testimony {{SecretVillage|a village}}")
	u.waitFor("Draft saved")
	// Quitting asks first.
	u.send(tea.KeyMsg{Type: tea.KeyCtrlC})
	u.waitFor("Quit with unsaved changes?")
	u.typeText("y")
	u.tm.WaitFinished(t, teatest.WithFinalTimeout(30*time.Second))
	u.m.Close()

	v := mustOpen(t, dir)
	if n, err := v.Count(); err != nil || n != 0 {
		t.Fatalf("%d interviews saved, %v; a draft is not a save", n, err)
	}
	ds, err := v.Drafts()
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Record.Pseudonym != "Draft Person" || ds[0].Interview != "" {
		t.Fatalf("drafts=%+v", ds)
	}
	if got, want := ds[0].Record.Testimony, "Half of the testimony {{#1|a village}}"; got != want {
		t.Fatalf("draft testimony=%q, want %q", got, want)
	}
	v.Close()
	if bytes.Contains(plaintextImage(t, dir), []byte("SecretVillage")) {
		t.Fatal("the draft holds a span secret in the clear")
	}

	// The draft is listed, and opens.
	u = startUI(t, Options{Dir: dir})
	u.unlock()
	u.waitFor("Draft Person", "new/draft")
	u.key(tea.KeyEnter)
	u.waitFor("Restored from the draft", "Half of the testimony [a village]", "1 sealed in the draft (kept)")
	u.quit()
}

func TestLock(t *testing.T) {
	dir, _ := mustVault(t)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.newInterview("Locked Person")
	u.toEditor()
	u.typeText("CanaryLockedTestimony")
	u.waitFor("CanaryLockedTestimony")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlL})
	u.waitFor("tvault — locked", "Locked.")
	u.key(tea.KeyEsc)
	fm := u.tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
	if fm.st != nil || fm.iv() != nil || len(fm.list.all) != 0 {
		t.Fatalf("decrypted data kept after lock: store=%v interview=%v rows=%d", fm.st != nil, fm.iv() != nil, len(fm.list.all))
	}
	if strings.Contains(fm.View(), "Canary") {
		t.Fatal("the locked screen shows testimony")
	}
	if fm.hold == nil {
		t.Fatal("the folder's lock was let go on lock")
	}
	fm.Close()
	// The draft was saved before locking.
	v := mustOpen(t, dir)
	ds, err := v.Drafts()
	if err != nil || len(ds) != 1 || ds[0].Record.Testimony != "CanaryLockedTestimony" {
		t.Fatalf("drafts=%+v, %v", ds, err)
	}
}

func TestAutoLock(t *testing.T) {
	dir, _ := mustVault(t)
	clock := newFakeClock()
	u := startUI(t, Options{Dir: dir, Now: clock.Now, Tick: 5 * time.Millisecond})
	u.unlock()
	u.waitFor("tvault — 0 interviews")
	clock.Advance(4 * time.Minute)
	time.Sleep(50 * time.Millisecond)
	u.typeText("j") // a key: activity
	clock.Advance(4 * time.Minute)
	time.Sleep(50 * time.Millisecond)
	u.typeText("?")
	u.waitFor("Keys")
	clock.Advance(5*time.Minute + time.Second)
	u.waitFor("Locked after 5m0s without a key.")
	u.key(tea.KeyEsc)
	fm := u.tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
	if fm.st != nil {
		t.Fatal("the vault is open after auto-lock")
	}
}

func TestSearchAsYouType(t *testing.T) {
	a := vault.Input{}
	a.Pseudonym, a.Testimony = "小河", "警察每周来两次。"
	b := vault.Input{}
	b.Pseudonym, b.Testimony = "Lin Qiao", "The passport office refused."
	dir, _ := mustVault(t, a, b)
	// The terminal output only says what was drawn, not what was cleared,
	// so each search ends the program and looks at its last screen: the
	// matching row is there, the other one is gone.
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.waitFor("2 interviews", "小河", "Lin Qiao")
	u.typeText("/")
	u.typeText("警察")
	u.waitFor("1 of 2 interviews", "小河")
	if screen := u.finalScreen(); !strings.Contains(screen, "小河") || strings.Contains(screen, "Lin Qiao") {
		t.Fatalf("search 警察 shows:\n%s", screen)
	}

	u = startUI(t, Options{Dir: dir})
	u.unlock()
	u.waitFor("2 interviews")
	u.typeText("/")
	u.typeText("警察")
	u.waitFor("1 of 2 interviews", "小河")
	u.key(tea.KeyEsc)
	u.typeText("/")
	u.typeText("lin")
	// The title may not be redrawn: it read "1 of 2" before too.
	u.waitFor("/lin", "Lin Qiao")
	if screen := u.finalScreen(); !strings.Contains(screen, "Lin Qiao") || strings.Contains(screen, "小河") {
		t.Fatalf("search lin shows:\n%s", screen)
	}
}

func TestFirstRun(t *testing.T) {
	c, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "vault")
	u := startUI(t, Options{Dir: dir})
	u.waitFor("Welcome to tvault", "┃ Your name")
	u.typeText("R1")
	u.next("Vault passphrase")
	u.typeText("short")
	u.waitFor("Too short")
	u.typeText(" but now long enough")
	u.waitFor("Strength:")
	u.next("The vault passphrase again")
	u.typeText("short but now long enough")
	u.next("Real identities are sealed to a custodian")
	u.key(tea.KeyDown)
	u.next("Custodian recipient")
	u.typeText(c.Recipient().String())
	u.key(tea.KeyEnter)
	u.waitFor("Created a vault")
	u.key(tea.KeyEnter)
	u.waitFor("tvault — 0 interviews")
	u.quit()

	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte("short but now long enough")))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if got, want := v.Custodian().String(), c.Recipient().String(); got != want {
		t.Fatalf("custodian %s, want %s", got, want)
	}
}

// TestListCursorVisible: however the cursor moves, its row is on screen.
func TestListCursorVisible(t *testing.T) {
	m, err := New(Options{Dir: filepath.Join(t.TempDir(), "none")})
	if err != nil {
		t.Fatal(err)
	}
	l := newListScreen(m.common)
	l.SetSize(80, 23)
	var rows []row
	for n := range 100 {
		rows = append(rows, row{id: fmt.Sprint(n), pseudonym: fmt.Sprintf("P%03d", n)})
	}
	l.setRows(rows)
	for _, k := range []tea.KeyType{tea.KeyDown, tea.KeyDown, tea.KeyPgDown, tea.KeyPgDown, tea.KeyDown, tea.KeyPgUp, tea.KeyUp, tea.KeyEnd, tea.KeyHome} {
		for range 7 {
			l.Update(tea.KeyMsg{Type: k})
			want := "▸ —          " + l.rows[l.cursor].pseudonym
			if v := l.View(); !strings.Contains(v, want) {
				t.Fatalf("after %v the cursor's row %d is not on screen", k, l.cursor)
			}
			if n := strings.Count(l.View(), "\n"); n > 23 {
				t.Fatalf("%d lines in a list of height 23", n)
			}
		}
	}
}

func TestFirstRunKeyFile(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "vault")
	u := startUI(t, Options{Dir: dir})
	u.waitFor("Welcome to tvault", "┃ Your name")
	u.next("Vault passphrase")
	u.typeText("vault pass phrase one")
	u.next("The vault passphrase again")
	u.typeText("vault pass phrase one")
	u.next("Real identities are sealed to a custodian")
	u.next("Where to write the custodian key file") // create a key file
	u.waitFor("Keep the custodian key OFF this laptop")
	u.typeText(filepath.Join(root, "tvault-custodian.age"))
	u.waitFor("Warning: that is this laptop's own disk") // beside the vault
	u.next("Custodian passphrase")
	u.typeText("custodian pass phrase")
	u.next("The custodian passphrase again")
	u.typeText("custodian pass phrase")
	u.key(tea.KeyEnter)
	u.waitFor("Created a vault", "Move it off this laptop")
	u.key(tea.KeyEnter)
	u.waitFor("tvault — 0 interviews")
	u.quit()

	keyFile := filepath.Join(root, "tvault-custodian.age")
	st, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("custodian key file mode %o", st.Mode().Perm())
	}
	data, _ := os.ReadFile(keyFile)
	c, err := crypto.OpenCustodianKey(data, []byte("custodian pass phrase"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity([]byte("vault pass phrase one")))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if v.Custodian().String() != c.Recipient().String() {
		t.Fatal("the vault seals to another custodian than the key file's")
	}
}

func TestListStates(t *testing.T) {
	m, err := New(Options{Dir: filepath.Join(t.TempDir(), "none")})
	if err != nil {
		t.Fatal(err)
	}
	l := newListScreen(m.common)
	l.SetSize(100, 10)
	l.setRows([]row{
		{id: "a", pseudonym: "Saved One", heads: 1},
		{id: "b", pseudonym: "Conflicted", heads: 2},
		{id: "c", pseudonym: "Edited", heads: 1, draftKey: "c"},
		{pseudonym: "Brand New", draftKey: "draft-1"},
	})
	v := l.View()
	for _, want := range []string{"Saved One", "saved", "Conflicted", "!conflict", "Edited", " draft", "Brand New", "new/draft"} {
		if !strings.Contains(v, want) {
			t.Errorf("the list does not show %q:\n%s", want, v)
		}
	}
}

// TestAutosaveOnLeavingField: with no pause long enough for the timer,
// leaving a field saves the draft.
func TestAutosaveOnLeavingField(t *testing.T) {
	dir, _ := mustVault(t)
	u := startUI(t, Options{Dir: dir}) // the autosave timer is an hour
	u.unlock()
	u.newInterview("Field Person")
	u.waitFor("● unsaved")
	u.next("Date of the interview")
	u.waitFor("Draft saved")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlC})
	u.waitFor("Quit with unsaved changes?")
	u.typeText("n")
	u.quit()
	v := mustOpen(t, dir)
	ds, err := v.Drafts()
	if err != nil || len(ds) != 1 || ds[0].Record.Pseudonym != "Field Person" {
		t.Fatalf("drafts=%+v, %v", ds, err)
	}
}

// TestReidentificationEveryField: a name in Where, not only in the
// testimony, stops the save (issue path 4).
func TestReidentificationEveryField(t *testing.T) {
	dir, _ := mustVault(t)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.newInterview("Pseudo")
	u.next("Date of the interview")
	u.next("Where")
	u.typeText("near Zhou Canary's flat")
	u.waitFor("Zhou Canary's flat")
	u.toEditor()
	u.typeText("Nothing identifying here.")
	u.key(tea.KeyEsc)
	u.fillIdentity("Zhou Canary", "+1 555 0100")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("could identify the interviewee", "Zhou Canary (a name) in Where", "Fix the other fields")
	u.key(tea.KeyEsc)
	u.waitFor("Identity: typed")
	u.quit()
	v := mustOpen(t, dir)
	if n, err := v.Count(); err != nil || n != 0 {
		t.Fatalf("%d interviews saved past the warning (%v)", n, err)
	}
}

// TestDraftKeepsSealed: the identity and a span secret typed before a lock
// survive lock → unlock → restore → save (issue 12, path 1), and the
// passphrase never opens them.
func TestDraftKeepsSealed(t *testing.T) {
	dir, c := mustVault(t)
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.newInterview("Kept Person")
	u.toEditor()
	u.typeText("Officers came to ")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlK})
	u.waitFor("Secret (sealed to the custodian)")
	u.typeText("CanaryVillage")
	u.waitFor("CanaryVillage")
	u.next("Public description")
	u.typeText("a village")
	u.key(tea.KeyEnter)
	u.waitFor("{{CanaryVillage|a village}}")
	u.typeText(" often.")
	u.key(tea.KeyEsc)
	u.fillIdentity("CanaryKeptName", "CanaryKeptContact")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlL})
	// Unlocking returns to the interview, restored from its draft.
	u.unlockAgain()
	u.waitFor("Restored from the draft", "identity sealed in the draft (kept)", "Officers came to")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("Saved")
	u.quit()

	v := mustOpen(t, dir)
	list, _ := v.List(context.Background())
	if len(list) != 1 {
		t.Fatalf("%d interviews", len(list))
	}
	got, _ := v.Get(list[0].ID)
	if want := "Officers came to [a village] often."; got.Testimony != want {
		t.Fatalf("testimony=%q, want %q", got.Testimony, want)
	}
	r, err := v.Reveal(context.Background(), list[0].ID, c)
	if err != nil {
		t.Fatal(err)
	}
	if r.Identity == nil || r.Identity.Name != "CanaryKeptName" || r.Identity.Contact != "CanaryKeptContact" {
		t.Fatalf("revealed identity %+v", r.Identity)
	}
	if len(r.Spans) != 1 || r.Spans[0].Secret != "CanaryVillage" || r.Spans[0].Description != "a village" {
		t.Fatalf("revealed spans %+v", r.Spans)
	}
	if ds, _ := v.Drafts(); len(ds) != 0 {
		t.Fatalf("%d drafts left after saving", len(ds))
	}
	v.Close()
	image := plaintextImage(t, dir)
	for _, s := range []string{"CanaryVillage", "CanaryKeptName", "CanaryKeptContact"} {
		if bytes.Contains(image, []byte(s)) {
			t.Errorf("the vault passphrase opens %q", s)
		}
	}
}

// TestDraftNeverHoldsName: a name typed in the identity form and then in
// the testimony is sealed in every draft written, before and after a lock;
// the restored draft's save keeps it out of the testimony (issue 12, path
// 2, and the canary must-hold).
func TestDraftNeverHoldsName(t *testing.T) {
	dir, c := mustVault(t)
	// Long enough that typing the sentence is one pause, not fifty drafts
	// each fsync'd (which on a loaded machine outlasted the wait).
	u := startUI(t, Options{Dir: dir, AutosaveDelay: 300 * time.Millisecond})
	noCanary := func(when string) {
		t.Helper()
		image := plaintextImage(t, dir)
		if !bytes.Contains(image, []byte("Reid Person")) {
			t.Fatalf("%s: the image holds no draft; the check proves nothing", when)
		}
		if bytes.Contains(image, []byte("CanaryReidName")) {
			t.Fatalf("%s: the vault passphrase opens the canary", when)
		}
	}
	u.unlock()
	u.newInterview("Reid Person")
	u.key(tea.KeyEsc)
	u.waitFor("Identity: none")
	u.fillIdentity("CanaryReidName", "+1 555 0199")
	u.typeText("e")
	u.waitFor("Testimony ·")
	u.typeText("Then CanaryReidName came, and called from 1-555-0199.")
	u.waitFor("Draft saved")
	noCanary("after the autosave")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlL})
	u.waitFor("tvault — locked")
	noCanary("locked")
	// Unlocking returns to the interview's editor, restored from its draft.
	u.unlockAgain()
	u.waitFor("Restored from the draft", "Testimony ·")
	u.key(tea.KeyEsc)
	u.waitFor("identity sealed in the draft (kept)")
	u.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	u.waitFor("Saved")
	u.quit()
	noCanary("saved")

	v := mustOpen(t, dir)
	list, _ := v.List(context.Background())
	got, _ := v.Get(list[0].ID)
	if want := "Then [a name] came, and called from [a contact]."; got.Testimony != want {
		t.Fatalf("testimony=%q, want %q", got.Testimony, want)
	}
	r, err := v.Reveal(context.Background(), list[0].ID, c)
	if err != nil {
		t.Fatal(err)
	}
	if r.Identity == nil || r.Identity.Name != "CanaryReidName" || len(r.Spans) != 2 || r.Spans[0].Secret != "CanaryReidName" {
		t.Fatalf("revealed %+v %+v", r.Identity, r.Spans)
	}
}

// TestDiscardDraft: d on a draft in the list discards it, once confirmed.
func TestDiscardDraft(t *testing.T) {
	dir, _ := mustVault(t)
	v := mustOpen(t, dir)
	in := vault.Input{}
	in.Pseudonym, in.Testimony = "Gone Person", "half typed"
	if err := v.SaveDraft(vault.NewDraftKey(), "", in); err != nil {
		t.Fatal(err)
	}
	v.Close()
	u := startUI(t, Options{Dir: dir})
	u.unlock()
	u.waitFor("Gone Person", "new/draft")
	u.typeText("d")
	u.waitFor("Discard the draft of Gone Person?")
	u.typeText("n")
	u.waitFor("Gone Person", "new/draft")
	u.typeText("d")
	u.waitFor("Discard the draft of Gone Person?")
	u.typeText("y")
	u.waitFor("No interviews yet")
	u.quit()
	v = mustOpen(t, dir)
	if ds, _ := v.Drafts(); len(ds) != 0 {
		t.Fatalf("%d drafts after discarding", len(ds))
	}
}
