package vault_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// A location written without a comma ("Fuzhou", "Fuzhou Jiangxi China",
// "Vancouver (Canada)") was published whole at place precision "country":
// the city that identifies the interviewee, in the pack, its footnotes and
// the figures by place, when the user asked for the country only.
func TestAttackPublishPlaceWithoutCommaLeaksCity(t *testing.T) {
	ctx := context.Background()
	v, _ := MustCreate(t)
	var ins []vault.Input
	for _, where := range []string{"Fuzhou", "Fuzhou Jiangxi China", "Vancouver (Canada)", "Fuzhou；China"} {
		in := input("River", "They took my passport at the airport.")
		in.Location = where
		in.InterviewedOn = "2019-03-04"
		in.Consent.Record, in.Consent.Quote = true, true
		ins = append(ins, in)
	}
	ids, err := v.Add(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, err := v.AddQuote(ctx, id, "took my passport", "", nil); err != nil {
			t.Fatal(err)
		}
	}
	pack, err := v.Publish(ctx, vault.PublishOptions{Place: "country", Date: "year"})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(pack)
	for _, city := range []string{"Fuzhou", "Vancouver", "Jiangxi"} {
		if strings.Contains(string(js), city) {
			t.Errorf("the pack names %s at place precision country", city)
		}
	}
}

// A quote's label is published (quotes.csv, pack.json, and the footnote
// through {label}), but the disclosure review checked only the quote's
// text: a sensitive term or a place name in a label went out unlisted.
func TestAttackPublishReviewMissesLabel(t *testing.T) {
	ctx := context.Background()
	v, _ := MustCreate(t)
	if err := v.AddTerms("front door"); err != nil {
		t.Fatal(err)
	}
	in := input("River", "They took my passport at the airport.")
	in.Consent.Record, in.Consent.Quote = true, true
	ids, err := v.Add(ctx, []vault.Input{in})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddQuote(ctx, ids[0], "took my passport", "at the front door", nil); err != nil {
		t.Fatal(err)
	}
	pack, err := v.Publish(ctx, vault.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pack.Interviews[0].Quotes[0].Label, "front door") {
		t.Fatal("the label is not in the pack; the test no longer tests anything")
	}
	for _, r := range pack.Review {
		for _, h := range r.Hits {
			if strings.Contains(h.Text, "front door") {
				return
			}
		}
	}
	t.Error("the review does not list the sensitive term in the quote's label")
}

// An interview whose record consent is refused contributes nothing to a
// pack: no quote, no attribute, no count in the figures. publish.txt has
// no such interview, so no test failed when the check was removed.
func TestAttackPublishRecordConsentRefusedCounted(t *testing.T) {
	ctx := context.Background()
	v, _ := MustCreate(t)
	in := input("Withdrawn", "They took my passport at the airport.")
	in.Location, in.InterviewedOn = "Fuzhou, Atlantis", "2017-03-04"
	in.Consent.Record, in.Consent.Quote = false, true
	in.Relatives = []vault.Relative{{Relation: "grandmother", Harms: []string{"detained"}}}
	ids, err := v.Add(ctx, []vault.Input{in})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddQuote(ctx, ids[0], "took my passport", "", nil); err != nil {
		t.Fatal(err)
	}
	pack, err := v.Publish(ctx, vault.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pack.Interviews) != 0 || pack.QuoteCount() != 0 || len(pack.Review) != 0 {
		t.Errorf("the pack holds %d interviews, %d quotes", len(pack.Interviews), pack.QuoteCount())
	}
	f := pack.Figures
	if len(f.ByHarm)+len(f.ByRelation)+len(f.ByPlace)+len(f.ByYear) != 0 {
		t.Errorf("the figures count an interview whose record consent was refused: %+v", f)
	}
	js, _ := json.Marshal(pack)
	for _, s := range []string{"Atlantis", "2017", "grandmother", "passport"} {
		if strings.Contains(string(js), s) {
			t.Errorf("the pack holds %q", s)
		}
	}
}
