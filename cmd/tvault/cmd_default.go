package main

import (
	"os"
	"time"

	"github.com/tvault/tvault/tui"
	"golang.org/x/term"
)

// runDefault is `tvault` with no command: the terminal UI, which walks
// through creating a vault when there is none yet.
func runDefault(e *env) error {
	dir, err := e.dir()
	if err != nil {
		return err
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) || !term.IsTerminal(int(os.Stdout.Fd())) {
		return withHint(usageError("the terminal UI needs a terminal"),
			"run tvault in a terminal, or use its commands ('tvault help') in scripts")
	}
	opts := tui.Options{Dir: dir, NoColor: e.getenv("NO_COLOR") != ""}
	if s := e.getenv("TVAULT_LOCK_AFTER"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 10*time.Second {
			return usageError("TVAULT_LOCK_AFTER must be a duration of at least 10s, such as 2m or 15m (got %q)", s)
		}
		opts.IdleLock = d
	}
	if e.passphraseFile != "" {
		// The UI unlocks with it at start, and wipes it.
		p, err := readPassphrase(e, e.passphraseFile, "vault passphrase", false)
		if err != nil {
			return err
		}
		opts.Passphrase = p
	}
	return tui.Run(opts)
}
