package skipnote

import (
	"bytes"
	"testing"
)

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	write(&b, "vault", []string{"TestA: age is not installed", "TestB: needs root"})
	want := "skip   vault  TestA: age is not installed\nskip   vault  TestB: needs root\n"
	if b.String() != want {
		t.Fatalf("%q, want %q", b.String(), want)
	}
}

func TestNote(t *testing.T) {
	Note("TestX", "why")
	mu.Lock()
	defer mu.Unlock()
	if len(notes) == 0 || notes[len(notes)-1] != "TestX: why" {
		t.Fatalf("notes %q", notes)
	}
}
