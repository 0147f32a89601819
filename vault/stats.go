package vault

import "context"

// Count is one bar of a chart: a label and how many.
type Count struct {
	Label string `json:"label"`
	N     int    `json:"count"`
}

// Stats are counts over the head revision of every interview.
type Stats struct {
	Interviews int `json:"interviews"`
	// ByTag is how many interviews carry each tag, most first.
	ByTag []Count `json:"by_tag"`
	// ByHarm is how many relatives suffered each harm, most first.
	ByHarm []Count `json:"by_harm"`
	// ByYear is how many interviews were held each year, in order of the
	// years; "no date" last, for interviews without one.
	ByYear []Count `json:"by_year"`
	// ByPlace is how many interviews were held in each place (the
	// "where" field, as written), most first; "no place" for none.
	ByPlace []Count `json:"by_place"`
	// ByRelation is how many relatives of each relation (sister, father)
	// the interviews name, most first.
	ByRelation []Count `json:"by_relation"`
}

// Stats counts interviews by tag, year and place, and relatives by harm
// and relation. It reads the pseudonymised records only.
func (v *Vault) Stats() (*Stats, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
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
	s.ByYear, err = v.counts(ctx, `SELECT CASE WHEN i.interviewed_on = '' THEN 'no date' ELSE substr(i.interviewed_on, 1, 4) END AS y,
		count(*) FROM interviews i GROUP BY y ORDER BY y = 'no date', y`)
	if err != nil {
		return nil, err
	}
	s.ByPlace, err = v.counts(ctx, `SELECT CASE WHEN trim(coalesce(json_extract(r.body, '$.record.location'), '')) = '' THEN 'no place'
		ELSE trim(json_extract(r.body, '$.record.location')) END AS p, count(*) AS n
		FROM interviews i JOIN revisions r ON r.id = i.revision
		GROUP BY p ORDER BY n DESC, p`)
	if err != nil {
		return nil, err
	}
	s.ByRelation, err = v.counts(ctx, `SELECT lower(trim(json_extract(rel.value, '$.relation'))) AS k, count(*) AS n FROM interviews i
		JOIN revisions r ON r.id = i.revision,
		json_each(r.body, '$.record.relatives') rel
		GROUP BY k ORDER BY n DESC, k`)
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
