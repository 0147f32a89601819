package tui

import "testing"

// TestBurstOfKeysIsText: keys typed faster than the terminal is read arrive
// as one message of several runes. Bindings match a message by its name, so
// "home" typed in the pseudonym read as the Home key and moved the cursor
// to the start (cmd/tvault's TestTerminalUI saw "provincethe" for "the home
// province" on a loaded machine). Each rune is a key, as typed.
func TestBurstOfKeysIsText(t *testing.T) {
	s := unlockedDriver(t)
	m := s.m
	s.send(s.key(runes("n"))())
	iv := m.iv()
	if iv == nil {
		t.Fatal("no interview screen")
	}
	if iv.pane != paneForm {
		s.key(runes("m"))
	}
	s.key(runes("Lin "))
	s.key(runes("home"))
	s.key(runes(" end"))
	if got := iv.meta.pseudonym; got != "Lin home end" {
		t.Fatalf("pseudonym typed as \"Lin \", \"home\", \" end\" reads %q", got)
	}
}
