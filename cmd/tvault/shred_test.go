package main

import "testing"

func TestShredConfirmed(t *testing.T) {
	for _, c := range []struct {
		line, name string
		want       bool
	}{
		{"field-vault\n", "field-vault", true},
		{"  shred \r\n", "field-vault", true},
		{"y\n", "field-vault", false},
		{"yes\n", "field-vault", false},
		{"\n", "field-vault", false},
		{"", "", false},
		{"Field-Vault\n", "field-vault", false},
		{"SHRED\n", "field-vault", false},
		{"field\n", "field-vault", false},
	} {
		if got := shredConfirmed(c.line, c.name); got != c.want {
			t.Errorf("shredConfirmed(%q, %q)=%v, want %v", c.line, c.name, got, c.want)
		}
	}
}
