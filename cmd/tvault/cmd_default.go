package main

import (
	"os"

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
	return tui.Run(tui.Options{Dir: dir, NoColor: os.Getenv("NO_COLOR") != ""})
}
