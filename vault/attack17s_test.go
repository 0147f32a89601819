package vault_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// attack17sTexts are testimonies whose case folding is hard: Turkish dotted
// and dotless I, German ß and ẞ, Greek sigmas, full-width Latin, combining
// marks, CJK beside Latin, a span whose description is searchable.
var attack17sTexts = []string{
	"İSTANBUL'da polis geldi. ISPARTA ıspanak",
	"Die STRAẞE war leer; Straße, STRASSE",
	"ΟΔΟΣ και οδός, Σίσυφος ΣΊΣΥΦΟΣ",
	"ＡＢＣ警察ＤＥＦ ｆｕｌｌ ＷＩＤＴＨ",
	"Cafe\u0301 CAFÉ café e\u0301",
	"当地的警察每周两次到我父母家里来。POLICE came",
	"派出所给了我父亲一张黄色的传唤通知书 {{Jiangxi|the home PROVINCE}}",
	"ǅemal ǄEMAL ǆemal Ǳ ǲ",
	"Ａ Ｂ ｃ 가나다 ＫＯＲＥＡ 한국 警察",
	"ﬁle ﬂag ǰ ŉ K Å Ω Ꭰ ᲀ Ა ᲒᲐᲛᲐᲠᲯᲝᲑᲐ",
	"plain officer text, twice a week",
	"護照 护照 ゴミ ごみ ｺﾞﾐ",
}

var attack17sQueries = []string{
	"istanbul", "İstanbul", "ISTANBUL", "ı", "i", "İ", "ıspanak", "ISPANAK",
	"straße", "STRAẞE", "strasse", "ß", "ẞ",
	"οδοσ", "οδος", "ΟΔΟΣ", "σίσυφος", "ς", "Σ",
	"ａｂｃ", "ＡＢＣ", "abc", "ｆｕｌｌ", "FULL", "ｗｉｄｔｈ",
	"café", "CAFÉ", "cafe\u0301", "e\u0301", "\u0301",
	"警察", "POLICE", "police 警察", "传唤", "province", "[the", "jiangxi",
	"ǆemal", "Ǆ", "ǅ", "ǳ", "가나", "ｋｏｒｅａ", "korea", "한국 警察",
	"ﬁle", "file", "k", "k", "å", "ω", "Ω",
	"of", "o", "]", "e]", "ꭰ", "ა", "გამარჯობა", "ゴミ", "ｺﾞﾐ", "ごみ", "護照", "\uFFFD",
}

// bruteSearch is Search by its definition: every interview of List whose
// public testimony (as Get shows it) holds every word of the query, both
// lowered with strings.ToLower.
func bruteSearch(t *testing.T, v *vault.Vault, q string) []vault.Summary {
	t.Helper()
	list, err := v.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	words := strings.Fields(strings.ToLower(q))
	out := []vault.Summary{}
	for _, s := range list {
		view, err := v.Get(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ToLower(view.Testimony)
		ok := len(words) > 0
		for _, w := range words {
			ok = ok && strings.Contains(text, w)
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

func checkAgainstBrute(t *testing.T, v *vault.Vault, stage string) {
	t.Helper()
	ctx := context.Background()
	for _, q := range attack17sQueries {
		want := bruteSearch(t, v, q)
		all, err := v.Search(ctx, q)
		if err != nil {
			t.Fatalf("%s: %q: %v", stage, q, err)
		}
		if !slices.EqualFunc(all, want, sameSummary) {
			t.Errorf("%s: Search(%q) = %d hits, brute force %d\n got %v\nwant %v", stage, q, len(all), len(want), all, want)
			continue
		}
		found, err := v.Find(ctx, q, vault.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != len(want) {
			t.Errorf("%s: Find(%q) = %d hits, want %d", stage, q, len(found), len(want))
		}
		for _, limit := range []int{1, 2, 3, 0} {
			page, total, err := v.SearchPage(ctx, q, limit)
			if err != nil {
				t.Fatal(err)
			}
			w := want
			if limit > 0 && limit < len(w) {
				w = w[:limit]
			}
			if total != len(want) || !slices.EqualFunc(page, w, sameSummary) {
				t.Errorf("%s: SearchPage(%q, %d) = %v total %d, want %v total %d", stage, q, limit, page, total, w, len(want))
			}
			for _, f := range []vault.Filter{{}, {Tags: []string{"family"}}, {Consent: []string{"share"}}, {From: "2019"}} {
				fall, err := v.Find(ctx, q, f)
				if err != nil {
					t.Fatal(err)
				}
				fp, ft, err := v.FindPage(ctx, q, f, limit)
				if err != nil {
					t.Fatal(err)
				}
				fw := fall
				if limit > 0 && limit < len(fw) {
					fw = fw[:limit]
				}
				if ft != len(fall) || !slices.EqualFunc(fp, fw, func(a, b vault.Found) bool {
					return sameSummary(a.Summary, b.Summary) && a.Line == b.Line && a.Column == b.Column &&
						a.Matches == b.Matches && a.Excerpt == b.Excerpt
				}) {
					t.Errorf("%s: FindPage(%q, %+v, %d) total %d, Find %d", stage, q, f, limit, ft, len(fall))
				}
			}
		}
	}
}

// TestAttack17sBrute: Search, SearchPage, Find and FindPage agree with a
// brute force over List and Get, through edits, several heads, import,
// redaction, purge, reopen (journal replay) and a checkpoint.
func TestAttack17sBrute(t *testing.T) {
	a, b, _ := team(t)
	ctx := context.Background()
	var ins []vault.Input
	tagSets := [][]string{{"family"}, {}, {"家庭", "family"}, {"ümlaut"}, {"a-b", "c_d"}}
	for i, text := range attack17sTexts {
		in := shareable(fmt.Sprintf("P%d", i%4), text)
		in.InterviewedOn = fmt.Sprintf("2019-0%d-01", 1+i%3)
		if i%5 == 4 {
			in.InterviewedOn = ""
		}
		in.Tags = tagSets[i%len(tagSets)]
		ins = append(ins, in)
	}
	ids, err := a.Add(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstBrute(t, a, "added")

	// Several heads: bob edits what alice edits too.
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	for i, who := range []*vault.Vault{a, b} {
		e := shareable("P0", fmt.Sprintf("edit %d: ΣΊΣΥΦΟΣ 警察 OFFICER", i))
		e.ID = ids[0]
		e.Tags = []string{"family"}
		if _, err := who.Add(ctx, []vault.Input{e}); err != nil {
			t.Fatal(err)
		}
	}
	mustImport(t, a, export(t, b, vault.ExportOptions{To: []string{"alice"}}))
	if view, _ := a.Get(ids[0]); view.Heads != 2 {
		t.Fatalf("heads %d, want 2", view.Heads)
	}
	checkAgainstBrute(t, a, "two heads")

	if _, err := a.Redact(ctx, ids[5], vault.RedactOptions{Text: "POLICE", Field: "testimony", With: "警察 korea"}); err != nil {
		t.Fatal(err)
	}
	checkAgainstBrute(t, a, "redacted")
	if _, err := a.Purge(ctx, ids[8]); err != nil {
		t.Fatal(err)
	}
	checkAgainstBrute(t, a, "purged")
	// The newest interview's rowid is taken again by the next one added
	// (indexed ahead of its save): nothing of the purged one may count.
	if _, err := a.Purge(ctx, ids[len(ids)-1]); err != nil {
		t.Fatal(err)
	}
	more := shareable("P9", "警察 POLICE ΩMEGA ]")
	more.Tags = []string{"family"}
	if _, err := a.Add(ctx, []vault.Input{more}); err != nil {
		t.Fatal(err)
	}
	checkAgainstBrute(t, a, "rowid taken again")
	a = MustReopen(t, a)
	checkAgainstBrute(t, a, "reopened")
	if err := a.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	a = MustReopen(t, a)
	checkAgainstBrute(t, a, "checkpoint")
}
