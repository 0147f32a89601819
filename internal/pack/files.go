// Package pack renders a report pack ([vault.Pack], built by
// [vault.Vault.Publish]) as files, and writes them into a new folder: the
// command line (tvault publish) and the terminal UI both write packs
// through it, so that the two never differ in what they publish.
//
// [Files] is every file of a pack: pack.md, quotes.csv, pack.json,
// figures.csv with charts, and review.md. [Write] writes them into a new
// folder, all or none. [ReviewText] is the disclosure review for a person
// to read before anything is written.
package pack

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tvault/tvault/internal/figures"
	"github.com/tvault/tvault/vault"
)

// File is a file of a pack: its name, relative to the pack's folder, and
// its content.
type File struct {
	Name string
	Data []byte
}

// Files renders a pack: Markdown, CSV, JSON, figures and the review.
func Files(p *vault.Pack) ([]File, error) {
	review := ReviewText(p) // for the person who signs the pack off: all of it
	p = publishedPack(p)
	js, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	files := []File{
		{"pack.md", []byte(packMarkdown(p))},
		{"quotes.csv", quotesCSV(p)},
		{"pack.json", append(js, '\n')},
		{"figures.csv", figuresCSV(p)},
		{"review.md", []byte(review)},
	}
	for _, fig := range packFigures(p) {
		for _, format := range []string{"svg", "png"} {
			var buf bytes.Buffer
			bars := make([]figures.Bar, len(fig.counts))
			for i, c := range fig.counts {
				bars[i] = figures.Bar{Label: c.Label, N: c.N}
			}
			if err := figures.Chart(&buf, fig.title, bars, format); err != nil {
				return nil, fmt.Errorf("the %s chart: %w", fig.name, err)
			}
			files = append(files, File{"figures/" + fig.name + "." + format, buf.Bytes()})
		}
	}
	return files, nil
}

// publishedPack is p without what the published files must not say: an
// interview whose record consent is refused contributes nothing, not even
// its pseudonym in "Left out".
func publishedPack(p *vault.Pack) *vault.Pack {
	c := *p
	c.LeftOut = nil
	for _, l := range p.LeftOut {
		if l.Why != vault.WhyRecordRefused {
			c.LeftOut = append(c.LeftOut, l)
		}
	}
	if c.LeftOut == nil {
		c.LeftOut = []vault.LeftOut{}
	}
	return &c
}

type packFigure struct {
	name, title string
	counts      []vault.FigureCount
}

func packFigures(p *vault.Pack) []packFigure {
	return []packFigure{
		{"harm", "Harms to relatives", p.Figures.ByHarm},
		{"relation", "Relatives, by relation", p.Figures.ByRelation},
		{"place", "Interviews, by place", p.Figures.ByPlace},
		{"year", "Interviews, by year", p.Figures.ByYear},
	}
}

func packMarkdown(p *vault.Pack) string {
	var b, notes strings.Builder
	fmt.Fprintf(&b, "# Testimony\n\nFrom %d interviews. Places: %s; dates: %s.\n", len(p.Interviews), p.Place, p.Date)
	for _, in := range p.Interviews {
		if len(in.Quotes) == 0 {
			continue
		}
		name := in.Pseudonym
		if in.PseudonymNote != "" {
			name += " " + in.PseudonymNote // at its first use: the heading
		}
		fmt.Fprintf(&b, "\n## %s\n", mdText(name))
		var about []string
		for _, s := range []string{in.Place, in.Date, in.Mode} {
			if s != "" {
				about = append(about, mdText(s))
			}
		}
		if len(about) > 0 {
			fmt.Fprintf(&b, "\n%s\n", strings.Join(about, " · "))
		}
		for _, q := range in.Quotes {
			b.WriteString("\n")
			lines := strings.Split(q.Text, "\n")
			for i, l := range lines {
				b.WriteString("> " + mdText(l))
				if i == len(lines)-1 {
					fmt.Fprintf(&b, "[^%d]", q.N)
				}
				b.WriteString("\n")
			}
			fmt.Fprintf(&notes, "[^%d]: %s\n", q.N, mdText(q.Citation))
		}
	}
	b.WriteString("\n## Figures\n")
	for _, fig := range packFigures(p) {
		fmt.Fprintf(&b, "\n### %s\n\n![%s](figures/%s.svg)\n\n| | count |\n|---|---|\n", fig.title, fig.title, fig.name)
		for _, c := range fig.counts {
			fmt.Fprintf(&b, "| %s | %d |\n", mdText(c.Label), c.N)
		}
	}
	if len(p.LeftOut) > 0 {
		b.WriteString("\n## Left out\n\n")
		for _, l := range p.LeftOut {
			fmt.Fprintf(&b, "- %s: %s (%s)\n", mdText(l.Pseudonym), l.What, l.Why)
		}
	}
	if notes.Len() > 0 {
		b.WriteString("\n" + notes.String())
	}
	return b.String()
}

// mdText keeps text from being read as Markdown markup.
func mdText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `&lt;`, ">", `&gt;`, "|", `\|`, "`", "\\`", "#", `\#`)
	return r.Replace(s)
}

func quotesCSV(p *vault.Pack) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"n", "pseudonym", "place", "date", "mode", "text", "label", "tags", "citation"})
	for _, in := range p.Interviews {
		for _, q := range in.Quotes {
			w.Write(csvRow(strconv.Itoa(q.N), in.Pseudonym, in.Place, in.Date, in.Mode, q.Text, q.Label, strings.Join(q.Tags, " "), q.Citation))
		}
	}
	w.Flush()
	return buf.Bytes()
}

// csvRow is a CSV row with every cell made safe: any field can come from a
// teammate's bundle, so none is trusted to not start a formula.
func csvRow(cells ...string) []string {
	for i, c := range cells {
		cells[i] = csvSafe(c)
	}
	return cells
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func figuresCSV(p *vault.Pack) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"figure", "label", "count"})
	for _, fig := range packFigures(p) {
		for _, c := range fig.counts {
			w.Write(csvRow(fig.name, c.Label, strconv.Itoa(c.N)))
		}
	}
	w.Flush()
	return buf.Bytes()
}

// ReviewText is the disclosure review, for a person: what the pack says
// about each pseudonym, and what the check found in their quotes.
func ReviewText(p *vault.Pack) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Disclosure review: %s, %s (places: %s; dates: %s).\n", plural(len(p.Interviews), "interview"), plural(p.QuoteCount(), "quote"), p.Place, p.Date)
	for _, r := range p.Review {
		fmt.Fprintf(&b, "\n%s: %s\n", vault.Escape(r.Pseudonym), plural(r.Quotes, "quote"))
		for _, a := range r.Attributes {
			fmt.Fprintf(&b, "  discloses %s\n", vault.Escape(a))
		}
		for _, h := range r.Hits {
			fmt.Fprintf(&b, "  ! quote %d: %s %q\n", h.Quote, h.Kind, vault.Escape(h.Text))
		}
	}
	for _, c := range p.Figures.Custom {
		fmt.Fprintf(&b, "\nNot in the codebook, counted as written: %s\n", vault.Escape(c))
	}
	for _, l := range p.LeftOut {
		fmt.Fprintf(&b, "\nLeft out of %s: %s (%s)\n", vault.Escape(l.Pseudonym), l.What, l.Why)
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
