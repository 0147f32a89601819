package term_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tvault/tvault/internal/term"
)

func TestReadPassphraseFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p")
	if err := os.WriteFile(path, []byte("first line\r\nsecond\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := term.ReadPassphraseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "first line" {
		t.Fatalf("got %q", got)
	}
	if err := os.WriteFile(path, []byte("\nx"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := term.ReadPassphraseFile(path); err == nil {
		t.Fatal("empty first line accepted")
	}
}

func TestReadPassphraseReader(t *testing.T) {
	got, err := term.ReadPassphraseReader(strings.NewReader("only line"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(got), "only line"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
