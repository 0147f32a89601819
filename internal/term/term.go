// Package term asks the person at the terminal: passphrases without echo,
// read from the controlling terminal (not standard input, which stays free
// for data), or from the first line of a file for scripts and tests.
//
// Every passphrase is returned as a []byte kept out of swap where the system
// allows ([crypto.Lock]); the caller wipes it ([crypto.Wipe]). Nothing here
// judges a passphrase: that is [crypto.CheckNewPassphrase].
package term

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tvault/tvault/crypto"
	xterm "golang.org/x/term"
)

// ErrNoTerminal is returned when there is no terminal to ask on.
var ErrNoTerminal = errors.New("no terminal to ask for a passphrase")

// ErrMismatch is returned (to the retry callback of [ReadNewPassphrase])
// when the repeated passphrase differs from the first.
var ErrMismatch = errors.New("the two passphrases differ")

// ErrNoPassphrase is returned by [ReadNewPassphrase] after three failed
// tries.
var ErrNoPassphrase = errors.New("no passphrase set after three tries")

// Close closes what [Open] opened.
func Close(in, out *os.File) {
	in.Close()
	if out != in {
		out.Close()
	}
}

// ReadPassphrase prints prompt to the controlling terminal and reads a
// passphrase without echo.
func ReadPassphrase(prompt string) ([]byte, error) {
	in, out, err := Open()
	if err != nil {
		return nil, ErrNoTerminal
	}
	defer Close(in, out)
	if !xterm.IsTerminal(int(in.Fd())) {
		return nil, ErrNoTerminal
	}
	fmt.Fprint(out, prompt)
	p, err := xterm.ReadPassword(int(in.Fd()))
	fmt.Fprintln(out)
	if err != nil {
		crypto.Wipe(p)
		return nil, fmt.Errorf("failed to read passphrase: %w", err)
	}
	// term.ReadPassword builds p in a growing buffer: the copies it made
	// while the passphrase was typed are unreachable and cannot be wiped.
	// The final buffer is kept out of swap and wiped by the caller.
	crypto.Lock(p)
	return p, nil
}

// ReadNewPassphrase asks for a new passphrase on the terminal, then for it
// again. what names it in the prompts ("vault passphrase"). check refuses a
// weak passphrase; a refused or mismatched one is reported to retry (with
// an error that never holds the passphrase) and asked again, three times at
// most, after which the error is [ErrNoPassphrase].
func ReadNewPassphrase(what string, check func([]byte) error, retry func(error)) ([]byte, error) {
	for range 3 {
		p, err := ReadPassphrase(fmt.Sprintf("New %s (at least %d characters): ", what, crypto.MinPassphraseLen))
		if err != nil {
			return nil, err
		}
		if err := check(p); err != nil {
			crypto.Wipe(p)
			retry(err)
			continue
		}
		again, err := ReadPassphrase(fmt.Sprintf("Repeat the %s: ", what))
		if err != nil {
			crypto.Wipe(p)
			return nil, err
		}
		same := bytes.Equal(p, again)
		crypto.Wipe(again)
		if same {
			return p, nil
		}
		crypto.Wipe(p)
		retry(ErrMismatch)
	}
	return nil, ErrNoPassphrase
}

// ReadPassphraseFile returns the first line of the file at path, without its
// line ending. The buffer holding the rest of the file is wiped.
func ReadPassphraseFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read passphrase file: %w", err)
	}
	defer crypto.Wipe(data)
	return firstLine(data)
}

// ReadPassphraseReader is [ReadPassphraseFile] for an open reader.
func ReadPassphraseReader(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(bufio.NewReader(r))
	if err != nil {
		return nil, fmt.Errorf("failed to read passphrase: %w", err)
	}
	defer crypto.Wipe(data)
	return firstLine(data)
}

func firstLine(data []byte) ([]byte, error) {
	line := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line = data[:i]
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return nil, errors.New("the passphrase file's first line is empty")
	}
	out := make([]byte, len(line))
	// Kept out of swap while it lives; the caller wipes it.
	crypto.Lock(out)
	copy(out, line)
	return out, nil
}
