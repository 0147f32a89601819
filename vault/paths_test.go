package vault_test

import (
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/vault"
)

func TestExpandHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home) // Windows
	for in, want := range map[string]string{
		"~":             home,
		"~/":            home,
		"~/usb/key.age": filepath.Join(home, "usb", "key.age"),
		"key.age":       "key.age",
		"/media/usb/k":  "/media/usb/k",
		"~other/k":      "~other/k",
		"a/~/b":         "a/~/b",
		"":              "",
	} {
		if got := vault.ExpandHome(in); got != want {
			t.Errorf("ExpandHome(%q) = %q, want %q", in, got, want)
		}
	}
}
