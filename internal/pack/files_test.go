package pack

import (
	"bytes"
	"encoding/csv"
	"image/png"
	"slices"
	"testing"

	"github.com/tvault/tvault/internal/figures"
	"github.com/tvault/tvault/vault"
)

// TestPackFigures: every chart of a pack renders (the PNG decodes, the SVG
// parses), and the numbers it shows are those of figures.csv.
func TestPackFigures(t *testing.T) {
	p := &vault.Pack{Place: "country", Date: "month", Figures: vault.Figures{
		ByHarm:     []vault.FigureCount{{Label: "summoned", N: 7}, {Label: "job-loss", N: 4}},
		ByRelation: []vault.FigureCount{{Label: "mother", N: 5}, {Label: "brother", N: 2}},
		ByPlace:    []vault.FigureCount{{Label: "Canada", N: 9}},
		ByYear:     []vault.FigureCount{{Label: "2018", N: 3}, {Label: "2019", N: 6}},
	}}
	files, err := Files(p)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]byte{}
	for _, f := range files {
		byName[f.Name] = f.Data
	}
	rows, err := csv.NewReader(bytes.NewReader(byName["figures.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][][2]string{}
	for _, r := range rows[1:] {
		want[r[0]] = append(want[r[0]], [2]string{r[1], r[2]})
	}
	if len(want) != 4 {
		t.Fatalf("figures.csv has %d figures", len(want))
	}
	for fig, bars := range want {
		if _, err := png.Decode(bytes.NewReader(byName["figures/"+fig+".png"])); err != nil {
			t.Errorf("%s.png does not decode: %v", fig, err)
		}
		texts, err := figures.Texts(byName["figures/"+fig+".svg"])
		if err != nil {
			t.Fatalf("%s.svg does not parse: %v", fig, err)
		}
		for _, b := range bars {
			if !slices.Contains(texts, b[0]) || !slices.Contains(texts, b[1]) {
				t.Errorf("%s.svg does not show %s = %s (it shows %q)", fig, b[0], b[1], texts)
			}
		}
	}
}
