package vault

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// FigureCount is one bar of a figure: a label and how many.
type FigureCount struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

// harmCodebook maps the words teams use for a harm to the codebook's:
// "fired" and "job-loss" are one harm, counted once.
var harmCodebook = map[string]string{
	"fired": "job-loss", "dismissed": "job-loss", "sacked": "job-loss", "lost-job": "job-loss",
	"detained": "detention", "arrested": "detention", "jailed": "detention", "imprisoned": "detention",
	"interrogated": "interrogation", "questioned": "interrogation",
	"threats": "threatened", "threat": "threatened",
	"summons": "summoned", "exit ban": "exit-ban", "exitban": "exit-ban",
	"assets-frozen": "asset-freeze", "frozen-assets": "asset-freeze",
	"passport-seized": "passport-confiscated",
	"被传唤":             "summoned", "传唤": "summoned", "威胁": "threatened", "限制出境": "exit-ban",
	"失业": "job-loss", "被解雇": "job-loss", "冻结资产": "asset-freeze", "拘留": "detention", "审讯": "interrogation",
}

// relationCodebook maps relations to one word each, English.
var relationCodebook = map[string]string{
	"mom": "mother", "mum": "mother", "dad": "father", "parent": "parents",
	"older sister": "sister", "younger sister": "sister", "older brother": "brother", "younger brother": "brother",
	"母亲": "mother", "妈妈": "mother", "父亲": "father", "爸爸": "father", "父母": "parents",
	"姐姐": "sister", "妹妹": "sister", "哥哥": "brother", "弟弟": "brother",
	"妻子": "wife", "丈夫": "husband", "儿子": "son", "女儿": "daughter",
}

var knownRelations = []string{"mother", "father", "parents", "sister", "brother", "wife", "husband", "son", "daughter",
	"grandmother", "grandfather", "aunt", "uncle", "cousin", "niece", "nephew", "in-law", "partner", "child"}

func canonHarm(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if c, ok := harmCodebook[h]; ok {
		return c
	}
	return h
}

func canonRelation(r string) string {
	r = strings.ToLower(strings.TrimSpace(r))
	if c, ok := relationCodebook[r]; ok {
		return c
	}
	return r
}

type figureCounts struct {
	harm, relation, place, year map[string]int
	custom                      map[string]bool
}

func newFigureCounts() *figureCounts {
	return &figureCounts{harm: map[string]int{}, relation: map[string]int{}, place: map[string]int{}, year: map[string]int{}, custom: map[string]bool{}}
}

func (c *figureCounts) add(pi PackInterview) {
	if pi.Place != "" {
		c.place[pi.Place]++
	}
	if pi.Year != "" && pi.Date != "" {
		c.year[pi.Year]++
	}
	for _, r := range pi.Relatives {
		c.relation[r.Relation]++
		if !slices.Contains(knownRelations, r.Relation) {
			c.custom["relation: "+r.Relation] = true
		}
		for _, h := range r.Harms {
			c.harm[h]++
			if !slices.Contains(DefaultCodebook, h) {
				c.custom["harm: "+h] = true
			}
		}
	}
}

func sortedCounts(m map[string]int, byLabel bool) []FigureCount {
	out := make([]FigureCount, 0, len(m))
	for k, n := range m {
		out = append(out, FigureCount{Label: k, N: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if !byLabel && out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Label < out[j].Label
	})
	return out
}

func (c *figureCounts) figures() Figures {
	f := Figures{ByHarm: sortedCounts(c.harm, false), ByRelation: sortedCounts(c.relation, false),
		ByPlace: sortedCounts(c.place, false), ByYear: sortedCounts(c.year, true)}
	for k := range c.custom {
		f.Custom = append(f.Custom, k)
	}
	slices.Sort(f.Custom)
	return f
}

// occupations are words that narrow a person down to a few: a judge in a
// small city is one person.
var occupations = []string{"judge", "prosecutor", "police officer", "officer", "teacher", "professor", "lawyer",
	"doctor", "nurse", "journalist", "pastor", "imam", "monk", "official", "mayor", "soldier", "engineer", "accountant",
	"法官", "检察官", "警察", "教师", "老师", "教授", "律师", "医生", "护士", "记者", "牧师", "官员", "军人", "工程师", "会计"}

// review lists what a pack says about one person, and the hits of the
// re-identification check (terms, place names, occupations) in their
// quotes and the quotes' labels. Sealed fields are never read, so names of the identity cannot be
// checked here; the check at save time did.
func review(pi PackInterview, terms []string) Review {
	r := Review{Pseudonym: pi.Pseudonym, Quotes: len(pi.Quotes)}
	attr := func(what, v string) {
		if v != "" {
			r.Attributes = append(r.Attributes, what+": "+v)
		}
	}
	attr("place", pi.Place)
	attr("date", pi.Date)
	attr("mode", pi.Mode)
	if len(pi.Tags) > 0 {
		attr("tags", strings.Join(pi.Tags, ", "))
	}
	for _, rel := range pi.Relatives {
		attr("relative", fmt.Sprintf("%s (%s)", rel.Relation, strings.Join(rel.Harms, ", ")))
	}
	if r.Attributes == nil {
		r.Attributes = []string{}
	}
	for _, q := range pi.Quotes {
		// The label is published too (CSV, JSON, the footnote's {label}).
		for _, text := range []string{q.Text, q.Label} {
			for _, h := range CheckNames(Interview{Testimony: text}, nil, terms) {
				r.Hits = append(r.Hits, ReviewHit{Quote: q.N, Kind: h.Kind.String(), Text: text[h.Start:h.End]})
			}
			lower := strings.ToLower(text)
			for _, o := range occupations {
				if strings.Contains(lower, o) {
					r.Hits = append(r.Hits, ReviewHit{Quote: q.N, Kind: "occupation", Text: o})
				}
			}
		}
	}
	return r
}
