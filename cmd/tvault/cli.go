package main

import (
	"context"
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
	// ctx is the command's context: the long vault operations take it.
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string

	vaultDir          string
	passphraseFile    string
	custodianPassFile string
	identityFile      string // --identity: open the vault with an age identity (cmd_keys.go)
}

// command is a node of the command tree: a command (`tvault list`), a group
// of subcommands (`tvault team`), or a subcommand (`tvault team remove`).
// Each has its own flags, so a flag of one subcommand is refused by
// another; the global flags (addGlobalFlags) are accepted by all of them,
// before or after the command's name.
type command struct {
	name    string
	args    string // synopsis of arguments and flags
	summary string // one line for the command list
	help    string // more, for `tvault CMD --help`
	// setup registers the command's own flags; run gets the positional
	// arguments left after parsing. A group without a run of its own (team,
	// keys, custodian) has no setup.
	setup func(fs *flag.FlagSet) func(e *env, args []string) error
	subs  []*command

	path string // "team remove": set by register
}

var commands []*command

func register(c *command) {
	setPath(c, "")
	commands = append(commands, c)
}

func setPath(c *command, parent string) {
	c.path = strings.TrimSpace(parent + " " + c.name)
	for _, s := range c.subs {
		setPath(s, c.path)
	}
}

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (c *command) sub(name string) *command {
	for _, s := range c.subs {
		if s.name == name {
			return s
		}
	}
	return nil
}

func (c *command) subNames() string {
	var names []string
	for _, s := range c.subs {
		names = append(names, s.name)
	}
	return strings.Join(names, ", ")
}

// flags returns a flag set holding the global flags, bound to e, and c's
// own, with the run function that reads them.
func (c *command) flags(e *env) (*flag.FlagSet, func(*env, []string) error) {
	fs := flag.NewFlagSet("tvault "+c.path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addGlobalFlags(fs, e)
	if c.setup == nil {
		return fs, func(*env, []string) error {
			return usageError("%s needs a subcommand: %s (see 'tvault %s --help')", c.path, c.subNames(), c.path)
		}
	}
	return fs, c.setup(fs)
}

func addGlobalFlags(fs *flag.FlagSet, e *env) {
	fs.StringVar(&e.vaultDir, "vault", e.vaultDir, "the vault `DIR` (default $TVAULT_DIR, else the user data folder)")
	fs.StringVar(&e.passphraseFile, "passphrase-file", e.passphraseFile, "read the vault passphrase from the first line of `PATH`")
	fs.StringVar(&e.custodianPassFile, "custodian-passphrase-file", e.custodianPassFile, "read the custodian passphrase from the first line of `PATH`")
	fs.StringVar(&e.identityFile, "identity", e.identityFile, "open the vault with the age identity in `FILE` (a recipient key slot) instead of a passphrase")
}

func isGlobalFlag(name string) bool {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	addGlobalFlags(fs, &env{})
	return fs.Lookup(name) != nil
}

func run(e *env, args []string) int {
	if e.ctx == nil {
		e.ctx = context.Background()
	}
	e.stdout, e.stderr = escaping(e.stdout), escaping(e.stderr)
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
		return runHelp(e, rest[1:])
	}
	c := findCommand(name)
	if c == nil {
		return usageError("unknown command %q (see 'tvault help')", name)
	}
	c, args, err := resolve(c, rest[1:])
	if err != nil {
		return err
	}
	fs, runFn := c.flags(e)
	positional, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printCommandUsage(e.stdout, c)
		return flag.ErrHelp
	}
	if err != nil {
		return usageError("%s: %v (see 'tvault %s --help')", c.path, err, c.path)
	}
	return runFn(e, positional)
}

// runHelp is `tvault help [COMMAND [SUBCOMMAND]]`.
func runHelp(e *env, args []string) error {
	if len(args) == 0 {
		printUsage(e.stdout)
		return nil
	}
	c := findCommand(args[0])
	if c == nil {
		return usageError("unknown command %q (see 'tvault help')", args[0])
	}
	for _, name := range args[1:] {
		s := c.sub(name)
		if s == nil {
			return usageError("unknown %s subcommand %q (%s)", c.path, name, c.subNames())
		}
		c = s
	}
	printCommandUsage(e.stdout, c)
	return nil
}

// resolve walks from c down to the subcommand that args name, and returns it
// with the arguments left for it: args without the subcommand names. The
// first argument that is not a flag (or a flag's value) names the
// subcommand, so global flags may stand before it (`tvault team --vault DIR
// list`); the subcommand's own flags, which take values, follow its name.
func resolve(c *command, args []string) (*command, []string, error) {
	args = append([]string(nil), args...)
	for i := 0; i < len(args) && len(c.subs) > 0; i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) > 1 && a[0] == '-' {
			if c.flagTakesValue(a) {
				i++
			}
			continue
		}
		s := c.sub(a)
		if s == nil {
			if c.setup != nil {
				break // a positional argument of c itself
			}
			return nil, nil, usageError("unknown %s subcommand %q (%s)", c.path, a, c.subNames())
		}
		args = append(args[:i], args[i+1:]...)
		i--
		c = s
	}
	return c, args, nil
}

// flagTakesValue reports whether arg, a flag, is one of c's or a global
// flag that takes its value from the next argument. An unknown flag takes
// none; parsing refuses it later.
func (c *command) flagTakesValue(arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if strings.Contains(name, "=") {
		return false
	}
	fs, _ := c.flags(&env{})
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
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
	width := 0
	for _, c := range cs {
		width = max(width, len(c.name))
	}
	for _, c := range cs {
		fmt.Fprintf(w, "  %-*s %s\n", width, c.name, c.summary)
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
	for i, n := range []string{"init", "demo", "add", "list", "show", "search", "identity", "custodian", "passwd", "rekey", "keys", "whoami", "team", "export", "import", "purge", "redact", "audit", "check"} {
		if n == name {
			return i
		}
	}
	return 100
}

// printCommandUsage is `tvault CMD --help`: the synopsis, the help text, the
// command's own flags and, for a group, each subcommand's.
func printCommandUsage(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: tvault %s %s\n\n%s\n", c.path, c.args, c.summary)
	if c.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(strings.TrimLeft(c.help, "\n"), " \n"))
	}
	if own := ownFlags(c); own != "" {
		fmt.Fprintf(w, "\nFlags:\n%s\n", own)
	}
	for _, s := range c.subs {
		if own := ownFlags(s); own != "" {
			fmt.Fprintf(w, "\nFlags of '%s':\n%s\n", s.path, own)
		}
	}
	if len(c.subs) > 0 {
		fmt.Fprintf(w, "\n'tvault %s SUBCOMMAND --help' tells more.\n", c.path)
	}
	fmt.Fprint(w, "\nGlobal flags: --vault DIR, --passphrase-file PATH, --custodian-passphrase-file PATH, --identity FILE\n")
}

// ownFlags lists c's flags, without the global ones.
func ownFlags(c *command) string {
	fs, _ := c.flags(&env{})
	var own []string
	fs.VisitAll(func(f *flag.Flag) {
		if isGlobalFlag(f.Name) {
			return
		}
		name, usage := flag.UnquoteUsage(f)
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-" // -o, -k, as the synopses write them
		}
		own = append(own, fmt.Sprintf("  %s%s %s\n    \t%s", dash, f.Name, name, usage))
	})
	return strings.Join(own, "\n")
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
