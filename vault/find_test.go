package vault_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// TestFind: where a search matches, as an excerpt of the public testimony
// (spans as [description], never the sealed secret), and the filters by
// tag, date and consent.
func TestFind(t *testing.T) {
	v, _ := MustCreate(t)
	ctx := context.Background()
	add := func(p, date, testimony string, tags []string, c vault.Consent) {
		t.Helper()
		var in vault.Input
		in.Pseudonym, in.InterviewedOn, in.Testimony, in.Tags, in.Consent = p, date, testimony, tags, c
		if _, err := v.Add(ctx, []vault.Input{in}); err != nil {
			t.Fatal(err)
		}
	}
	long := strings.Repeat("Nothing happened that month. ", 5)
	add("Lin Qiao", "2018-04-02", long+"\nOfficers came to {{CanarySecretPlace|the home province}} twice a week; the officers asked for me.",
		[]string{"exit-ban"}, vault.Consent{Record: true, Quote: true})
	add("小河", "2019-11-20", "第一段。\n警察每周来两次，问我什么时候回国。我妹妹的护照被没收了。", []string{"summoned"}, vault.Consent{Record: true, Share: true})
	add("Teacher K", "2020-06-15", "My employer received a letter from the officers.", []string{"job-loss", "exit-ban"}, vault.Consent{Record: true})
	add("Undated", "", "The officers never came.", nil, vault.Consent{})

	hits, err := v.Find(ctx, "officers", vault.Filter{})
	if err != nil || len(hits) != 3 {
		t.Fatalf("officers: %d hits %+v, %v", len(hits), hits, err)
	}
	// Ordered as the list: the undated one first.
	lin := hits[1]
	if lin.Pseudonym != "Lin Qiao" || lin.Line != 2 || lin.Column != 1 || lin.Matches != 2 {
		t.Fatalf("Lin Qiao: %+v", lin)
	}
	if !strings.HasPrefix(lin.Excerpt, "Officers came to [the home province]") || strings.Contains(lin.Excerpt, "Canary") || strings.Contains(lin.Excerpt, "\n") {
		t.Fatalf("excerpt %q", lin.Excerpt)
	}
	h, err := v.Find(ctx, "province", vault.Filter{})
	if err != nil || len(h) != 1 || !strings.Contains(h[0].Excerpt, "[the home province]") {
		t.Fatalf("province: %+v, %v", h, err)
	}
	if h, _ := v.Find(ctx, "CanarySecretPlace", vault.Filter{}); len(h) != 0 {
		t.Fatalf("the sealed secret is found: %+v", h)
	}
	cn, err := v.Find(ctx, "护照", vault.Filter{})
	if err != nil || len(cn) != 1 || cn[0].Line != 2 || cn[0].Column != 22 || !strings.Contains(cn[0].Excerpt, "我妹妹的护照被没收了") {
		t.Fatalf("护照: %+v, %v", cn, err)
	}

	names := func(hs []vault.Found) string {
		var n []string
		for _, h := range hs {
			n = append(n, h.Pseudonym)
		}
		return strings.Join(n, ",")
	}
	for _, c := range []struct {
		query string
		f     vault.Filter
		want  string
	}{
		{"officers", vault.Filter{Tags: []string{"exit-ban"}}, "Lin Qiao,Teacher K"},
		{"", vault.Filter{Tags: []string{"exit-ban", "job-loss"}}, "Teacher K"},
		{"", vault.Filter{From: "2019"}, "小河,Teacher K"},
		{"", vault.Filter{To: "2019"}, "Lin Qiao,小河"},
		{"", vault.Filter{From: "2019-11-21", To: "2020-06"}, "Teacher K"},
		{"", vault.Filter{Consent: []string{"share"}}, "小河"},
		{"", vault.Filter{Consent: []string{"record", "quote"}}, "Lin Qiao"},
		{"officers", vault.Filter{Consent: []string{"record"}, To: "2018-12-31"}, "Lin Qiao"},
		{"", vault.Filter{}, "Undated,Lin Qiao,小河,Teacher K"},
	} {
		got, err := v.Find(ctx, c.query, c.f)
		if err != nil || names(got) != c.want {
			t.Errorf("%q %+v: %s, %v; want %s", c.query, c.f, names(got), err, c.want)
		}
	}
	for _, f := range []vault.Filter{{From: "19"}, {To: "2019/01"}, {Consent: []string{"share'--"}}} {
		if _, err := v.Find(ctx, "", f); !errors.Is(err, vault.ErrBadFilter) {
			t.Errorf("%+v: %v, want ErrBadFilter", f, err)
		}
	}
}
