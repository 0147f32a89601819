// Package keys is the key map of the terminal UI. Docs and tests rely on
// New, Open, Edit, Save, Back, Search, Lock, Help and Quit: change them only
// with the README.
package keys

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key binding.
type KeyMap struct {
	New, Open, Edit, Identity, Metadata, Save, Back, Search, Lock, Help, Quit key.Binding
	Span, Stats, Up, Down, PageUp, PageDown, Home, End, ForceQuit             key.Binding
	Yes, No, Protect, Discard                                                 key.Binding
	// Reveal asks for the custodian key (list, interview); Team opens the
	// team screen (list); Compare shows a conflict's versions side by side
	// (interview).
	Reveal, Team, Compare key.Binding
	// Purge asks to purge the interview (interview), with a typed
	// confirmation.
	Purge key.Binding
	// Attach attaches a file to the interview (interview).
	Attach key.Binding
	// Redact replaces a passage in an interview's whole history
	// (interview).
	Redact key.Binding
	// Read opens the reading view of an interview (list, interview);
	// Publish the publish screen (list).
	Read, Publish key.Binding
	// The reading view's own keys: Select starts or ends a selection,
	// MarkQuote marks it as a quote.
	Select, MarkQuote key.Binding
	// The team screen's own keys.
	AddMember, RemoveMember, Card, Mark, Export, Import, RotateKey key.Binding
}

// Default returns the key map.
func Default() *KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return &KeyMap{
		New:       b("n", "new interview", "n"),
		Open:      b("enter", "open", "enter"),
		Edit:      b("e", "edit testimony", "e"),
		Identity:  b("i", "identity", "i"),
		Metadata:  b("m", "details", "m"),
		Save:      b("ctrl+s", "save", "ctrl+s"),
		Back:      b("esc", "back", "esc"),
		Search:    b("/", "search", "/"),
		Lock:      b("ctrl+l", "lock", "ctrl+l"),
		Help:      b("?", "help", "?"),
		Quit:      b("q", "quit", "q"),
		Span:      b("ctrl+k", "sensitive span", "ctrl+k"),
		Stats:     b("s", "stats", "s"),
		Up:        b("↑/k", "up", "up", "k"),
		Down:      b("↓/j", "down", "down", "j"),
		PageUp:    b("pgup", "page up", "pgup"),
		PageDown:  b("pgdn", "page down", "pgdown"),
		Home:      b("home/g", "first", "home", "g"),
		End:       b("end/G", "last", "end", "G"),
		ForceQuit: b("ctrl+c", "quit", "ctrl+c"),
		Yes:       b("y", "yes", "y"),
		No:        b("n", "no", "n", "esc"),
		Protect:   b("p", "make spans", "p"),
		Discard:   b("d", "discard draft", "d"),
		Reveal:    b("R", "reveal", "R"),
		Team:      b("t", "team", "t"),
		Compare:   b("v", "compare versions", "v"),
		Purge:     b("P", "purge", "P"),
		Attach:    b("a", "attach a file", "a"),
		Redact:    b("X", "redact history", "X"),

		Read:      b("r", "read", "r"),
		Publish:   b("p", "publish", "p"),
		Select:    b("v", "select", "v"),
		MarkQuote: b("q", "mark as quote", "q"),

		AddMember:    b("a", "add member", "a"),
		RemoveMember: b("d", "remove member", "d"),
		Card:         b("c", "my card", "c"),
		Mark:         b("space", "mark for export", " "),
		Export:       b("x", "export", "x"),
		Import:       b("i", "import", "i"),
		RotateKey:    b("K", "new member key", "K"),
	}
}
