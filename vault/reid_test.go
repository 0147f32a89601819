package vault_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

func hitsString(text func(vault.Hit) string, hits []vault.Hit) string {
	var out []string
	for _, h := range hits {
		out = append(out, fmt.Sprintf("%s:%s:%s", h.Field, h.Kind, text(h)))
	}
	return strings.Join(out, ",")
}

func TestCheckNames(t *testing.T) {
	id := &vault.Identity{Name: "Zhou Canary", Aliases: []string{"小周", "Z", "Mei"}, Contact: "+1 555 0100",
		Relatives: []vault.RelativeByName{{Relation: "sister", Name: "何晓梅"}}}
	t.Run("Testimony", func(t *testing.T) {
		text := "ZHOU CANARY said 小周 met {{Zhou Canary|a name}} and 何晓梅; call +1-555-0100 or 1 (555) 0100. Meiji, zhou-canary."
		var in vault.Interview
		in.Testimony = text
		hits := vault.CheckNames(in, id, nil)
		got := hitsString(func(h vault.Hit) string { return text[h.Start:h.End] }, hits)
		want := "testimony:identity name:ZHOU CANARY,testimony:alias:小周,testimony:relative's name:何晓梅," +
			"testimony:contact:+1-555-0100,testimony:contact:1 (555) 0100,testimony:identity name:zhou-canary"
		if got != want {
			t.Fatalf("hits\n got %s\nwant %s", got, want)
		}
		if got, want := vault.ProtectNames(text, hits), "{{ZHOU CANARY|a name}} said {{小周|a name}} met {{Zhou Canary|a name}} and "+
			"{{何晓梅|a relative's name}}; call {{+1-555-0100|a contact}} or {{1 (555) 0100|a contact}}. Meiji, {{zhou-canary|a name}}."; got != want {
			t.Fatalf("protect:\n got %q\nwant %q", got, want)
		}
		in.Testimony = "nothing here, 15550100999 is another number"
		if hits := vault.CheckNames(in, id, nil); hits != nil {
			t.Fatalf("hits in a clean testimony: %v", hits)
		}
	})
	t.Run("EveryField", func(t *testing.T) {
		in := vault.Interview{Pseudonym: "Canary Z", Location: "near 何晓梅's shop", Tags: []string{"zhou-canary"},
			Testimony: "clean", Relatives: []vault.Relative{{Relation: "sister 何晓梅", Harms: []string{"summoned", "mei"}}}}
		hits := vault.CheckNames(in, id, []string{"Canary Z", "Zhou"})
		got := hitsString(func(vault.Hit) string { return "" }, hits)
		want := "pseudonym:sensitive term:,location:relative's name:,tags[0]:identity name:,tags[0]:sensitive term:," +
			"relatives[0].relation:relative's name:,relatives[0].harms[1]:alias:"
		if got != want {
			t.Fatalf("hits\n got %s\nwant %s", got, want)
		}
		if vault.CheckNames(in, nil, nil) != nil {
			t.Fatal("hits with nothing to look for")
		}
	})
}
