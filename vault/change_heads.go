package vault

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// How apply finds an interview's heads as revisions arrive, in whatever
// order: the parents checked, a revision whose child is here already kept
// off the heads, and the head an interview shows.

// checkParent refuses a revision that names as parent a revision of another
// interview: heads and merges are per interview, and a foreign child would
// hide that parent from its own interview's heads.
func checkParent(ctx context.Context, st *applyStmts, ch *change, id, interview, parent string) error {
	var other string
	err := st.parentInterview.QueryRowContext(ctx, parent).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil // not here yet; hasChild checks when it arrives
	case err != nil:
		return err
	case other != interview && !ch.replay:
		return fmt.Errorf("%w: revision %s of interview %s names a parent of another interview", ErrDamaged, short(id), interview)
	}
	return nil
}

// hasChild reports whether a revision of interview names id as a parent.
// Children of other interviews do not count: one that arrives in the same
// change is refused as damaged, one stored earlier (accepted before parents
// were checked, or before its parent arrived) is ignored, and check reports
// it.
func hasChild(ctx context.Context, st *applyStmts, ch *change, id, interview string, fresh map[string]*Revision) (bool, error) {
	rows, err := st.children.QueryContext(ctx, id)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var child, childInterview string
		if err := rows.Scan(&child, &childInterview); err != nil {
			return false, err
		}
		switch {
		case childInterview == interview:
			found = true
		case fresh[child] != nil && !ch.replay:
			return false, fmt.Errorf("%w: revision %s of interview %s names a parent of another interview", ErrDamaged, short(child), childInterview)
		}
	}
	return found, rows.Err()
}

// newestHead returns the head revision an interview shows (the newest), the
// number of heads, and whether every head's consent allows sharing.
func newestHead(ctx context.Context, tx *sql.Tx, st *applyStmts, interview string, fresh map[string]*Revision) (*Revision, int, bool, error) {
	rows, err := st.heads.QueryContext(ctx, interview)
	if err != nil {
		return nil, 0, false, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, false, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, false, err
	}
	if len(ids) == 0 {
		return nil, 0, false, fmt.Errorf("%w: interview %s has no head revision", ErrDamaged, interview)
	}
	var best *Revision
	shareable := true
	for _, id := range ids {
		r := fresh[id]
		if r == nil {
			var body []byte
			var testimony string
			if err := tx.QueryRowContext(ctx, `SELECT body, testimony FROM revisions WHERE id = ?`, id).Scan(&body, &testimony); err != nil {
				return nil, 0, false, err
			}
			if r, err = loadRevision(id, body, testimony); err != nil {
				return nil, 0, false, err
			}
		}
		shareable = shareable && r.Record.Consent.Share
		if best == nil || newer(r, best) {
			best = r
		}
	}
	return best, len(ids), shareable, nil
}
