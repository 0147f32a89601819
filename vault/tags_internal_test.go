package vault

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

var tagsSeeds = []string{
	`[]`, `["family"]`, `["family","exit-ban"]`, `["警察","护照"]`, `[""]`,
	`null`, ``, `[`, `]`, `["a"`, `["a",]`, `[,"a"]`, `["a""b"]`, `["a" ,"b"]`, `[ "a"]`,
	`["a\"b"]`, `["a\\b"]`, `["\u00e9"]`, `["a\nb"]`, "[\"a\tb\"]", "[\"\xff\"]", "[\"a\x7f\"]",
	`[1]`, `["a",1]`, `{}`, `"a"`, `["a"] `, ` ["a"]`, `["a"]x`, `[null]`, `["a\/b"]`,
}

// TestDecodeTags: the tags column decodes as encoding/json decodes it, or
// fails as ErrDamaged where encoding/json fails.
func TestDecodeTags(t *testing.T) {
	for _, in := range tagsSeeds {
		checkDecodeTags(t, in)
	}
}

func FuzzDecodeTags(f *testing.F) {
	for _, in := range tagsSeeds {
		f.Add(in)
	}
	f.Fuzz(checkDecodeTags)
}

func checkDecodeTags(t *testing.T, in string) {
	var want []string
	wantErr := json.Unmarshal([]byte(in), &want)
	var s Summary
	s.ID = "x"
	err := unmarshalTags(in, &s)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: err=%v, encoding/json: %v", in, err, wantErr)
	}
	if err != nil {
		if !errors.Is(err, ErrDamaged) {
			t.Fatalf("%q: err=%v, want ErrDamaged", in, err)
		}
		return
	}
	if !slices.Equal(s.Tags, want) || (s.Tags == nil) != (want == nil) {
		t.Fatalf("%q: tags=%#v, encoding/json: %#v", in, s.Tags, want)
	}
}
