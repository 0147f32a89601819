package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/term"
	"github.com/tvault/tvault/vault"
)

// Output rules, for every command:
//
//   - Results go to stdout: IDs, tables, JSON. Nothing else does, so that
//     scripts can read it.
//   - Everything for the person goes to stderr: prompts, progress, warnings,
//     errors, hints. Errors start "tvault: ", warnings "tvault: warning: ".
//   - An error says what went wrong and, where there is one, what to do next,
//     on a hint line.
//   - No error, warning or hint ever contains testimony, a name, a contact or
//     a passphrase. Errors from vault and crypto are written to follow this
//     rule; do not wrap them with user input.
//   - Nothing reaches the terminal raw: run passes stdout and stderr through
//     [escaper], so a control character in what the vault holds (a
//     pseudonym, testimony, a member's name, an audit event) prints as
//     \u001b, never as the escape itself. The only control characters
//     tvault writes are its own: the progress line's \r, written to the
//     terminal directly (terminalOf).

// exitError is an error with the exit code it maps to and an optional hint.
type exitError struct {
	code int
	err  error
	hint string
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func withHint(err error, hint string) error {
	return &exitError{code: codeOf(err), err: err, hint: hint}
}

// codeOf maps an error to its exit code.
func codeOf(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, crypto.ErrWrongPassphrase), errors.Is(err, vault.ErrWrongCustodianKey):
		return exitWrongPassphrase
	case errors.Is(err, crypto.ErrDamaged):
		return exitDamaged
	case errors.Is(err, vault.ErrInUse):
		return exitInUse
	case errors.Is(err, vault.ErrNotFound), errors.Is(err, vault.ErrNoVault), errors.Is(err, vault.ErrAmbiguous),
		errors.Is(err, vault.ErrNoAttachment), errors.Is(err, vault.ErrNoQuote):
		return exitNotFound
	case errors.Is(err, vault.ErrCannotClean):
		return exitInvalid
	case errors.Is(err, vault.ErrInvalid):
		return exitInvalid
	}
	return exitFailure
}

// hintFor returns the default hint for an error, or "".
func hintFor(err error) string {
	var ee *exitError
	if errors.As(err, &ee) && ee.hint != "" {
		return ee.hint
	}
	switch {
	case errors.Is(err, crypto.ErrWrongPassphrase):
		return "nothing was changed; check the passphrase and try again"
	case errors.Is(err, crypto.ErrDamaged):
		return "the vault was not changed; run 'tvault check', and see docs/RECOVERY.md"
	case errors.Is(err, vault.ErrInUse):
		return "close the other tvault (terminal UI or command) and try again"
	case errors.Is(err, vault.ErrNoVault):
		return "create one with 'tvault init', or point --vault (or $TVAULT_DIR) at an existing one"
	case errors.Is(err, vault.ErrNoSuchPassage):
		return "a passage must match exactly, case included; nothing was changed"
	case errors.Is(err, vault.ErrNotFound), errors.Is(err, vault.ErrAmbiguous):
		return "'tvault list' shows every interview and its ID"
	case errors.Is(err, vault.ErrNoMember):
		return "'tvault team list' shows the roster"
	case errors.Is(err, vault.ErrMemberExists):
		return "remove it first with 'tvault team remove NAME'"
	case errors.Is(err, vault.ErrNewerBundle):
		return "update tvault to import it; nothing was changed"
	case errors.Is(err, vault.ErrRetiredCustodian):
		return "the sender runs 'tvault custodian rotate' first; nothing was changed"
	case errors.Is(err, vault.ErrNotOpenedWithPassphrase):
		return "add a passphrase with 'tvault keys add'"
	case errors.Is(err, term.ErrNoTerminal):
		return "pass --passphrase-file (and --custodian-passphrase-file) when running without a terminal"
	}
	return ""
}

// printError writes err, and its hint if any, to w.
func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "tvault: %v\n", err)
	if h := hintFor(err); h != "" {
		fmt.Fprintf(w, "tvault: hint: %s\n", h)
	}
}

func warningf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "tvault: warning: "+format+"\n", args...)
}

// isTerminal reports whether f is a terminal: progress bars only go there.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// escaper writes through [vault.Escape]: control characters other than
// newline and tab, and bytes that are not UTF-8, come out as visible
// escapes. Each Write is escaped on its own; fmt and tabwriter write whole
// values, so a character is not split between two.
type escaper struct{ w io.Writer }

func (e escaper) Write(p []byte) (int, error) {
	if _, err := io.WriteString(e.w, vault.Escape(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// rawOf returns what w writes to, behind its escaper: for bytes that are
// data, not text for a person (an attachment piped to another program).
func rawOf(w io.Writer) io.Writer {
	if e, ok := w.(escaper); ok {
		return e.w
	}
	return w
}

// escaping returns w behind an escaper, once.
func escaping(w io.Writer) io.Writer {
	if _, ok := w.(escaper); ok || w == nil {
		return w
	}
	return escaper{w}
}

// terminalOf returns the terminal w writes to, if any, for output that
// tvault generates itself (the progress line).
func terminalOf(w io.Writer) (*os.File, bool) {
	if e, ok := w.(escaper); ok {
		w = e.w
	}
	f, ok := w.(*os.File)
	return f, ok && isTerminal(f)
}

// table writes rows as columns two cells apart, aligned by screen cells:
// a Chinese character takes two (text/tabwriter counts it as one, which
// breaks the table). The last column is not padded.
type table struct {
	rows [][]string
}

func (t *table) row(cols ...string) { t.rows = append(t.rows, cols) }

func (t *table) write(w io.Writer) error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		var line strings.Builder
		for i, c := range r {
			if i < len(r)-1 {
				line.WriteString(runewidth.FillRight(c, widths[i]) + "  ")
			} else {
				line.WriteString(c)
			}
		}
		b.WriteString(line.String() + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
