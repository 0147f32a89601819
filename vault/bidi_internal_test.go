package vault

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// Bidi controls and invisible format characters: refused in single-line
// fields, whether typed, added or imported; kept in testimony, with the
// marks right-to-left text needs.
func TestBidiInSingleLineFields(t *testing.T) {
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	ctx := context.Background()
	bad := map[string]string{
		"RLO": "\u202e", "LRE": "\u202a", "RLI": "\u2067", "PDI": "\u2069", "RLM": "\u200f",
		"ZWSP": "\u200b", "BOM": "\ufeff", "tag": "\U000e0041", "newline": "\n", "tab": "\t", "LS": "\u2028",
	}
	fields := map[string]func(*Interview, string){
		"pseudonym":   func(in *Interview, s string) { in.Pseudonym = "Ri" + s + "ver" },
		"location":    func(in *Interview, s string) { in.Location = "Nan" + s + "chang" },
		"interviewer": func(in *Interview, s string) { in.Interviewer = "R" + s + "1" },
		"relation": func(in *Interview, s string) {
			in.Relatives = []Relative{{Relation: "sis" + s + "ter", Harms: []string{}}}
		},
	}
	for field, set := range fields {
		for name, c := range bad {
			in := sharedInput("River", "Officers came.")
			set(&in.Interview, c)
			if _, err := alice.Add(ctx, []Input{in}); !errors.Is(err, ErrInvalid) {
				t.Errorf("add, %s with %s: err=%v, want ErrInvalid", field, name, err)
			}
			rec := goodRecord()
			set(&rec, c)
			b := forgedBundle(t, alice, bob, nil, forgedRevisionSpans(t, alice, rec))
			if _, err := bob.Import(ctx, bytes.NewReader(b)); !errors.Is(err, ErrInvalid) {
				t.Errorf("import, %s with %s: err=%v, want ErrInvalid", field, name, err)
			}
		}
	}
	if err := CheckPseudonym("Ri\u202ever"); !errors.Is(err, ErrInvalid) {
		t.Errorf("CheckPseudonym: err=%v, want ErrInvalid", err)
	}
	// Persian and Hindi names are spelled with the zero width joiners.
	for _, ok := range []string{"می\u200cخواهم", "क\u200dष"} {
		if _, err := alice.Add(ctx, []Input{sharedInput(ok, "x")}); err != nil {
			t.Errorf("pseudonym %q: %v", ok, err)
		}
	}
	// Testimony keeps them all: it is what was said, as written.
	testimony := "قال \u202bשלום\u202c\u200f and \u2067عربي\u2069 \u200b."
	ids, err := alice.Add(ctx, []Input{sharedInput("River", testimony)})
	if err != nil {
		t.Fatal(err)
	}
	view, _ := alice.Get(ids[0])
	if view.Testimony != testimony {
		t.Fatalf("testimony=%q, want %q", view.Testimony, testimony)
	}
}
