package vault_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tvault/tvault/vault"
)

// TestStatsYearPlaceRelation: interviews by year (in order, undated last)
// and by place, relatives by relation, besides tag and harm.
func TestStatsYearPlaceRelation(t *testing.T) {
	v, _ := MustCreate(t)
	var ins []vault.Input
	add := func(date, place string, rel ...string) {
		var in vault.Input
		in.Pseudonym, in.InterviewedOn, in.Location = fmt.Sprint("P", len(ins)), date, place
		for _, r := range rel {
			in.Relatives = append(in.Relatives, vault.Relative{Relation: r, Harms: []string{"summoned"}})
		}
		ins = append(ins, in)
	}
	add("2019-11-20", "Toronto", "sister", "father")
	add("2018-04-02", "Vancouver, Canada", "Sister")
	add("2019-01-05", "Toronto", "母亲")
	add("", "")
	if _, err := v.Add(context.Background(), ins); err != nil {
		t.Fatal(err)
	}
	s, err := v.Stats()
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		got  []vault.Count
		want string
	}{
		"year":     {s.ByYear, "[{2018 1} {2019 2} {no date 1}]"},
		"place":    {s.ByPlace, "[{Toronto 2} {Vancouver, Canada 1} {no place 1}]"},
		"relation": {s.ByRelation, "[{sister 2} {father 1} {母亲 1}]"},
		"harm":     {s.ByHarm, "[{summoned 4}]"},
	} {
		if got := fmt.Sprint(c.got); got != c.want {
			t.Errorf("by %s: %s, want %s", name, got, c.want)
		}
	}
}
