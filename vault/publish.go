package vault

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Publishing turns a selection of interviews into a report pack: quotes
// with footnotes, in the readable tier only (nothing sealed is ever read:
// publish needs no custodian key), with consent enforced, place and date
// at the precision chosen, and a disclosure review of what the pack says
// about each person. [Vault.Publish] builds the pack; the command line
// writes it.

// PublishOptions select what a pack holds and how precisely.
type PublishOptions struct {
	// IDs and Tags select interviews (an interview matching either); none
	// selects every interview.
	IDs, Tags []string
	// QuotesOnly keeps only interviews with a quote to publish.
	QuotesOnly bool
	// Place is the precision of places: "full" (as recorded), "country"
	// (the part of the location after its last comma; nothing when it has
	// no comma, since the whole may be a city) or "none".
	Place string
	// Date is the precision of dates: "day", "month" or "year".
	Date string
}

// WhyRecordRefused is why an interview whose record consent is refused is
// left out of a pack. The published files do not name it at all.
const WhyRecordRefused = "record consent refused"

// Pack is a report pack, before it is written.
type Pack struct {
	CreatedAt  string          `json:"created_at"`
	Place      string          `json:"place_precision"`
	Date       string          `json:"date_precision"`
	Interviews []PackInterview `json:"interviews"`
	// LeftOut says which interviews, or which of their quotes, are not in
	// the pack, and why.
	LeftOut []LeftOut `json:"left_out"`
	Figures Figures   `json:"figures"`
	Review  []Review  `json:"review"`
}

// PackInterview is an interview as a pack shows it.
type PackInterview struct {
	Pseudonym string `json:"pseudonym"`
	// PseudonymNote is "(pseudonym)" where the interviewee asked for
	// anonymity: the pack marks the name at its first use.
	PseudonymNote string         `json:"pseudonym_note,omitempty"`
	Place         string         `json:"place,omitempty"`
	Date          string         `json:"date,omitempty"`
	Year          string         `json:"year,omitempty"`
	Mode          string         `json:"mode,omitempty"`
	Tags          []string       `json:"tags"`
	Relatives     []PackRelative `json:"relatives"`
	Quotes        []PackQuote    `json:"quotes"`
}

// PackRelative is a relative, with relation and harms from the codebook.
type PackRelative struct {
	Relation string   `json:"relation"`
	Harms    []string `json:"harms"`
}

// PackQuote is a quote with its footnote.
type PackQuote struct {
	N        int      `json:"n"`
	Text     string   `json:"text"`
	Label    string   `json:"label,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Citation string   `json:"citation"`
}

// LeftOut is what a pack leaves out of an interview, and why.
type LeftOut struct {
	Pseudonym string `json:"pseudonym"`
	What      string `json:"what"`
	Why       string `json:"why"`
}

// Figures are counts over the interviews of a pack, from their structured
// fields only.
type Figures struct {
	ByHarm     []FigureCount `json:"by_harm"`
	ByRelation []FigureCount `json:"by_relation"`
	ByPlace    []FigureCount `json:"by_place"`
	ByYear     []FigureCount `json:"by_year"`
	// Custom lists the harms and relations outside the codebook, counted
	// as they are.
	Custom []string `json:"custom,omitempty"`
}

// Review is what a pack discloses about one person.
type Review struct {
	Pseudonym  string   `json:"pseudonym"`
	Attributes []string `json:"attributes"`
	Quotes     int      `json:"quotes"`
	// Hits are what the re-identification check finds in the quoted text:
	// sensitive terms, place names, occupations.
	Hits []ReviewHit `json:"hits,omitempty"`
}

// ReviewHit is a hit of the check in a quote.
type ReviewHit struct {
	Quote int    `json:"quote"`
	Kind  string `json:"kind"`
	Text  string `json:"text"`
}

// Precisions publish accepts.
var (
	PlacePrecisions = []string{"full", "country", "none"}
	DatePrecisions  = []string{"day", "month", "year"}
)

// Publish builds a pack. Interviews whose record consent is refused give
// nothing; those whose quote consent is refused give no quote; stale quotes
// (their passage changed) are left out; each is said in LeftOut.
func (v *Vault) Publish(ctx context.Context, opts PublishOptions) (*Pack, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	if opts.Place == "" {
		opts.Place = "country"
	}
	if opts.Date == "" {
		opts.Date = "month"
	}
	if !slices.Contains(PlacePrecisions, opts.Place) || !slices.Contains(DatePrecisions, opts.Date) {
		return nil, fmt.Errorf("%w: place precision is one of %s; date precision one of %s", ErrInvalid,
			strings.Join(PlacePrecisions, ", "), strings.Join(DatePrecisions, ", "))
	}
	org, err := v.Setting(ctx, "org")
	if err != nil {
		return nil, err
	}
	tmpl, err := v.Setting(ctx, "citation")
	if err != nil {
		return nil, err
	}
	terms, err := v.Terms()
	if err != nil {
		return nil, err
	}
	ids, err := v.selectForPublish(ctx, opts)
	if err != nil {
		return nil, err
	}
	recs, elsewhere, err := v.headRecords(ctx, ids)
	if err != nil {
		return nil, err
	}
	pack := &Pack{CreatedAt: v.Now().UTC().Format(time.RFC3339), Place: opts.Place, Date: opts.Date,
		Interviews: []PackInterview{}, LeftOut: []LeftOut{}, Review: []Review{}}
	counts := newFigureCounts()
	n := 0
	for _, rec := range recs {
		if !rec.Consent.Record {
			pack.LeftOut = append(pack.LeftOut, LeftOut{Pseudonym: rec.Pseudonym, What: "the whole interview", Why: WhyRecordRefused})
			continue
		}
		pi := PackInterview{Pseudonym: rec.Pseudonym, Place: placeAt(rec.Location, opts.Place),
			Date: dateAt(rec.InterviewedOn, opts.Date), Mode: rec.Mode, Tags: rec.Tags, Relatives: []PackRelative{}, Quotes: []PackQuote{}}
		if len(rec.InterviewedOn) >= 4 {
			pi.Year = rec.InterviewedOn[:4]
		}
		if rec.AnonymityRequested {
			pi.PseudonymNote = "(pseudonym)"
		}
		for _, r := range rec.Relatives {
			pr := PackRelative{Relation: canonRelation(r.Relation)}
			for _, h := range r.Harms {
				pr.Harms = append(pr.Harms, canonHarm(h))
			}
			pi.Relatives = append(pi.Relatives, pr)
		}
		quotes := quoteInfos("", rec)
		var stale int
		switch {
		case len(quotes) > 0 && !rec.Consent.Quote:
			pack.LeftOut = append(pack.LeftOut, LeftOut{Pseudonym: rec.Pseudonym, What: quotesWord(len(quotes)), Why: "quote consent refused"})
		default:
			for _, q := range quotes {
				if !q.Current {
					stale++
					continue
				}
				n++
				pi.Quotes = append(pi.Quotes, PackQuote{N: n, Text: q.Text, Label: q.Label, Tags: q.Tags,
					Citation: citation(tmpl, org, rec, pi, q.Label)})
			}
		}
		if k := elsewhere[rec.ID]; k > 0 {
			pack.LeftOut = append(pack.LeftOut, LeftOut{Pseudonym: rec.Pseudonym, What: quotesWord(k),
				Why: "marked on the other version of an interview in conflict (merge it first)"})
		}
		if stale > 0 {
			pack.LeftOut = append(pack.LeftOut, LeftOut{Pseudonym: rec.Pseudonym, What: quotesWord(stale),
				Why: "the testimony was edited and the passage is no longer in it (remove the quote and mark it again)"})
		}
		if opts.QuotesOnly && len(pi.Quotes) == 0 {
			continue
		}
		pack.Interviews = append(pack.Interviews, pi)
		counts.add(pi)
		pack.Review = append(pack.Review, review(pi, terms))
	}
	pack.Figures = counts.figures()
	return pack, nil
}

// selectForPublish returns the IDs of the interviews selected, in the
// order of their date, then pseudonym.
func (v *Vault) selectForPublish(ctx context.Context, opts PublishOptions) ([]string, error) {
	if len(opts.IDs) == 0 && len(opts.Tags) == 0 {
		return v.selectInterviews(ctx, nil, nil)
	}
	return v.selectInterviews(ctx, opts.IDs, opts.Tags)
}

// headRecords returns the record shown of each interview (its newest head),
// sorted by date and pseudonym, in one pass over the database, and how many
// quotes of each interview in conflict only its other heads hold.
func (v *Vault) headRecords(ctx context.Context, ids []string) ([]Interview, map[string]int, error) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT i.id, r.body, r.testimony FROM interviews i JOIN revisions r ON r.id = i.revision`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []Interview
	for rows.Next() {
		var id, testimony string
		var body []byte
		if err := rows.Scan(&id, &body, &testimony); err != nil {
			return nil, nil, err
		}
		if !want[id] {
			continue
		}
		r, err := loadRevision(id, body, testimony)
		if err != nil {
			return nil, nil, err
		}
		r.Record.ID = id
		out = append(out, r.Record)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	elsewhere, err := v.restrictConflicted(ctx, want, out)
	if err != nil {
		return nil, nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].InterviewedOn != out[j].InterviewedOn {
			return out[i].InterviewedOn < out[j].InterviewedOn
		}
		return out[i].Pseudonym < out[j].Pseudonym
	})
	return out, elsewhere, nil
}

// restrictConflicted gives each interview of recs that is in conflict the
// consent all its versions give: a refusal recorded in one version (a
// teammate's, say, told that the interviewee withdrew quote consent) holds
// whichever version is newer. recs are the newest heads' records. It
// returns, per interview in conflict, how many quotes only its other heads
// hold: the pack takes the newest head's and says those are left out.
func (v *Vault) restrictConflicted(ctx context.Context, want map[string]bool, recs []Interview) (map[string]int, error) {
	rows, err := v.conn.QueryContext(ctx, `SELECT interview FROM heads GROUP BY interview HAVING count(*) > 1`)
	if err != nil {
		return nil, err
	}
	var conflicted []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		if want[id] {
			conflicted = append(conflicted, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(conflicted) == 0 {
		return nil, err
	}
	elsewhere := map[string]int{}
	at := make(map[string]int, len(recs))
	for i, r := range recs {
		at[r.ID] = i
	}
	for _, id := range conflicted {
		i, ok := at[id]
		if !ok {
			continue
		}
		heads, err := v.headRevisions(ctx, id)
		if err != nil {
			return nil, err
		}
		c := &recs[i].Consent
		shown := make(map[string]bool, len(recs[i].Quotes))
		for _, q := range recs[i].Quotes {
			shown[q.ID] = true
		}
		others := map[string]bool{}
		for _, h := range heads {
			c.Record = c.Record && h.Record.Consent.Record
			c.Quote = c.Quote && h.Record.Consent.Quote
			c.Share = c.Share && h.Record.Consent.Share
			for _, q := range h.Record.Quotes {
				if !shown[q.ID] {
					others[q.ID] = true
				}
			}
		}
		if len(others) > 0 {
			elsewhere[id] = len(others)
		}
	}
	return elsewhere, nil
}

// placeAt returns a place at a precision: "Vancouver, Canada" is
// "Canada" at "country", and "Vancouver" is "" (no country part).
func placeAt(where, precision string) string {
	where = strings.TrimSpace(where)
	switch precision {
	case "none":
		return ""
	case "country":
		i := strings.LastIndexAny(where, ",，")
		if i < 0 {
			// No comma: which part is the country cannot be told, and the
			// whole may be a city. Nothing is safer than a guess.
			return ""
		}
		return strings.TrimSpace(strings.TrimLeft(where[i:], ",，"))
	}
	return where
}

// dateAt returns a YYYY-MM-DD date at a precision: "April 2018" at
// "month".
func dateAt(date, precision string) string {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return ""
	}
	switch precision {
	case "year":
		return t.Format("2006")
	case "month":
		return t.Format("January 2006")
	}
	return t.Format("2 January 2006")
}

// citation fills a citation template. A field with nothing to say is left
// out, with the space or comma before it.
func citation(tmpl, org string, rec Interview, pi PackInterview, label string) string {
	month, year := "", pi.Year
	if t, err := time.Parse("2006-01-02", rec.InterviewedOn); err == nil && pi.Date != "" && pi.Date != year {
		month = t.Format("January")
	}
	if pi.Date == "" {
		year = ""
	}
	fields := map[string]string{
		"{org}": org, "{mode}": rec.Mode, "{pseudonym}": rec.Pseudonym, "{place}": pi.Place,
		"{month}": month, "{year}": year, "{date}": pi.Date, "{label}": label,
	}
	s := tmpl
	for k, val := range fields {
		s = strings.ReplaceAll(s, k, val)
	}
	// Tidy what empty fields leave: doubled spaces, ", ," and a leading
	// space or comma.
	for _, r := range [][2]string{{"  ", " "}, {" ,", ","}, {",,", ","}, {", .", "."}, {" .", "."}} {
		for strings.Contains(s, r[0]) {
			s = strings.ReplaceAll(s, r[0], r[1])
		}
	}
	s = strings.TrimLeft(s, " ,")
	if r, size := utf8.DecodeRuneInString(s); size > 0 {
		s = string(unicode.ToUpper(r)) + s[size:]
	}
	return s
}

// QuoteCount is how many quotes the pack holds.
func (p *Pack) QuoteCount() int {
	n := 0
	for _, in := range p.Interviews {
		n += len(in.Quotes)
	}
	return n
}

// RecordPublish puts a publication in the audit log.
func (v *Vault) RecordPublish(details string) error {
	return v.record(Event{Kind: EventPublish, Details: details})
}

func quotesWord(n int) string {
	if n == 1 {
		return "1 quote"
	}
	return fmt.Sprintf("%d quotes", n)
}
