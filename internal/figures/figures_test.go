package figures

import (
	"bytes"
	"image/png"
	"slices"
	"strconv"
	"testing"
)

func TestChart(t *testing.T) {
	bars := []Bar{{"summoned", 7}, {"exit-ban", 3}, {"job-loss", 12}}
	var svg, pngBuf bytes.Buffer
	if err := Chart(&svg, "Harms", bars, "svg"); err != nil {
		t.Fatal(err)
	}
	if err := Chart(&pngBuf, "Harms", bars, "png"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&pngBuf)
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	if img.Bounds().Dx() < 100 {
		t.Fatalf("a PNG %v", img.Bounds())
	}
	texts, err := Texts(svg.Bytes())
	if err != nil {
		t.Fatalf("the SVG does not parse: %v", err)
	}
	for _, b := range bars {
		for _, want := range []string{b.Label, strconv.Itoa(b.N)} {
			if !slices.Contains(texts, want) {
				t.Errorf("the SVG has no text %q (it has %q)", want, texts)
			}
		}
	}
}
