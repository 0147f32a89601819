package vault

import (
	"context"
	"fmt"
	"strings"
)

// EventTombstoneDropped is the audit event of a planted tombstone removed.
const EventTombstoneDropped = "tombstone-dropped"

// DropPlantedTombstones removes planted tombstones ([Vault.PlantedTombstones])
// from the vault, in one save that the audit log records (one signed event
// for each): those of the interviews ids name (full IDs or unique prefixes),
// or every planted one if ids is empty. It returns what it removed. A
// tombstone that is not planted (a purge made here, or one a teammate's
// bundle brought) is never removed: an ID of one is [ErrNotPlanted], and
// nothing changes.
//
// Afterwards the interview of a tombstone whose revisions were still here
// is whole again; one whose revisions the tombstone deleted can come back
// from a teammate's bundle.
func (v *Vault) DropPlantedTombstones(ctx context.Context, ids []string) ([]PlantedTombstone, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	if err := v.writable(); err != nil {
		return nil, err
	}
	planted, err := v.PlantedTombstones(ctx)
	if err != nil {
		return nil, err
	}
	drop := planted
	if len(ids) > 0 {
		drop = nil
		seen := map[string]bool{}
		for _, id := range ids {
			var match []PlantedTombstone
			for _, p := range planted {
				if id != "" && strings.HasPrefix(p.Interview, id) {
					match = append(match, p)
				}
			}
			switch {
			case len(match) == 0:
				return nil, fmt.Errorf("%w: %q", ErrNotPlanted, id)
			case len(match) > 1:
				return nil, fmt.Errorf("%w: %q", ErrAmbiguous, id)
			}
			if !seen[match[0].Interview] {
				seen[match[0].Interview] = true
				drop = append(drop, match[0])
			}
		}
	}
	if len(drop) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ch := &change{}
	events := make([]Event, len(drop))
	for i, p := range drop {
		ch.DropTombstones = append(ch.DropTombstones, p.Interview)
		events[i] = Event{Kind: EventTombstoneDropped, Subject: p.Interview, Details: p.Problem}
	}
	if ch.Audit, err = v.newEvents(ctx, events...); err != nil {
		return nil, err
	}
	if err := v.commit(ch); err != nil {
		return nil, err
	}
	return drop, nil
}

// TombstoneInfo is a tombstone as `tvault tombstones list` shows it.
type TombstoneInfo struct {
	Interview string `json:"interview"`
	PurgedAt  string `json:"purged_at"`
	// Author is the signer, as this vault names its key.
	Author string `json:"author"`
	// Planted says what is wrong with a tombstone without a matching purge
	// here; "" for one that is fine.
	Planted string `json:"planted,omitempty"`
}

// Tombstones returns every tombstone, oldest first.
func (v *Vault) Tombstones(ctx context.Context) ([]TombstoneInfo, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	planted, err := v.PlantedTombstones(ctx)
	if err != nil {
		return nil, err
	}
	problem := map[string]string{}
	for _, p := range planted {
		problem[p.Interview] = p.Problem
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT interview, body FROM tombstones ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TombstoneInfo{}
	for rows.Next() {
		var rec tombstoneRecord
		var id string
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		rec.Body = body
		info := TombstoneInfo{Interview: id, Planted: problem[id]}
		if t, err := rec.parse(); err == nil {
			info.PurgedAt = t.PurgedAt
			if info.Author, err = v.signerName(ctx, t.AuthorKey); err != nil {
				return nil, err
			}
		}
		out = append(out, info)
	}
	return out, rows.Err()
}
