package vault

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tvault/tvault/internal/bundlefmt"
)

// Sensitive terms travel in bundles.
//
// Every bundle carries the exporter's whole list, removals included: a
// removal is kept as a tombstone (the term, when, removed), so that it
// travels like an addition. An importer merges per term: the entry with the
// later time wins, and on equal times the addition (a list that checks for
// one word too many fails safe). So no addition or removal is lost, and two
// vaults that have seen the same entries hold the same list, whatever the
// order of the bundles. Times are the members' clocks: one set far ahead
// wins every tie-break it enters (docs/THREAT-MODEL.md).

// MaxTerms is the most sensitive terms (removals included) a vault keeps
// or a bundle may carry; MaxTermLength the longest term, in characters.
const (
	MaxTerms      = 10000
	MaxTermLength = 200
)

// maxTermAhead is how far ahead of the importer's clock a term entry of a
// bundle may be dated and be merged; a later one waits until its time.
const maxTermAhead = 24 * time.Hour

// termEntry is a term's value in the kv table. A vault from before terms
// travelled stored "1": an addition at no time, older than any.
type termEntry struct {
	At      string `json:"at"`
	Removed bool   `json:"removed,omitempty"`
}

func parseTermEntry(b []byte) termEntry {
	var e termEntry
	if json.Unmarshal(b, &e) != nil {
		return termEntry{}
	}
	return e
}

func (e termEntry) value() []byte {
	b, _ := json.Marshal(e)
	return b
}

// checkTerm checks a term's form. The error names what is wrong, never
// the term.
func checkTerm(t string) error {
	if n := utf8.RuneCountInString(t); n < 2 || n > MaxTermLength || strings.ContainsAny(t, "{}|") || !utf8.ValidString(t) ||
		t != strings.TrimSpace(t) || checkText("term", t) != nil {
		return fmt.Errorf("%w: a term must have 2 to %d characters, and no { } |, control characters or surrounding spaces", ErrInvalid, MaxTermLength)
	}
	return nil
}

// termEntries returns every term entry, removals included, as a bundle
// carries them.
func (v *Vault) termEntries(ctx context.Context) ([]bundlefmt.Term, error) {
	rows, err := v.conn.QueryContext(ctx, `SELECT key, value FROM kv WHERE ns = ? ORDER BY key`, termsNS)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bundlefmt.Term
	for rows.Next() {
		var t string
		var b []byte
		if err := rows.Scan(&t, &b); err != nil {
			return nil, err
		}
		e := parseTermEntry(b)
		out = append(out, bundlefmt.Term{Term: t, At: e.At, Removed: e.Removed})
	}
	return out, rows.Err()
}

// newer reports whether entry e wins over b: a later time, or an equal one
// and e is an addition.
func (e termEntry) newer(b termEntry) bool {
	ta, errA := time.Parse(time.RFC3339Nano, e.At)
	tb, errB := time.Parse(time.RFC3339Nano, b.At)
	switch {
	case errA != nil && errB != nil:
		return !e.Removed && b.Removed
	case errA != nil:
		return false
	case errB != nil:
		return true
	case ta.Equal(tb):
		return !e.Removed && b.Removed
	}
	return ta.After(tb)
}

// mergeTerms adds to ch the entries of a bundle's term list that win over
// this vault's, and returns how many. A malformed list refuses the bundle.
func (v *Vault) mergeTerms(ctx context.Context, terms []bundlefmt.Term, ch *change) (int, error) {
	if len(terms) > MaxTerms {
		return 0, fmt.Errorf("%w: the bundle carries more than %d sensitive terms", ErrDamaged, MaxTerms)
	}
	// The vault keeps at most MaxTerms entries, as a bundle carries them
	// all: a list grown past it by bundles of new terms (a member's flood)
	// would make every bundle this vault sends refused.
	var have int
	if err := v.conn.QueryRowContext(ctx, `SELECT count(*) FROM kv WHERE ns = ?`, termsNS).Scan(&have); err != nil {
		return 0, err
	}
	seen := make(map[string]bool, len(terms))
	n := 0
	for i, t := range terms {
		if err := checkTerm(t.Term); err != nil || seen[t.Term] {
			return 0, fmt.Errorf("%w: sensitive term %d of the bundle is malformed or repeated", ErrDamaged, i+1)
		}
		seen[t.Term] = true
		in := termEntry{At: t.At, Removed: t.Removed}
		at, err := time.Parse(time.RFC3339Nano, t.At)
		if err != nil {
			return 0, fmt.Errorf("%w: sensitive term %d of the bundle has no time", ErrDamaged, i+1)
		}
		if at.After(v.Now().Add(maxTermAhead)) {
			// Dated ahead of this clock: it would win over every change
			// made here until then (a removal dated 9999 would remove the
			// term for good). It waits: every bundle carries it again.
			continue
		}
		var b []byte
		err = v.conn.QueryRowContext(ctx, `SELECT value FROM kv WHERE ns = ? AND key = ?`, termsNS, t.Term).Scan(&b)
		if err == nil && !in.newer(parseTermEntry(b)) {
			continue
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		if err != nil {
			if have++; have > MaxTerms {
				return 0, fmt.Errorf("%w: with the bundle's sensitive terms this vault would keep more than %d (removals included)", ErrDamaged, MaxTerms)
			}
		}
		// A removal of a term never listed here is kept too, so that an
		// older addition arriving later loses to it.
		ch.KV = append(ch.KV, kvRecord{NS: termsNS, Key: t.Term, Value: in.value()})
		n++
	}
	return n, nil
}
