package vault

import "context"

// Count is one bar of a chart: a label and how many.
type Count struct {
	Label string
	N     int
}

// Stats are counts over the head revision of every interview.
type Stats struct {
	Interviews int
	// ByTag is how many interviews carry each tag, most first.
	ByTag []Count
	// ByHarm is how many relatives suffered each harm, most first.
	ByHarm []Count
}

// Stats counts interviews by tag and relatives by harm. It reads the
// pseudonymised records only.
func (v *Vault) Stats() (*Stats, error) {
	ctx := v.ctx
	s := &Stats{ByTag: []Count{}, ByHarm: []Count{}}
	if err := v.conn.QueryRowContext(ctx, `SELECT count(*) FROM interviews`).Scan(&s.Interviews); err != nil {
		return nil, err
	}
	var err error
	s.ByTag, err = v.counts(ctx, `SELECT t.value, count(*) AS n FROM interviews i, json_each(i.tags) t
		GROUP BY t.value ORDER BY n DESC, t.value`)
	if err != nil {
		return nil, err
	}
	s.ByHarm, err = v.counts(ctx, `SELECT h.value, count(*) AS n FROM interviews i
		JOIN revisions r ON r.id = i.revision,
		json_each(r.body, '$.record.relatives') rel,
		json_each(rel.value, '$.harms') h
		GROUP BY h.value ORDER BY n DESC, h.value`)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (v *Vault) counts(ctx context.Context, query string) ([]Count, error) {
	rows, err := v.conn.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Label, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
