package vault

import (
	"context"
	"database/sql"
	"fmt"
)

// Indexing a new interview's testimony ahead of the rest of its save.
//
// The search indexes cost a large add as much as sealing does, and neither
// needs the other: sealing is Go on any core, indexing is SQLite on the
// connection. So Add begins its transaction at once and indexes the
// testimony of each new interview under the rowid its interview row will
// take, while the other cores seal; apply then inserts the interview rows
// at those rowids and skips their indexing. It all happens in the one
// transaction: a save that fails leaves nothing, as before. The journal
// frame holds the change, not the index, so a replay indexes it the
// ordinary way.

// preindexed is an interview indexed ahead of its save: the rowid its row
// is to take and the marked testimony indexed.
type preindexed struct {
	rowid  int64
	marked string
}

// preindex indexes, in tx, the testimony of the plans that make new
// interviews, under the rowids after the last interview row, in plan order
// (which is the order apply inserts their rows in).
func preindex(ctx context.Context, tx *sql.Tx, plans []*plan) (map[string]preindexed, error) {
	var fresh []preindexItem
	for _, p := range plans {
		if p.fresh {
			fresh = append(fresh, preindexItem{interview: p.rev.Interview, marked: p.rev.Record.Testimony})
		}
	}
	return preindexItems(ctx, tx, fresh)
}

// preindexItem is a new interview to index ahead: its ID and the marked
// testimony of the revision that is to be its head.
type preindexItem struct {
	interview, marked string
}

// preindexItems indexes, in tx, the testimony of new interviews under the
// rowids after the last interview row, in the order given, which must be
// the order apply inserts their rows in. Each index in a run of its own:
// FTS5 flushes its pending terms whenever another statement opens a
// savepoint (see apply).
func preindexItems(ctx context.Context, tx *sql.Tx, fresh []preindexItem) (map[string]preindexed, error) {
	if len(fresh) == 0 {
		return nil, nil
	}
	// The index texts, worked out on another core just ahead of the index.
	texts := make(chan indexText, len(fresh))
	go func() {
		for _, p := range fresh {
			texts <- newIndexText(p.marked)
		}
		close(texts)
	}()
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM interviews`).Scan(&last); err != nil {
		return nil, err
	}
	out := make(map[string]preindexed, len(fresh))
	for i, p := range fresh {
		if _, dup := out[p.interview]; dup {
			// Never: a new interview has one revision in a batch, and one
			// head in a bundle indexed ahead.
			return nil, fmt.Errorf("interview %s is new twice in one save", p.interview)
		}
		out[p.interview] = preindexed{rowid: last + int64(i) + 1, marked: p.marked}
	}
	pairs := make([]string, len(fresh))
	err := insertEach(ctx, tx, `INSERT INTO testimony_fts (rowid, testimony) VALUES (?, ?)`, len(fresh), func(i int) (int64, string) {
		t := <-texts
		pairs[i] = t.pairs
		return last + int64(i) + 1, t.public
	})
	if err != nil {
		return nil, err
	}
	err = insertEach(ctx, tx, `INSERT INTO cjk_fts (rowid, pairs) VALUES (?, ?)`, len(fresh), func(i int) (int64, string) {
		return last + int64(i) + 1, pairs[i]
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// insertEach runs query, of a rowid and a text, for i from 0 to n-1.
func insertEach(ctx context.Context, tx *sql.Tx, query string, n int, row func(i int) (int64, string)) error {
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	for i := range n {
		rowid, text := row(i)
		if _, err := st.ExecContext(ctx, rowid, text); err != nil {
			return err
		}
	}
	return nil
}
