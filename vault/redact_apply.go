package vault

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
)

// Applying redactions inside a save (apply, change.go): storing new ones and
// rewriting the revisions they name, here or arriving.

// applyRedactions stores the change's redactions the vault does not have,
// rewrites the stored revisions they name, and scrubs the removed text from
// the drafts of their interviews. It returns the interviews whose stored
// revisions changed, for their row and search index to be brought up to
// date.
func applyRedactions(ctx context.Context, tx *sql.Tx, ch *change) ([]string, error) {
	if len(ch.Redactions) == 0 {
		return nil, nil
	}
	var fresh []*redaction
	for i := range ch.Redactions {
		rec := &ch.Redactions[i]
		d, err := rec.parse()
		if err != nil {
			return nil, err
		}
		value, err := json.Marshal(storedRedaction{Body: rec.Body, Sig: rec.Sig})
		if err != nil {
			return nil, err
		}
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO kv (ns, key, value) VALUES (?, ?, ?)`, redactionNS, rec.id(), value)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // already here
		}
		// The seq orders redactions for export --since-last.
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM kv WHERE ns = ?`, redactionNS).Scan(&seq); err != nil {
			return nil, err
		}
		value, _ = json.Marshal(storedRedaction{Seq: seq, Body: rec.Body, Sig: rec.Sig})
		if _, err := tx.ExecContext(ctx, `UPDATE kv SET value = ? WHERE ns = ? AND key = ?`, value, redactionNS, rec.id()); err != nil {
			return nil, err
		}
		fresh = append(fresh, d)
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	_, idx, err := loadRedactions(ctx, tx)
	if err != nil {
		return nil, err
	}
	var touched []string
	removed := map[string][]string{}
	with := map[string]string{}
	for _, d := range fresh {
		for _, rr := range d.Revisions {
			var body, proof []byte
			var testimony string
			err := tx.QueryRowContext(ctx, `SELECT body, testimony, proof FROM revisions WHERE id = ? AND interview = ?`, rr.ID, d.Interview).Scan(&body, &testimony, &proof)
			if errors.Is(err, sql.ErrNoRows) {
				continue // not here (yet): redacted when it arrives
			}
			if err != nil {
				return nil, err
			}
			b, t, p, gone, changed, err := advance(rr.ID, body, testimony, proof, idx[rr.ID])
			if err != nil {
				return nil, err
			}
			if ch.rebase != nil {
				var rs []rebased
				if b, t, p, rs, err = rebaseStale(rr.ID, b, t, p, idx[rr.ID]); err != nil {
					return nil, err
				}
				if len(rs) > 0 {
					if idx, err = signRebased(ctx, tx, ch, d.Interview, rs); err != nil {
						return nil, err
					}
					for _, r := range rs {
						gone = append(gone, r.gone...)
					}
					changed = true
				}
			}
			if !changed {
				continue
			}
			// A format 3 revision's seed goes with the removed text.
			if _, err := tx.ExecContext(ctx, `UPDATE revisions SET body = ?, testimony = ?, proof = ? WHERE id = ?`, string(b), t, nullBytes(p), rr.ID); err != nil {
				return nil, err
			}
			if !contains(touched, d.Interview) {
				touched = append(touched, d.Interview)
			}
			removed[d.Interview] = append(removed[d.Interview], gone...)
			with[d.Interview] = d.With
		}
	}
	for _, id := range touched {
		if err := scrubDrafts(ctx, tx, id, removed[id], with[id]); err != nil {
			return nil, err
		}
	}
	return touched, nil
}

// redactIncoming redacts, before they are stored, the change's revisions
// that a redaction the vault has names: a revision that arrives after its
// redaction, from a member who never saw it, is stored redacted, and the
// change (which the journal stores next) holds it redacted too.
func redactIncoming(ctx context.Context, tx *sql.Tx, ch *change) error {
	if len(ch.Revisions) == 0 {
		return nil
	}
	var some bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM kv WHERE ns = ?)`, redactionNS).Scan(&some); err != nil || !some {
		return err
	}
	_, idx, err := loadRedactions(ctx, tx)
	if err != nil {
		return err
	}
	for i := range ch.Revisions {
		rec := &ch.Revisions[i]
		steps := idx[rec.ID]
		if len(steps) == 0 {
			continue
		}
		b, t, p, _, changed, err := advance(rec.ID, rec.Body, rec.Testimony, rec.Proof, steps)
		if err != nil {
			return err
		}
		if ch.rebase != nil {
			var rs []rebased
			if b, t, p, rs, err = rebaseStale(rec.ID, b, t, p, steps); err != nil {
				return err
			}
			if len(rs) > 0 {
				var rev *Revision
				if rev, err = loadRevision(rec.ID, b, t); err != nil {
					return err
				}
				if idx, err = signRebased(ctx, tx, ch, rev.Interview, rs); err != nil {
					return err
				}
				changed = true
			}
		}
		if changed {
			rec.Body, rec.Testimony, rec.Proof, rec.rev = b, t, p, nil
		}
	}
	return nil
}

// scrubDrafts replaces, in every draft of interview, each removed text by
// with. A draft is typed on this laptop and may hold the text anywhere.
func scrubDrafts(ctx context.Context, tx *sql.Tx, interview string, removed []string, with string) error {
	var pairs []string
	for _, r := range removed {
		if r != "" && r != with {
			pairs = append(pairs, r, with)
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	rep := strings.NewReplacer(pairs...)
	rows, err := tx.QueryContext(ctx, `SELECT key, body FROM drafts WHERE interview = ?`, interview)
	if err != nil {
		return err
	}
	type draft struct{ key, body string }
	var ds []draft
	for rows.Next() {
		var d draft
		if err := rows.Scan(&d.key, &d.body); err != nil {
			rows.Close()
			return err
		}
		ds = append(ds, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range ds {
		var db draftBody
		if err := json.Unmarshal([]byte(d.body), &db); err != nil {
			// A draft that cannot be read cannot be scrubbed: it goes.
			if _, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE key = ?`, d.key); err != nil {
				return err
			}
			continue
		}
		r := &db.Interview
		for _, s := range []*string{&r.Pseudonym, &r.Location, &r.Language, &r.Interviewer, &r.Testimony} {
			*s = rep.Replace(*s)
		}
		for i := range r.Relatives {
			r.Relatives[i].Relation = rep.Replace(r.Relatives[i].Relation)
			for j := range r.Relatives[i].Harms {
				r.Relatives[i].Harms[j] = rep.Replace(r.Relatives[i].Harms[j])
			}
		}
		for i := range r.Tags {
			r.Tags[i] = rep.Replace(r.Tags[i])
		}
		b, err := json.Marshal(db)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE drafts SET body = ? WHERE key = ?`, string(b), d.key); err != nil {
			return err
		}
	}
	return nil
}

// removedText is the text an edit removes, unescaped if it is of the body.
func removedText(body []byte, testimony string, e redactEdit) string {
	if e.Part == "testimony" {
		if e.Offset+e.Length <= len(testimony) {
			return testimony[e.Offset : e.Offset+e.Length]
		}
		return ""
	}
	if e.Offset+e.Length > len(body) {
		return ""
	}
	var s string
	if json.Unmarshal(append(append([]byte{'"'}, body[e.Offset:e.Offset+e.Length]...), '"'), &s) != nil {
		return ""
	}
	return s
}
