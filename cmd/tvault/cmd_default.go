package main

import (
	"fmt"

	"github.com/tvault/tvault/vault"
)

// runDefault is `tvault` with no command: the guided first run when there is
// no vault yet, else a short status and the command list.
func runDefault(e *env) error {
	dir, err := e.dir()
	if err != nil {
		return err
	}
	if !vault.Exists(dir) {
		fmt.Fprintf(e.stderr, "Welcome to tvault. There is no vault in %s yet; let's create one.\n", dir)
		fmt.Fprintln(e.stderr, "(To try tvault on synthetic interviews instead: tvault demo DIR)")
		return runInit(e, initOptions{})
	}
	fmt.Fprintf(e.stdout, "The vault is in %s.\n\n", dir)
	printUsage(e.stdout)
	return nil
}
