package vault

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// TestAddIndexesAheadAsReplay: an add indexes its new interviews ahead of
// the rest of its save (preindex.go); the journal replay of the same saves
// indexes them the ordinary way. Both must give the same rows, the same
// rowids and the same answers from both indexes, for new interviews, a
// revision of an existing one, and two revisions of one interview in one
// batch.
func TestAddIndexesAheadAsReplay(t *testing.T) {
	ctx := context.Background()
	v := mustCreateInternal(t)
	var ins []Input
	for i, text := range cjkTexts {
		ins = append(ins, textInput(fmt.Sprintf("P%d", i), text))
	}
	ids, err := v.Add(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	// Two new interviews around two revisions of P0, one after the other.
	first := textInput("P0", "警察 came back with a passport list")
	first.ID = ids[0]
	second := textInput("P0", "護照 and 名单 were taken; officers left")
	second.ID = ids[0]
	if _, err := v.Add(ctx, []Input{textInput("Q1", "东京 passport office 여권"), first, second, textInput("Q2", "名单上 no one")}); err != nil {
		t.Fatal(err)
	}
	ahead := indexState(t, v)
	if v.journal.Size == 0 {
		t.Fatal("the adds were checkpointed, not journalled: nothing would replay")
	}
	dir := v.Dir()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen from the snapshot before the adds plus the journal.
	r, err := Open(ctx, dir, OpenOptions{ReadOnly: true}, PassphraseIdentity([]byte("correct horse battery staple")))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	replayed := indexState(t, r)
	if !slices.Equal(ahead, replayed) {
		t.Fatalf("indexed ahead:\n%v\nreplayed:\n%v", ahead, replayed)
	}
}

// indexState lists every interview row (rowid, ID, head) and what each
// query finds in each index, by rowid.
func indexState(t *testing.T, v *Vault) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	rows, err := v.conn.QueryContext(ctx, `SELECT rowid, id, revision FROM interviews ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var rowid int64
		var id, rev string
		if err := rows.Scan(&rowid, &id, &rev); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("row %d %s %s", rowid, id, rev))
	}
	rows.Close()
	for _, q := range []struct{ table, match string }{
		{"testimony_fts", `"警察来"`}, {"testimony_fts", `"pas"`}, {"testimony_fts", `"cer"`},
		{"testimony_fts", `"名单上"`}, {"testimony_fts", `"父母家"`}, {"testimony_fts", `"twi"`},
		{"cjk_fts", `"警察"`}, {"cjk_fts", `"名单"`}, {"cjk_fts", `"东京"`}, {"cjk_fts", `"여권"`}, {"cjk_fts", `"護照"`},
	} {
		rows, err := v.conn.QueryContext(ctx, `SELECT rowid FROM `+q.table+` WHERE `+q.table+` MATCH ? ORDER BY rowid`, q.match)
		if err != nil {
			t.Fatal(err)
		}
		var found []int64
		for rows.Next() {
			var rowid int64
			if err := rows.Scan(&rowid); err != nil {
				t.Fatal(err)
			}
			found = append(found, rowid)
		}
		rows.Close()
		out = append(out, fmt.Sprintf("%s %s %v", q.table, q.match, found))
	}
	return out
}
