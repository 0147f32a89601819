package vault

import (
	"context"
	"database/sql"
	"encoding/json"
	"runtime"
	"sync"
	"sync/atomic"
)

// Verifying a bundle's revisions while its new interviews are indexed.
//
// An import verified every revision (JSON, format 3 IDs, Ed25519) on every
// core, and only then applied the bundle on one, where the search indexes
// cost as much again: one core sat idle for each half. Neither needs the
// other, so Import starts the verification on every core, begins the
// save's transaction at once, and indexes the testimony of the interviews
// the bundle makes new under the rowids their rows will take, as Add does
// while it seals (preindex.go). Then it waits for the verification and
// makes every check it made before, in the same order.
//
// Nothing indexed ahead is trusted: it is in the transaction only, which a
// revision that fails verification, or any later check, rolls back, so a
// bad bundle still changes nothing, and the error is still the first in
// bundle order. Apply refuses to store a head other than the one indexed
// (apply, preindexed), so what is indexed ahead is only ever what apply
// would index; to keep that simple, only a plain bundle is indexed ahead:
// no redactions in it or in the vault (they may change testimony on its
// way in), no purge of an interview the vault holds (rows deleted would
// change the rowids apply gives), and one head for each new interview.

// verifying is the verification of a bundle's revisions on every core.
type verifying struct {
	done   chan struct{}
	err    error
	cancel context.CancelFunc
}

// startVerifying starts verifyAll on recs. The records are the workers'
// until wait returns: nothing else may read their decoded revisions.
func startVerifying(ctx context.Context, recs []revisionRecord) *verifying {
	ctx, cancel := context.WithCancel(ctx)
	vr := &verifying{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(vr.done)
		vr.err = verifyAll(ctx, recs)
	}()
	return vr
}

// wait returns verifyAll's error once it is done.
func (vr *verifying) wait() error {
	<-vr.done
	return vr.err
}

// preindexBundle begins the import's transaction and indexes ahead in it
// the new interviews of a plain bundle (see above), while the revisions
// are verified. It returns the transaction, or nil: if the vault cannot be
// written, or the indexing fails (memory full, the import cancelled), the
// import goes on without, and the merge meets the same trouble after the
// checks, as before. It reads what it needs of the revisions itself:
// their decoded form is the verification's.
func (v *Vault) preindexBundle(ctx context.Context, ch *change, tombstoned map[string]bool) *sql.Tx {
	if v.writable() != nil {
		return nil
	}
	tx, err := v.beginSave()
	if err != nil {
		return nil
	}
	items, err := bundleNewHeads(ctx, tx, ch, tombstoned)
	if err == nil && items != nil {
		ch.preindexed, err = preindexItems(ctx, tx, items)
	}
	if err != nil {
		ch.preindexed = nil
		tx.Rollback()
		return nil
	}
	if preindexedHook != nil {
		preindexedHook(len(ch.preindexed))
	}
	return tx
}

// preindexedHook, if set (by tests), is told how many new interviews each
// import indexed ahead.
var preindexedHook func(n int)

// bundleNewHeads returns, in the order apply inserts their rows, the new
// interviews of a plain bundle with their one head's testimony, or nil if
// the bundle is not plain. A body that does not decode is left to the
// verification to refuse: it makes the bundle not plain.
func bundleNewHeads(ctx context.Context, tx *sql.Tx, ch *change, tombstoned map[string]bool) ([]preindexItem, error) {
	if len(ch.Redactions) > 0 || len(ch.Revisions) == 0 {
		return nil, nil
	}
	var some bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM kv WHERE ns = ?)`, redactionNS).Scan(&some); err != nil || some {
		return nil, err
	}
	state, err := tx.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM interviews WHERE id = ?1), EXISTS (SELECT 1 FROM tombstones WHERE interview = ?1)`)
	if err != nil {
		return nil, err
	}
	defer state.Close()
	for id := range tombstoned {
		var known, purged bool
		if err := state.QueryRowContext(ctx, id).Scan(&known, &purged); err != nil || (known && !purged) {
			return nil, err
		}
	}
	heads, err := decodeHeads(ctx, ch.Revisions)
	if err != nil || heads == nil {
		return nil, err
	}
	var items []preindexItem
	for _, h := range heads {
		if tombstoned[h.interview] {
			continue // purged on arrival: nothing of it is stored
		}
		var known, purged bool
		if err := state.QueryRowContext(ctx, h.interview).Scan(&known, &purged); err != nil {
			return nil, err
		}
		if known || purged {
			continue // an update, or nothing stored
		}
		if len(h.heads) != 1 {
			return nil, nil // a new interview in conflict: not plain
		}
		items = append(items, preindexItem{interview: h.interview, marked: h.heads[0]})
	}
	return items, nil
}

// interviewHeads are the revisions of one interview in a bundle that no
// other revision of that interview in the bundle names as parent: the
// testimony of each, by distinct ID.
type interviewHeads struct {
	interview string
	heads     []string
}

// decodeHeads reads the interview and parents of each revision (on every
// core: it runs beside the verification, and JSON is its cost) and returns
// the heads of each interview, interviews in order of their first
// revision, or nil if a body does not decode.
func decodeHeads(ctx context.Context, recs []revisionRecord) ([]interviewHeads, error) {
	type links struct {
		Interview string   `json:"interview"`
		Parents   []string `json:"parents"`
	}
	decoded := make([]links, len(recs))
	var bad atomic.Bool
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(recs) || bad.Load() || ctx.Err() != nil {
					return
				}
				if json.Unmarshal(recs[i].Body, &decoded[i]) != nil {
					bad.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if bad.Load() {
		return nil, nil
	}
	// A parent counts for its own interview only, as in apply (hasChild):
	// a revision of a purged interview is dropped on arrival, and one that
	// names a parent of another interview is refused or ignored, so
	// neither keeps that parent off its interview's heads.
	parents := map[[2]string]bool{}
	for _, d := range decoded {
		for _, p := range d.Parents {
			parents[[2]string{d.Interview, p}] = true
		}
	}
	var out []interviewHeads
	at := map[string]int{}
	seen := map[string]bool{}
	for i, d := range decoded {
		k, ok := at[d.Interview]
		if !ok {
			k = len(out)
			at[d.Interview] = k
			out = append(out, interviewHeads{interview: d.Interview})
		}
		if id := recs[i].ID; !parents[[2]string{d.Interview, id}] && !seen[id] {
			seen[id] = true
			out[k].heads = append(out[k].heads, recs[i].Testimony)
		}
	}
	return out, nil
}
