package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/tvault/tvault/vault"
)

// pagerHeight is the lines of the review and the report: the body less the
// title and the line under them.
func (p *publishScreen) pagerHeight() int { return max(p.height-2, 1) }

func (p *publishScreen) View() string {
	switch p.step {
	case publishReview:
		return p.framed("Disclosure review · nothing is written yet",
			"y writes the pack to "+p.out+" · esc goes back to the choices")
	case publishWriting:
		return p.styles.Title.Render("Publish") + "\n\n" + p.busy.View("Writing the pack to "+p.out+"…")
	case publishDone:
		if p.err != "" && p.files == nil {
			return p.styles.Title.Render("Publish") + "\n\n" + p.styles.Error.Render(wrapWords(p.err, p.width)) + "\n\nesc goes back to the list."
		}
		bottom := "esc goes back to the list"
		if p.err != "" {
			bottom = p.err
		}
		return p.framed("Pack written · "+p.out, bottom)
	}
	return p.chooseView()
}

// framed is the pager between a title, with the position on its right,
// and a line under it.
func (p *publishScreen) framed(title, bottom string) string {
	left := p.styles.Title.Render(title)
	right := p.pager.Position()
	gap := max(p.width-lipgloss.Width(left)-lipgloss.Width(right), 1)
	style := p.styles.Dim
	if p.err != "" {
		style = p.styles.Error
	}
	return left + strings.Repeat(" ", gap) + p.styles.Dim.Render(right) + "\n" +
		p.pager.View() + "\n" + style.Render(truncateCells(bottom, p.width))
}

func (p *publishScreen) chooseView() string {
	var b strings.Builder
	w := max(p.width, 20)
	b.WriteString(p.styles.Title.Render("Publish a report pack") + "\n")
	if p.height >= 20 {
		// What a pack is, where there is room for it.
		b.WriteString(p.styles.Dim.Render(wrapWords("Quotes under pseudonyms with footnotes, figures and a disclosure review, "+
			"from the readable tier only (spans read [description]; nothing sealed is read). "+
			"Consent is enforced: what is left out is said, and why.", w)) + "\n")
	}
	b.WriteString("\n")
	mark := func(f publishField) string {
		if p.focus == f {
			return "▸ "
		}
		return "  "
	}
	b.WriteString(p.only.View() + "\n")
	tick := "[ ]"
	if p.quotesOnly {
		tick = "[x]"
	}
	b.WriteString(mark(publishQuotes) + tick + " only interviews with quotes to publish\n")
	choice := func(f publishField, label, cur string, all []string) {
		var opts []string
		for _, o := range all {
			if o == cur {
				o = "‹" + o + "›"
			}
			opts = append(opts, o)
		}
		b.WriteString(mark(f) + fmt.Sprintf("%-8s %s", label, strings.Join(opts, "  ")) + "\n")
	}
	choice(publishPlace, "Places:", p.place, vault.PlacePrecisions)
	choice(publishDate, "Dates:", p.date, vault.DatePrecisions)
	b.WriteString(p.dir.View() + "\n")
	if p.dirErr != "" {
		b.WriteString(p.styles.Error.Render(wrapWords(p.dirErr, w)) + "\n")
	}
	b.WriteString("\n")
	switch {
	case p.busy.Active():
		b.WriteString(p.busy.View("Building the pack…") + "\n")
	case p.err != "":
		b.WriteString(p.styles.Error.Render(wrapWords(p.err, w)) + "\n")
	default:
		b.WriteString(p.styles.Dim.Render(wrapWords("Exact places and dates identify: country and month are the default. "+
			"enter shows the disclosure review; nothing is written before you confirm it.", w)) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// report says what was written, and what was left out and why.
func (p *publishScreen) report() string {
	pk := p.pack
	var b strings.Builder
	fmt.Fprintf(&b, "Wrote %s: %s, %s (places: %s; dates: %s).\n", p.out, plural(len(pk.Interviews), "interview"),
		plural(pk.QuoteCount(), "quote"), pk.Place, pk.Date)
	if len(pk.LeftOut) == 0 {
		b.WriteString("\nNothing was left out.\n")
	} else {
		b.WriteString("\nLeft out:\n")
		for _, l := range pk.LeftOut {
			fmt.Fprintf(&b, "  %s: %s (%s)\n", vault.Escape(l.Pseudonym), l.What, l.Why)
		}
	}
	b.WriteString("\nFiles:\n")
	for _, f := range p.files {
		b.WriteString("  " + f + "\n")
	}
	return b.String()
}
