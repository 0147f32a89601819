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

func TestCheckNamesPlaces(t *testing.T) {
	id := &vault.Identity{Name: "Zhou Canary", Aliases: []string{"黄陂"}}
	in := vault.Interview{
		Pseudonym: "Huangpi 1",
		Location:  "湖北省武汉市黄陂区",
		Tags:      []string{"Xinjiang"},
		Relatives: []vault.Relative{{Relation: "mother, in Yili", Harms: []string{"summoned in 伊犁"}}},
		Testimony: "我老家在黄陂区，后来搬到{{蔡甸|a place}}。He fled Huangpi for Xi'an.",
	}
	hits := vault.CheckNames(in, id, nil)
	got := hitsString(func(h vault.Hit) string {
		field := map[string]string{"pseudonym": in.Pseudonym, "location": in.Location, "testimony": in.Testimony,
			"relatives[0].relation": in.Relatives[0].Relation, "relatives[0].harms[0]": in.Relatives[0].Harms[0]}[h.Field]
		return field[h.Start:h.End] + "=" + h.Term
	}, hits)
	// The alias 黄陂 wins over the place 黄陂区 that holds it; Where and the
	// tags are not searched for places; nor is the span.
	want := "pseudonym:place name:Huangpi=黄陂区,location:alias:黄陂=黄陂," +
		"relatives[0].relation:place name:Yili=伊犁哈萨克自治州,relatives[0].harms[0]:place name:伊犁=伊犁哈萨克自治州," +
		"testimony:alias:黄陂=黄陂,testimony:place name:Huangpi=黄陂区,testimony:place name:Xi'an=西安市"
	if got != want {
		t.Fatalf("hits\n got %s\nwant %s", got, want)
	}
	for _, h := range hits {
		if got, want := h.Warning(), h.Kind == vault.HitPlace; got != want {
			t.Errorf("%s: Warning()=%v, want %v", h.Kind, got, want)
		}
	}
	if n := vault.PlaceNames(); n < 3000 {
		t.Fatalf("%d place names, want 3,000 or more", n)
	}
}

// BenchmarkCheckNames100KB is one check of a 100 KB testimony, Chinese and
// English, with an identity and the built-in place names (3,000+). The
// target is under 5 ms.
func BenchmarkCheckNames100KB(b *testing.B) {
	zh := "我们那时候住在村子里，警察每个星期都来家里问我父亲的情况。后来他们把我母亲叫到派出所，说如果我不回国就要影响弟弟的工作。我老家在黄陂，"
	en := "They summoned my brother twice and told him that the family would suffer unless I came back from abroad. My mother lives in Huangpi now. "
	var sb strings.Builder
	for sb.Len() < 66_000 {
		sb.WriteString(zh)
	}
	for sb.Len() < 100_000 {
		sb.WriteString(en)
	}
	// The name and the contact once, as a slip would leave them.
	sb.WriteString("Zhou Canary, +1 555 0100.")
	in := vault.Interview{Testimony: sb.String(), Location: "湖北省"}
	id := &vault.Identity{Name: "Zhou Canary", Aliases: []string{"小周"}, Contact: "+1 555 0100",
		Relatives: []vault.RelativeByName{{Relation: "sister", Name: "何晓梅"}}}
	terms := []string{"红星煤矿", "Red Star mine"}
	vault.CheckNames(in, id, terms) // the list is built on first use
	for b.Loop() {
		if len(vault.CheckNames(in, id, terms)) == 0 {
			b.Fatal("no hits")
		}
	}
}

// The fast path that skips a text without the name's first word must not
// skip what (?i) matches: the Kelvin sign folds to k.
func TestCheckNamesFold(t *testing.T) {
	id := &vault.Identity{Name: "Kim Mei", Contact: "+1 555 0100"}
	in := vault.Interview{Testimony: "\u212aim Mei, KIM-MEI, kim mei, call +15550100."}
	hits := vault.CheckNames(in, id, nil)
	got := hitsString(func(h vault.Hit) string { return in.Testimony[h.Start:h.End] }, hits)
	want := "testimony:identity name:\u212aim Mei,testimony:identity name:KIM-MEI,testimony:identity name:kim mei,testimony:contact:+15550100"
	if got != want {
		t.Fatalf("hits\n got %s\nwant %s", got, want)
	}
}
