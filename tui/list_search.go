package tui

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/tvault/tvault/vault"
)

// The list's search: / filters by pseudonym, by the testimony's words (with
// where they match) and by tag:, from:, to: and consent:.

// searchPage is how many interviews found a search asks for: the first in
// list order. A query that finds tens of thousands costs then what one
// that finds a page costs, and the screen says to refine it. Tests lower
// it.
var searchPage = 1000

// searchMsg is the result of a full-text search.
type searchMsg struct {
	seq    int
	query  string
	ids    map[string]bool
	where  map[string]vault.Found
	passed map[string]bool
	bad    string
	// found is how many interviews the words found: more than ids holds
	// when the search was cut to its page.
	found int
}

// searchDelayMsg starts the search for query seq once typing pauses.
type searchDelayMsg struct{ seq int }

func (l *listScreen) applyFilter() {
	q := strings.ToLower(l.query())
	if q == "" {
		l.rows = l.all
		l.clamp()
		return
	}
	words, f, _ := parseQuery(q)
	hits, passed := l.hits, l.passed
	if l.hitsFor != q {
		hits, passed = nil, nil
	}
	rows := make([]row, 0, 64)
	for _, r := range l.all {
		if !f.Empty() && (r.id == "" || !passed[r.id]) {
			// A filter: until its search is back, nothing passes.
			continue
		}
		if words == "" || strings.Contains(r.lower, words) || (r.id != "" && hits[r.id]) {
			rows = append(rows, r)
		}
	}
	l.rows = rows
	l.clamp()
}

// parseQuery splits what is typed after / into the words of the search
// and the filter's tag:T, from:D, to:D and consent:C; bad says why a
// filter word is left out (a date not yet whole, while typing).
func parseQuery(q string) (words string, f vault.Filter, bad string) {
	var ws []string
	for _, w := range strings.Fields(q) {
		name, val, ok := strings.Cut(w, ":")
		if !ok || val == "" {
			ws = append(ws, w)
			continue
		}
		switch name {
		case "tag":
			f.Tags = append(f.Tags, val)
		case "from", "to":
			if !dateFilter.MatchString(val) {
				bad = name + ": takes YYYY, YYYY-MM or YYYY-MM-DD"
				continue
			}
			if name == "from" {
				f.From = val
			} else {
				f.To = val
			}
		case "consent":
			if !contains(vault.ConsentKinds, val) {
				bad = "consent: takes record, quote or share"
				continue
			}
			f.Consent = append(f.Consent, val)
		default:
			ws = append(ws, w)
		}
	}
	return strings.Join(ws, " "), f, bad
}

var dateFilter = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`)

// search runs the search of the query typed, off the UI loop: the words
// in the testimony, with where they match, and what the filter lets
// through.
func (l *listScreen) search(seq int) tea.Cmd {
	s := l.st
	q := strings.ToLower(l.query())
	words, f, bad := parseQuery(q)
	return func() tea.Msg {
		res := searchMsg{seq: seq, query: q, ids: map[string]bool{}, where: map[string]vault.Found{}, bad: bad}
		err := s.do(func(v Store) error {
			if words != "" {
				found, total, err := v.FindPage(context.Background(), words, f, searchPage)
				if err != nil {
					return err
				}
				res.found = total
				for _, h := range found {
					res.ids[h.ID] = true
					res.where[h.ID] = h
				}
			}
			if f.Empty() {
				return nil
			}
			// What the filter lets through, for the pseudonyms that
			// match the words.
			found, err := v.Find(context.Background(), "", f)
			res.passed = map[string]bool{}
			for _, h := range found {
				res.passed[h.ID] = true
			}
			return err
		})
		if err != nil {
			return ErrorMsg{err}
		}
		return res
	}
}

// cutNotice says that the search found more interviews than it shows, or
// is "".
func (l *listScreen) cutNotice() string {
	if l.hitsFor != strings.ToLower(l.query()) || l.hitsFound <= len(l.hits) {
		return ""
	}
	return fmt.Sprintf("showing %s of %s — refine the query", thousands(len(l.hits)), thousands(l.hitsFound))
}

// thousands writes n with a comma between groups of three digits: 44,753.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
