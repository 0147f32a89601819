package vault

import (
	"context"
	"strings"
)

// Search finds interviews whose public testimony contains every word of
// query, ignoring case. It searches what anyone may read: spans appear as
// [description] and their secrets are not indexed.
//
// Words of three or more characters go through the trigram index. Shorter
// ones (two-character Chinese words such as 警察 are common) cannot: the
// trigram tokenizer has no token for them. They are matched by a substring
// scan of the candidates, or of every head when the query has no longer word.
func (v *Vault) Search(query string) ([]Summary, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	var words, trigrams []string
	seen := map[string]bool{}
	for _, w := range strings.Fields(strings.ToLower(query)) {
		words = append(words, w)
		r := []rune(w)
		for i := 0; i+3 <= len(r); i++ {
			if t := string(r[i : i+3]); !seen[t] {
				seen[t] = true
				trigrams = append(trigrams, t)
			}
		}
	}
	if len(words) == 0 {
		return []Summary{}, nil
	}
	ctx := context.Background()
	var q string
	var args []any
	if len(trigrams) > 0 {
		// The index keeps which documents hold each trigram, not where
		// (detail=none: a third of the size). So it finds the documents
		// holding every trigram of every word; the substring check below
		// decides. Each trigram is one FTS5 string, "…" with inner quotes
		// doubled, so no character of the query is read as query syntax.
		var match []string
		for _, t := range trigrams {
			match = append(match, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
		}
		q = `SELECT i.id, i.pseudonym, i.interviewed_on, i.tags, i.heads, r.testimony
			FROM testimony_fts f JOIN interviews i ON i.rowid = f.rowid
			JOIN revisions r ON r.id = i.revision
			WHERE testimony_fts MATCH ? ORDER BY i.interviewed_on, i.pseudonym, i.id`
		args = append(args, strings.Join(match, " AND "))
	} else {
		// Only words of one or two characters: no trigram to look up. instr
		// narrows the scan inside SQLite; the check below decides.
		q = `SELECT i.id, i.pseudonym, i.interviewed_on, i.tags, i.heads, r.testimony
			FROM interviews i JOIN revisions r ON r.id = i.revision
			WHERE instr(lower(r.testimony), ?) > 0 ORDER BY i.interviewed_on, i.pseudonym, i.id`
		args = append(args, words[0])
	}
	rows, err := v.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var s Summary
		var tags, testimony string
		if err := rows.Scan(&s.ID, &s.Pseudonym, &s.InterviewedOn, &tags, &s.Heads, &testimony); err != nil {
			return nil, err
		}
		if !containsAll(strings.ToLower(RenderPublic(testimony)), words) {
			continue
		}
		if err := unmarshalTags(tags, &s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func containsAll(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}
