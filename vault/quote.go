package vault

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Quote is a passage of an interview's testimony marked for publication, as
// it reads in the readable tier (sensitive spans as [description]). Quotes
// are part of the interview: they are saved in its revisions and travel in
// bundles with it.
//
// A quote is kept across later edits of the testimony. While its passage is
// still in the testimony, unchanged, it stays current; once an edit changes
// or removes the passage, the quote is stale: it is listed as such, and
// publish leaves it out (and says so) until it is removed and marked again.
type Quote struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Label   string   `json:"label,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	AddedAt string   `json:"added_at"`
	AddedBy string   `json:"added_by"`
}

// MaxQuote is the longest quote, in characters.
const MaxQuote = 5000

// QuoteInfo is a quote as listed: current, or stale after an edit.
type QuoteInfo struct {
	Quote
	Interview string `json:"interview"`
	Current   bool   `json:"current"`
}

func validateQuotes(list []Quote) error {
	seen := map[string]bool{}
	for i, q := range list {
		switch {
		case !hexID.MatchString(q.ID) || seen[q.ID]:
			return fmt.Errorf("%w: quote %d has a malformed or repeated ID", ErrInvalid, i+1)
		case strings.TrimSpace(q.Text) == "" || utf8.RuneCountInString(q.Text) > MaxQuote:
			return fmt.Errorf("%w: quote %d is empty or longer than %d characters", ErrInvalid, i+1, MaxQuote)
		}
		if _, err := time.Parse(time.RFC3339Nano, q.AddedAt); err != nil {
			return fmt.Errorf("%w: quote %d has a malformed time", ErrInvalid, i+1)
		}
		if err := checkText(fmt.Sprintf("quote %d's text", i+1), q.Text); err != nil {
			return err
		}
		for _, f := range []struct{ name, text string }{{"label", q.Label}, {"author", q.AddedBy}} {
			if err := checkLine(fmt.Sprintf("quote %d's %s", i+1, f.name), f.text); err != nil {
				return err
			}
		}
		if strings.Contains(q.Label, "\n") {
			return fmt.Errorf("%w: quote %d's label has several lines", ErrInvalid, i+1)
		}
		for _, t := range q.Tags {
			if !tagRe.MatchString(t) {
				return fmt.Errorf("%w: quote %d has a malformed tag", ErrInvalid, i+1)
			}
		}
		seen[q.ID] = true
	}
	return nil
}

// QuoteRequest is a quote to add: a passage of an interview's testimony.
type QuoteRequest struct {
	Interview string   `json:"interview"`
	Text      string   `json:"text"`
	Label     string   `json:"label,omitempty"`
	Tags      []string `json:"tags,omitempty"`
}

// AddQuote marks a passage of an interview's testimony as a quote. text
// must occur in the readable testimony (as `tvault show` prints it, spans
// as [description]) exactly once. An interview in conflict takes no quote
// until it is merged: [ErrInConflict].
func (v *Vault) AddQuote(ctx context.Context, idOrPrefix, text, label string, tags []string) (*Quote, error) {
	qs, err := v.AddQuotes(ctx, []QuoteRequest{{Interview: idOrPrefix, Text: text, Label: label, Tags: tags}})
	if err != nil {
		return nil, err
	}
	return &qs[0], nil
}

// AddQuotes adds quotes in one save: all of them or none. Quotes of one
// interview go into one new revision of it.
func (v *Vault) AddQuotes(ctx context.Context, reqs []QuoteRequest) ([]Quote, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	out := make([]Quote, len(reqs))
	byInterview := map[string][]int{}
	var order []string
	for i, r := range reqs {
		id, err := v.Resolve(r.Interview)
		if err != nil {
			return nil, fmt.Errorf("quote %d: %w", i+1, err)
		}
		if _, ok := byInterview[id]; !ok {
			// A quote is of the testimony as read, which an interview in
			// conflict has two of; saved over both heads (amend.go), it
			// would keep the newest one's alone and drop the other's edits
			// without a merge.
			heads, err := v.headRevisions(ctx, id)
			if err != nil {
				return nil, err
			}
			if len(heads) > 1 {
				return nil, fmt.Errorf("quote %d: %w: merge it first (tvault merge %s, or v on the interview in the terminal UI)", i+1, ErrInConflict, short(id))
			}
			order = append(order, id)
		}
		byInterview[id] = append(byInterview[id], i)
	}
	now := v.Now().UTC().Format(time.RFC3339Nano)
	which := func(i int) string {
		if len(reqs) == 1 {
			return ""
		}
		return fmt.Sprintf("quote %d: ", i+1)
	}
	edits := make(map[string]func(*Interview) error, len(order))
	for _, id := range order {
		idx := byInterview[id]
		edits[id] = func(rec *Interview) error {
			public := RenderPublic(rec.Testimony)
			quotes := slices.Clone(rec.Quotes)
			for _, i := range idx {
				r := reqs[i]
				text := strings.TrimSpace(r.Text)
				switch n := strings.Count(public, text); {
				case text == "":
					return fmt.Errorf("%s%w: the quote is empty", which(i), ErrInvalid)
				case n == 0:
					return fmt.Errorf("%s%w: the passage is not in the testimony (copy it from 'tvault show', where sensitive spans read [description])", which(i), ErrNoPassage)
				case n > 1:
					return fmt.Errorf("%s%w: the passage is in the testimony %d times; give a longer one", which(i), ErrNoPassage, n)
				}
				norm := make([]string, 0, len(r.Tags))
				for _, t := range r.Tags {
					norm = append(norm, strings.ToLower(strings.TrimSpace(t)))
				}
				out[i] = Quote{ID: randomHex(16), Text: text, Label: strings.TrimSpace(r.Label), Tags: norm, AddedAt: now, AddedBy: v.member.Name}
				quotes = append(quotes, out[i])
			}
			rec.Quotes = quotes
			return validateQuotes(rec.Quotes)
		}
	}
	if err := v.amendMany(ctx, order, edits, EventQuote, fmt.Sprintf("%d quotes added", len(reqs))); err != nil {
		return nil, err
	}
	return out, nil
}

// RemoveQuote removes a quote (by ID or unique prefix) from its interview.
func (v *Vault) RemoveQuote(ctx context.Context, idOrPrefix, quote string) error {
	if err := v.ready(); err != nil {
		return err
	}
	return v.amend(ctx, idOrPrefix, func(rec *Interview) error {
		i, err := findQuote(rec.Quotes, quote)
		if err != nil {
			return err
		}
		rec.Quotes = slices.Delete(slices.Clone(rec.Quotes), i, i+1)
		return nil
	}, EventQuote, "quote removed")
}

func findQuote(list []Quote, prefix string) (int, error) {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	found := -1
	for i, q := range list {
		if prefix != "" && strings.HasPrefix(q.ID, prefix) {
			if found >= 0 {
				return 0, fmt.Errorf("%w: %s names more than one quote", ErrNoQuote, prefix)
			}
			found = i
		}
	}
	if found < 0 {
		return 0, fmt.Errorf("%w: %s", ErrNoQuote, prefix)
	}
	return found, nil
}

// Quotes lists an interview's quotes, each current or stale.
func (v *Vault) Quotes(ctx context.Context, idOrPrefix string) ([]QuoteInfo, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	id, heads, err := v.resolveHeads(ctx, idOrPrefix)
	if err != nil {
		return nil, err
	}
	rec := mergeHeads(heads).Record
	return quoteInfos(id, rec), nil
}

func quoteInfos(id string, rec Interview) []QuoteInfo {
	public := RenderPublic(rec.Testimony)
	out := make([]QuoteInfo, 0, len(rec.Quotes))
	for _, q := range rec.Quotes {
		out = append(out, QuoteInfo{Quote: q, Interview: id, Current: strings.Count(public, q.Text) == 1})
	}
	return out
}
