package vault

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sensitive terms
//
// Besides an interview's own identity, a team knows words that narrow a
// person down: a village, a mine, a small employer. The vault keeps them as
// a list that [CheckNames] is given with every check. The list is readable
// with the vault passphrase, like the testimony it protects: it says what to
// look for, not who said what.
//
// The list travels in bundles, removals included (terms_sync.go).

const termsNS = "terms"

// Terms returns the vault's sensitive terms, sorted.
func (v *Vault) Terms() ([]string, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	rows, err := v.conn.QueryContext(v.ctx, `SELECT key, value FROM kv WHERE ns = ? ORDER BY key`, termsNS)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		var b []byte
		if err := rows.Scan(&t, &b); err != nil {
			return nil, err
		}
		if !parseTermEntry(b).Removed {
			out = append(out, t)
		}
	}
	return out, rows.Err()
}

// AddTerms adds sensitive terms; one already listed is not an error. A term
// must have two characters or more and no { } or |. Errors name the term's
// position, never the term.
func (v *Vault) AddTerms(terms ...string) error {
	if err := v.ready(); err != nil {
		return err
	}
	ch := &change{}
	now := termEntry{At: v.Now().UTC().Format(time.RFC3339Nano)}
	for n, t := range terms {
		t = strings.TrimSpace(t)
		if checkTerm(t) != nil {
			return fmt.Errorf("%w: term %d must have 2 to %d characters, and no { } | or control characters", ErrInvalid, n+1, MaxTermLength)
		}
		// The value must not be empty: the journal drops empty fields.
		ch.KV = append(ch.KV, kvRecord{NS: termsNS, Key: t, Value: now.value()})
	}
	if len(ch.KV) == 0 {
		return nil
	}
	var have int
	if err := v.conn.QueryRowContext(v.ctx, `SELECT count(*) FROM kv WHERE ns = ? AND key NOT IN (SELECT value FROM json_each(?))`, termsNS, termKeys(ch.KV)).Scan(&have); err != nil {
		return err
	}
	if have+len(termSet(ch.KV)) > MaxTerms {
		return fmt.Errorf("%w: a vault keeps at most %d sensitive terms (removals included), as a bundle carries them all", ErrInvalid, MaxTerms)
	}
	return v.commit(ch)
}

// termSet is the set of the terms of kv.
func termSet(kv []kvRecord) map[string]bool {
	set := make(map[string]bool, len(kv))
	for i := range kv {
		set[kv[i].Key] = true
	}
	return set
}

// termKeys is the JSON list of the terms of kv.
func termKeys(kv []kvRecord) string {
	keys := make([]string, 0, len(kv))
	for k := range termSet(kv) {
		keys = append(keys, k)
	}
	b, _ := json.Marshal(keys)
	return string(b)
}

// RemoveTerm removes a sensitive term. The error wraps [ErrNotFound] if it
// is not listed.
func (v *Vault) RemoveTerm(term string) error {
	if err := v.ready(); err != nil {
		return err
	}
	term = strings.TrimSpace(term)
	var b []byte
	err := v.conn.QueryRowContext(v.ctx, `SELECT value FROM kv WHERE ns = ? AND key = ?`, termsNS, term).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && parseTermEntry(b).Removed) {
		return fmt.Errorf("%w: no such sensitive term", ErrNotFound)
	}
	if err != nil {
		return err
	}
	// Kept as a removal, so that it travels in bundles (terms_sync.go).
	gone := termEntry{At: v.Now().UTC().Format(time.RFC3339Nano), Removed: true}
	return v.commit(&change{KV: []kvRecord{{NS: termsNS, Key: term, Value: gone.value()}}})
}
