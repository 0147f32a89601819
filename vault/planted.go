package vault

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
)

// plantedTombstones returns, for each tombstone without a matching local
// purge, what is wrong with it: its interview still has revisions here (a
// purge deletes them), or it is signed by this member's key while the audit
// log holds no purge of it (every purge here records one). Tombstones of
// other members arrive in bundles and purge on arrival; only the first rule
// applies to them.
func (v *Vault) plantedTombstones(ctx context.Context) ([]string, error) {
	list, err := v.PlantedTombstones(ctx)
	out := make([]string, len(list))
	for i, p := range list {
		out[i] = p.Problem
	}
	return out, err
}

// PlantedTombstone is a tombstone without a matching purge here, and what
// is wrong with it.
type PlantedTombstone struct {
	Interview string `json:"interview"`
	Problem   string `json:"problem"`
}

// PlantedTombstones returns the tombstones without a matching local purge
// (see plantedTombstones), oldest first.
func (v *Vault) PlantedTombstones(ctx context.Context) ([]PlantedTombstone, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	purged := map[string]bool{}
	rows, err := v.conn.QueryContext(ctx, `SELECT json_extract(body, '$.subject') FROM audit
		WHERE json_extract(body, '$.kind') = ?`, EventPurge)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id *string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		if id != nil {
			purged[*id] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// This member's keys, the retired ones too.
	mine, _, err := v.ownKeys(ctx)
	if err != nil {
		return nil, err
	}
	rows, err = v.conn.QueryContext(ctx, `SELECT t.interview, t.body, t.sig,
		EXISTS (SELECT 1 FROM revisions r WHERE r.interview = t.interview)
		OR EXISTS (SELECT 1 FROM interviews i WHERE i.id = t.interview)
		FROM tombstones t ORDER BY t.seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PlantedTombstone
	for rows.Next() {
		var id string
		var rec tombstoneRecord
		var body []byte
		var kept bool
		if err := rows.Scan(&id, &body, &rec.Sig, &kept); err != nil {
			return nil, err
		}
		rec.Body = body
		switch t, err := rec.parse(); {
		case kept:
			out = append(out, PlantedTombstone{id, fmt.Sprintf("interview %s has a tombstone but its revisions are still here", short(id))})
		case err != nil:
			out = append(out, PlantedTombstone{id, fmt.Sprintf("the tombstone of interview %s does not parse", short(id))})
		case mine[hex.EncodeToString(t.AuthorKey)] && !purged[id]:
			out = append(out, PlantedTombstone{id, fmt.Sprintf("interview %s has a tombstone signed with this member's key, but no purge of it is in the audit log", short(id))})
		}
	}
	return out, rows.Err()
}

// checkNoPlantedTombstones returns an error wrapping ErrPlantedTombstones
// (and ErrDamaged) if the vault holds any.
func (v *Vault) checkNoPlantedTombstones(ctx context.Context) error {
	bad, err := v.plantedTombstones(ctx)
	if err != nil || len(bad) == 0 {
		return err
	}
	more := ""
	if len(bad) > 3 {
		more = fmt.Sprintf(" (and %d more)", len(bad)-3)
		bad = bad[:3]
	}
	return fmt.Errorf("%w: %w: %s%s", ErrDamaged, ErrPlantedTombstones, strings.Join(bad, "; "), more)
}
