// Command tvault is an encrypted, offline-first vault for testimony from
// sensitive interviews. Run `tvault help` for the commands.
package main

import (
	"os"
)

func main() {
	os.Exit(Main())
}

// Main runs tvault with the process's arguments and streams and returns the
// exit code.
func Main() int {
	e := &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
	}
	// Before anything secret is in memory: no core dumps, no debugger
	// (hygiene_*.go).
	if err := hardenProcess(); err != nil {
		warningf(e.stderr, "%v", err)
	}
	return run(e, os.Args[1:])
}
