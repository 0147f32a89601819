package vault

import (
	"context"
	"database/sql"
)

// DefaultCodebook is the tags a new vault starts with: the pressure put on
// people abroad through their relatives at home, and what was done to them.
var DefaultCodebook = []string{
	"summoned", "threatened", "exit-ban", "job-loss", "asset-freeze",
	"detention", "surveillance", "passport-confiscated", "forced-return",
	"harassment", "travel-ban", "interrogation", "school-expulsion",
	"pension-cut", "online-harassment", "family-visit",
}

func seedCodebook(ctx context.Context, tx *sql.Tx) error {
	for _, t := range DefaultCodebook {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO codebook (tag, builtin) VALUES (?, 1)`, t); err != nil {
			return err
		}
	}
	return nil
}

// Codebook returns every tag in the codebook, sorted. Tags used by saved
// interviews are added to it as they are saved.
func (v *Vault) Codebook() ([]string, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	rows, err := v.conn.QueryContext(v.ctx, `SELECT tag FROM codebook ORDER BY tag`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tags []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}
	return tags, rows.Err()
}
