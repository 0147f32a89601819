// Package figures draws the bar charts of a report pack, as SVG and PNG,
// with gonum.org/v1/plot. Each bar is labelled with its count, so that the
// chart can be checked against the CSV it is drawn from.
package figures

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Bar is one bar: a label and its count.
type Bar struct {
	Label string
	N     int
}

// maxBars is the most bars a chart draws; the CSV has every count.
const maxBars = 20

// Chart draws a bar chart of bars, titled title, in format "svg" or "png",
// to w.
func Chart(w io.Writer, title string, bars []Bar, format string) error {
	if len(bars) > maxBars {
		bars = bars[:maxBars]
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "count"
	values := make(plotter.Values, len(bars))
	names := make([]string, len(bars))
	labels := make([]string, len(bars))
	xys := make(plotter.XYs, len(bars))
	for i, b := range bars {
		values[i] = float64(b.N)
		names[i] = b.Label
		labels[i] = strconv.Itoa(b.N)
		xys[i] = plotter.XY{X: float64(i), Y: float64(b.N)}
	}
	if len(bars) > 0 {
		bc, err := plotter.NewBarChart(values, vg.Points(18))
		if err != nil {
			return err
		}
		p.Add(bc)
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			return err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign = draw.XCenter
			l.TextStyle[i].YAlign = draw.YBottom
		}
		p.Add(l)
		p.NominalX(names...)
		p.X.Tick.Label.Rotation = 0.6
		p.X.Tick.Label.XAlign = draw.XRight
		p.Y.Min = 0
		top := 0
		for _, b := range bars {
			top = max(top, b.N)
		}
		p.Y.Max = float64(top)*1.15 + 0.5 // room for the labels above the bars
	}
	width := vg.Length(60+30*len(bars)) * vg.Millimeter / 3
	width = max(width, 12*vg.Centimeter)
	height := 10 * vg.Centimeter
	switch format {
	case "svg":
		canvas := vgsvg.New(width, height)
		p.Draw(draw.New(canvas))
		var buf bytes.Buffer
		if _, err := canvas.WriteTo(&buf); err != nil {
			return err
		}
		_, err := w.Write(buf.Bytes())
		return err
	case "png":
		canvas := vgimg.New(width, height)
		p.Draw(draw.New(canvas))
		_, err := vgimg.PngCanvas{Canvas: canvas}.WriteTo(w)
		return err
	}
	return fmt.Errorf("no chart format %q", format)
}

// Texts returns the text of every <text> element of an SVG chart, in
// order: what a chart shows, for checking it against its numbers.
func Texts(svg []byte) ([]string, error) {
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var out []string
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
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
