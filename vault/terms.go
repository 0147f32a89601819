package vault

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sensitive terms
//
// Besides an interview's own identity, a team knows words that narrow a
// person down: a village, a mine, a small employer. The vault keeps them as
// a list that [CheckNames] is given with every check. The list is readable
// with the vault passphrase, like the testimony it protects: it says what to
// look for, not who said what.
//
// Not yet carried in bundles: each vault keeps its own list.

const termsNS = "terms"

// Terms returns the vault's sensitive terms, sorted.
func (v *Vault) Terms() ([]string, error) {
	rows, err := v.conn.QueryContext(v.ctx, `SELECT key FROM kv WHERE ns = ? ORDER BY key`, termsNS)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// AddTerms adds sensitive terms; one already listed is not an error. A term
// must have two characters or more and no { } or |. Errors name the term's
// position, never the term.
func (v *Vault) AddTerms(terms ...string) error {
	ch := &change{}
	for n, t := range terms {
		t = strings.TrimSpace(t)
		if utf8.RuneCountInString(t) < 2 || strings.ContainsAny(t, "{}|") || !utf8.ValidString(t) {
			return fmt.Errorf("%w: term %d must have two characters or more, and no { } or |", ErrInvalid, n+1)
		}
		// The value must not be empty: the journal drops empty fields.
		ch.KV = append(ch.KV, kvRecord{NS: termsNS, Key: t, Value: []byte("1")})
	}
	if len(ch.KV) == 0 {
		return nil
	}
	return v.commit(ch)
}

// RemoveTerm removes a sensitive term. The error wraps [ErrNotFound] if it
// is not listed.
func (v *Vault) RemoveTerm(term string) error {
	term = strings.TrimSpace(term)
	var n int
	err := v.conn.QueryRowContext(v.ctx, `SELECT count(*) FROM kv WHERE ns = ? AND key = ?`, termsNS, term).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: no such sensitive term", ErrNotFound)
	}
	return v.commit(&change{KV: []kvRecord{{NS: termsNS, Key: term, Delete: true}}})
}
