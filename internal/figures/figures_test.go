package figures

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"slices"
	"strconv"
	"strings"
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
	texts := svgTexts(t, svg.Bytes())
	for _, b := range bars {
		for _, want := range []string{b.Label, strconv.Itoa(b.N)} {
			if !slices.Contains(texts, want) {
				t.Errorf("the SVG has no text %q (it has %q)", want, texts)
			}
		}
	}
}

// svgTexts returns the text of every <text> element of an SVG, which must
// parse as XML.
func svgTexts(t *testing.T, b []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out []string
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("the SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				out = append(out, strings.TrimSpace(string(tok)))
			}
		}
	}
}
