package vault_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/tvault/tvault/vault"
)

// pageVault holds 60 interviews: 警察 in most, 传唤 in three, "officer" in
// the English ones, dates and pseudonyms that tie, so that list order falls
// back to the ID.
func pageVault(t *testing.T) *vault.Vault {
	t.Helper()
	v, _ := MustCreate(t)
	var ins []vault.Input
	for i := range 60 {
		text := "当地的警察每周两次到我父母家里来。"
		switch {
		case i%10 == 3:
			text = "派出所给了我父亲一张黄色的传唤通知书，警察也来了。"
		case i%4 == 1:
			text = "The officer came twice a week; 护照 was taken."
		case i%7 == 0:
			text = "他们冻结了我父母的银行账户。"
		}
		in := input(fmt.Sprintf("P%d", i%9), text)
		in.InterviewedOn = fmt.Sprintf("2019-0%d-01", 1+i%5)
		if i%11 == 0 {
			in.InterviewedOn = ""
		}
		if i%2 == 0 {
			in.Tags = []string{"family"}
		}
		ins = append(ins, in)
	}
	if _, err := v.Add(context.Background(), ins); err != nil {
		t.Fatal(err)
	}
	return v
}

var pageQueries = []string{"警察", "传唤", "护照", "警察 护照", "账户", "officer", "警察 通知书", "of", "察", "无此词", "twice 护照"}

// TestSearchPage: a page is the first limit hits of Search, in list order,
// and total is the number of every hit, at every limit and for each kind of
// query (pairs alone, trigrams, a scan, none found).
func TestSearchPage(t *testing.T) {
	v := pageVault(t)
	ctx := context.Background()
	check := func(t *testing.T) {
		t.Helper()
		for _, q := range pageQueries {
			all, err := v.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, limit := range []int{1, 2, 5, 17, 1000, 0} {
				page, total, err := v.SearchPage(ctx, q, limit)
				if err != nil {
					t.Fatalf("%q limit %d: %v", q, limit, err)
				}
				if got, want := total, len(all); got != want {
					t.Fatalf("%q limit %d: total=%d, want %d", q, limit, got, want)
				}
				want := all
				if limit > 0 && limit < len(all) {
					want = all[:limit]
				}
				if !slices.EqualFunc(page, want, sameSummary) {
					t.Fatalf("%q limit %d: page=%v, want %v", q, limit, page, want)
				}
			}
		}
	}
	check(t)
	// The total counts interviews, not what the index once held: a purged
	// hit leaves it.
	hits, err := v.Search(ctx, "传唤")
	if err != nil || len(hits) != 6 {
		t.Fatalf("传唤: %d hits, %v", len(hits), err)
	}
	if _, err := v.Purge(ctx, hits[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, total, err := v.SearchPage(ctx, "传唤", 1); err != nil || total != 5 {
		t.Fatalf("after a purge: total=%d, %v; want 5", total, err)
	}
	check(t)
	v = MustReopen(t, v)
	check(t)
}

// TestFindPage: the same of Find, with a filter, and of a filter alone.
func TestFindPage(t *testing.T) {
	v := pageVault(t)
	ctx := context.Background()
	for _, f := range []vault.Filter{{}, {Tags: []string{"family"}}, {From: "2019-03"}, {Consent: []string{"record"}}} {
		for _, q := range append(pageQueries, "") {
			if q == "" && f.Empty() {
				continue
			}
			all, err := v.Find(ctx, q, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, limit := range []int{1, 3, 1000} {
				page, total, err := v.FindPage(ctx, q, f, limit)
				if err != nil {
					t.Fatalf("%q %+v limit %d: %v", q, f, limit, err)
				}
				if got, want := total, len(all); got != want {
					t.Fatalf("%q %+v limit %d: total=%d, want %d", q, f, limit, got, want)
				}
				want := all[:min(limit, len(all))]
				if !slices.EqualFunc(page, want, func(a, b vault.Found) bool {
					return sameSummary(a.Summary, b.Summary) && a.Line == b.Line && a.Column == b.Column &&
						a.Matches == b.Matches && a.Excerpt == b.Excerpt
				}) {
					t.Fatalf("%q %+v limit %d: page=%v, want %v", q, f, limit, page, want)
				}
			}
		}
	}
	if _, _, err := v.FindPage(ctx, "警察", vault.Filter{From: "March"}, 5); err == nil {
		t.Fatal("a bad filter was taken")
	}
}

func sameSummary(a, b vault.Summary) bool {
	return a.ID == b.ID && a.Pseudonym == b.Pseudonym && a.InterviewedOn == b.InterviewedOn &&
		slices.Equal(a.Tags, b.Tags) && (a.Tags == nil) == (b.Tags == nil) && a.Heads == b.Heads
}
