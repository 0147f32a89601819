package vault

import (
	"context"
	"database/sql"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Search finds interviews whose public testimony contains every word of
// query, ignoring case. It searches what anyone may read: spans appear as
// [description] and their secrets are not indexed.
//
// Every word is looked up in an index where one can be:
//   - words of three or more characters in the trigram index (testimony_fts);
//   - two-character words of Chinese, Japanese or Korean (警察, 护照) in the
//     index of adjacent CJK pairs (cjk_fts), which is exact.
//
// The trigram index says which interviews hold every trigram, not in what
// order, so a substring check of the candidates decides. What no index covers
// (a one-character word, a two-letter Latin word) is matched by that check
// too, over every interview when the query has nothing to look up.
func (v *Vault) Search(ctx context.Context, query string) ([]Summary, error) {
	out, _, err := v.SearchPage(ctx, query, 0)
	return out, err
}

// search calls each for the first limit interviews (every one if limit is 0
// or less) whose public testimony holds every word of query and that pass
// f, in list order, with its stored (marked) testimony if withText is set,
// and the query's lower-cased words; it returns how many there are in all.
// See Search for how the words are looked up, and SearchPage for what the
// total costs.
func (v *Vault) search(ctx context.Context, query string, f Filter, withText bool, limit int, each func(Summary, string, []string)) (int, error) {
	if err := v.ready(); err != nil {
		return 0, err
	}
	if err := f.check(); err != nil {
		return 0, err
	}
	var words, trigrams, pairs []string
	seen := map[string]bool{}
	exact := true // every word is a CJK pair: the index alone decides
	for _, w := range strings.Fields(strings.ToLower(query)) {
		words = append(words, w)
		r := []rune(w)
		if len(r) == 2 && isCJK(r[0]) && isCJK(r[1]) {
			if !seen[w] {
				seen[w] = true
				pairs = append(pairs, w)
			}
			continue
		}
		exact = false
		for i := 0; i+3 <= len(r); i++ {
			if t := string(r[i : i+3]); !seen[t] {
				seen[t] = true
				trigrams = append(trigrams, t)
			}
		}
	}
	join := ""
	if !exact || withText || len(f.Consent) > 0 {
		join = ` JOIN revisions r ON r.id = i.revision`
	}
	var where []string
	var args []any
	// Each term is one FTS5 string, "…" with inner quotes doubled, so no
	// character of the query is read as query syntax.
	if len(trigrams) > 0 {
		where = append(where, `i.rowid IN (SELECT rowid FROM testimony_fts WHERE testimony_fts MATCH ?)`)
		args = append(args, ftsTrigrams(trigrams))
	}
	if len(pairs) > 0 {
		where = append(where, `i.rowid IN (SELECT rowid FROM cjk_fts WHERE cjk_fts MATCH ?)`)
		args = append(args, ftsAll(pairs))
	}
	if len(where) == 0 {
		// Nothing to look up: instr narrows the scan inside SQLite, with
		// a word it cannot miss, in each of its spellings; the check below
		// decides.
		for _, w := range words {
			if !strings.ContainsAny(w, "[]") {
				var ors []string
				for _, s := range spellings(w) {
					ors = append(ors, `instr(lower(r.testimony), ?) > 0`)
					args = append(args, s)
				}
				where = append(where, `(`+strings.Join(ors, ` OR `)+`)`)
				break
			}
		}
	}
	fw, fa := f.where()
	where, args = append(where, fw...), append(args, fa...)
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}

	// When SQL alone decides, it counts the hits, and returns the page,
	// walking the list's index to it when that is cheaper. Without a page,
	// it counts when the pair index alone can: walking spares sorting the
	// hits (with their testimony, for Find).
	total, index := -1, ""
	if exact && (limit > 0 || (len(pairs) > 0 && f.Empty())) {
		var n int64
		var err error
		if total, n, err = v.countHits(ctx, pairs, f, ` FROM interviews i`+join+cond, args); err != nil {
			return 0, err
		}
		if total == 0 {
			return 0, nil
		}
		if len(pairs) > 0 && walkInOrder(n, total, limit) {
			index = ` INDEXED BY interviews_listed`
		}
	}
	// The testimony only when the check or the caller reads it: each
	// column of each row costs (three calls into SQLite).
	text := !exact || withText
	q := `SELECT i.id, i.pseudonym, i.interviewed_on, i.tags, i.heads`
	if text {
		q += `, r.testimony`
	}
	q += ` FROM interviews i` + index + join + cond + ` ORDER BY i.interviewed_on, i.pseudonym, i.id`
	if exact && limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := v.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	var s Summary
	var tags, testimony string
	dest := []any{&s.ID, &s.Pseudonym, &s.InterviewedOn, &tags, &s.Heads, &testimony}
	if !text {
		dest = dest[:5]
	}
	for rows.Next() {
		s = Summary{}
		if err := rows.Scan(dest...); err != nil {
			return 0, err
		}
		if !exact && !containsAll(toLower(RenderPublic(testimony)), words) {
			continue
		}
		if n++; limit > 0 && n > limit {
			continue // past the page: counted only
		}
		if err := unmarshalTags(tags, &s); err != nil {
			return 0, err
		}
		each(s, testimony, words)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if total < 0 {
		total = n
	}
	return total, nil
}

// ftsAll returns an FTS5 query matching documents that hold every term.
func ftsAll(terms []string) string {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(quoted, " AND ")
}

func containsAll(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// isCJK reports whether r is a letter of Chinese, Japanese or Korean writing:
// the characters that a two-character word is made of.
func isCJK(r rune) bool {
	// Every such letter is at U+1100 (Hangul jamo) or above: most text is decided
	// here, without a table lookup.
	if r < 0x1100 {
		return false
	}
	// The common blocks, all letters: CJK Unified Ideographs, kana, Hangul
	// syllables.
	if (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3041 && r <= 0x3096) ||
		(r >= 0x30A1 && r <= 0x30FA) || (r >= 0xAC00 && r <= 0xD7A3) {
		return true
	}
	return unicode.IsLetter(r) &&
		(unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
			unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r))
}

// cjkPairs returns the distinct pairs of adjacent CJK characters in text,
// lower-cased like queries, space-separated: the document cjk_fts indexes.
func cjkPairs(text string) string {
	if !hasNonASCII(text) {
		return "" // most English testimony: no CJK letter, no map
	}
	var b strings.Builder
	// A pair as one integer: the map's fast path, sized for text that is
	// all CJK (three bytes a letter) so that it never grows.
	seen := make(map[uint64]struct{}, len(text)/3)
	var prev rune
	for i, r := range text {
		if !isCJK(r) {
			prev = 0
			continue
		}
		if prev != 0 {
			pair := uint64(prev)<<32 | uint64(r)
			if _, ok := seen[pair]; !ok {
				seen[pair] = struct{}{}
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(text[i-utf8.RuneLen(prev) : i+utf8.RuneLen(r)])
			}
		}
		prev = r
	}
	// CJK letters have no case; Latin ones never reach here. Lower-casing
	// stays for the few scripts' letters that might.
	return strings.ToLower(b.String())
}

// hasNonASCII reports whether text has a byte of a character outside ASCII.
func hasNonASCII(text string) bool {
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// fillCJKIndex indexes every interview's head in cjk_fts: the migration
// that adds the index to a vault written before it.
func fillCJKIndex(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT i.rowid, r.testimony FROM interviews i JOIN revisions r ON r.id = i.revision`)
	if err != nil {
		return err
	}
	type doc struct {
		rowid int64
		pairs string
	}
	var docs []doc
	for rows.Next() {
		var d doc
		var marked string
		if err := rows.Scan(&d.rowid, &marked); err != nil {
			rows.Close()
			return err
		}
		d.pairs = cjkPairs(RenderPublic(marked))
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO cjk_fts (rowid, pairs) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, d := range docs {
		if _, err := ins.ExecContext(ctx, d.rowid, d.pairs); err != nil {
			return err
		}
	}
	return nil
}

// optimizeSearch rewrites the search indexes' segments so that deleted
// (purged) text is gone from them, not only marked deleted.
func optimizeSearch(ctx context.Context, conn *sql.Conn) error {
	for _, q := range []string{
		`INSERT INTO testimony_fts (testimony_fts) VALUES ('optimize')`,
		`INSERT INTO cjk_fts (cjk_fts) VALUES ('optimize')`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
