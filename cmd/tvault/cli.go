package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// env is what a command runs with: streams, environment and global flags.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string

	vaultDir          string
	passphraseFile    string
	custodianPassFile string
	identityFile      string // --identity: open the vault with an age identity (cmd_keys.go)
}

// command is one subcommand.
type command struct {
	name    string
	args    string // synopsis of arguments and flags
	summary string // one line for the command list
	help    string // more, for `tvault CMD --help`
	// setup registers the command's own flags; run gets the positional
	// arguments left after parsing.
	setup func(fs *flag.FlagSet) func(e *env, args []string) error
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func addGlobalFlags(fs *flag.FlagSet, e *env) {
	fs.StringVar(&e.vaultDir, "vault", e.vaultDir, "the vault `DIR` (default $TVAULT_DIR, else the user data folder)")
	fs.StringVar(&e.passphraseFile, "passphrase-file", e.passphraseFile, "read the vault passphrase from the first line of `PATH`")
	fs.StringVar(&e.custodianPassFile, "custodian-passphrase-file", e.custodianPassFile, "read the custodian passphrase from the first line of `PATH`")
	fs.StringVar(&e.identityFile, "identity", e.identityFile, "open the vault with the age identity in `FILE` (a recipient key slot) instead of a passphrase")
}

func run(e *env, args []string) int {
	err := dispatch(e, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		printError(e.stderr, err)
		return codeOf(err)
	}
	return exitOK
}

func dispatch(e *env, args []string) error {
	global := flag.NewFlagSet("tvault", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	addGlobalFlags(global, e)
	showVersion := global.Bool("version", false, "print the version")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(e.stdout)
			return flag.ErrHelp
		}
		return usageError("%v (see 'tvault help')", err)
	}
	if *showVersion {
		fmt.Fprintf(e.stdout, "tvault %s (%s)\n", version, runtime.Version())
		return nil
	}
	rest := global.Args()
	if len(rest) == 0 {
		return runDefault(e)
	}
	name := rest[0]
	if name == "help" {
		if len(rest) > 1 {
			if c := findCommand(rest[1]); c != nil {
				printCommandUsage(e.stdout, c, e)
				return nil
			}
			return usageError("unknown command %q (see 'tvault help')", rest[1])
		}
		printUsage(e.stdout)
		return nil
	}
	c := findCommand(name)
	if c == nil {
		return usageError("unknown command %q (see 'tvault help')", name)
	}
	fs := flag.NewFlagSet("tvault "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addGlobalFlags(fs, e)
	runFn := c.setup(fs)
	positional, err := parseInterspersed(fs, rest[1:])
	if errors.Is(err, flag.ErrHelp) {
		printCommandUsage(e.stdout, c, e)
		return flag.ErrHelp
	}
	if err != nil {
		return usageError("%s: %v (see 'tvault %s --help')", c.name, err, c.name)
	}
	return runFn(e, positional)
}

// parseInterspersed parses flags anywhere among the arguments, as users
// expect (`tvault show ID --json`). Everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// flag stops at "--" and drops it; detect that case.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `tvault keeps testimony from sensitive interviews encrypted, offline.

Usage:
  tvault [--vault DIR]                         the terminal UI (first run: creates the vault)
  tvault [--vault DIR] COMMAND [ARGS] [FLAGS]

Commands:
`)
	cs := append([]*command{}, commands...)
	sort.SliceStable(cs, func(i, j int) bool { return order(cs[i].name) < order(cs[j].name) })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Global flags (before or after the command):
  --vault DIR                       the vault (default $TVAULT_DIR, else the user data folder)
  --passphrase-file PATH            vault passphrase from the first line of PATH, for scripts
  --custodian-passphrase-file PATH  custodian passphrase from the first line of PATH
  --identity FILE                   open the vault with an age identity file (see 'keys add')

Without a passphrase file tvault asks on the terminal, without echo.
'tvault help COMMAND' or 'tvault COMMAND --help' tells more.

Exit codes: 0 ok, 1 error, 2 usage, 3 wrong passphrase or key, 4 damaged or
forged data, 5 vault in use, 6 not found, 7 invalid input, 8 cancelled.
`)
}

func order(name string) int {
	for i, n := range []string{"init", "demo", "add", "list", "show", "search", "identity", "custodian", "passwd", "keys", "whoami", "team", "export", "import", "purge", "audit", "check"} {
		if n == name {
			return i
		}
	}
	return 100
}

func printCommandUsage(w io.Writer, c *command, e *env) {
	fmt.Fprintf(w, "Usage: tvault %s %s\n\n%s\n", c.name, c.args, c.summary)
	if c.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.help))
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.setup(fs)
	var own []string
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		own = append(own, fmt.Sprintf("  --%s %s\n    \t%s", f.Name, name, usage))
	})
	if len(own) > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s\n", strings.Join(own, "\n"))
	}
	fmt.Fprint(w, "\nGlobal flags: --vault DIR, --passphrase-file PATH, --custodian-passphrase-file PATH, --identity FILE\n")
}

// dir returns the vault folder: --vault, else $TVAULT_DIR, else the user
// data folder.
func (e *env) dir() (string, error) {
	if e.vaultDir != "" {
		return e.vaultDir, nil
	}
	if d := e.getenv("TVAULT_DIR"); d != "" {
		return d, nil
	}
	return defaultDataDir(e.getenv)
}

func defaultDataDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "tvault"), nil
		}
	case "darwin":
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, "Library", "Application Support", "tvault"), nil
		}
	default:
		if d := getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, "tvault"), nil
		}
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, ".local", "share", "tvault"), nil
		}
	}
	return "", usageError("no vault folder: pass --vault DIR or set $TVAULT_DIR")
}

const version = "0.1.0-dev"

func noArgs(name string, args []string) error {
	if len(args) > 0 {
		return usageError("%s takes no arguments (got %q)", name, args[0])
	}
	return nil
}
